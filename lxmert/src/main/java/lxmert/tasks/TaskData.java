package lxmert.tasks;

/** A task's examples ready for batching: fills {@link HostBatch}es by example index. */
public interface TaskData {
    int size();

    /** 1 for VQA/GQA, 2 for NLVR2. */
    int imagesPerExample();

    int featDim();

    /** Boxes per image in a batch (the maximum over the data; images with fewer are masked). */
    int boxes();

    /** Number of answer classes of the head (QA) or 2 (NLVR2). */
    int numAnswers();

    String exampleId(int index);

    /** Whether the examples carry labels (test splits do not). */
    boolean labelled();

    /** Allocates a batch able to hold {@code n} examples. */
    HostBatch allocate(int n);

    /** Fills {@code b} with the examples {@code idx[0..n)} (n <= capacity); returns b. */
    HostBatch fill(HostBatch b, int[] idx);

    /** The score of predicting class {@code label} for example {@code index} (QA: soft score, NLVR2: 0/1). */
    double score(int index, int label);
}
