package lxmert.tasks;

import lxmert.data.FeatureStore;
import lxmert.data.ImageFeatures;

/** A task's examples ready for batching: fills {@link HostBatch}es by example index. */
public interface TaskData extends AutoCloseable {
    int size();

    /** 1 for VQA/GQA, 2 for NLVR2. */
    int imagesPerExample();

    int featDim();

    /** Boxes per image in a batch (the maximum over the data; images with fewer are masked). */
    int boxes();

    /** Number of answer classes of the head (QA) or 2 (NLVR2). */
    int numAnswers();

    String exampleId(int index);

    /** Whether any example carries a label (test splits do not; a split may be partly labelled). */
    default boolean labelled() {
        return labelledCount() > 0;
    }

    /** Whether example {@code index} carries a label. */
    boolean labelled(int index);

    /** The number of labelled examples: accuracies are over these. */
    default int labelledCount() {
        int n = 0;
        for (int i = 0; i < size(); i++) if (labelled(i)) n++;
        return n;
    }

    /** One line per split of what loading kept and dropped (empty if not known). */
    default java.util.List<String> loadSummary() {
        return java.util.List.of();
    }

    /** The mean score of {@code predicted} (class per example) over the labelled examples; NaN when none is. */
    static double accuracy(TaskData d, int[] predicted) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < d.size(); i++) {
            if (!d.labelled(i)) continue;
            s += d.score(i, predicted[i]);
            n++;
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Closes the split's features. */
    @Override
    void close();

    /** Allocates a batch able to hold {@code n} examples. */
    HostBatch allocate(int n);

    /** Fills {@code b} with the examples {@code idx[0..n)} (n <= capacity); returns b. */
    HostBatch fill(HostBatch b, int[] idx);

    /** The score of predicting class {@code label} for example {@code index} (QA: soft score, NLVR2: 0/1). */
    double score(int index, int label);

    /** The most boxes any image of {@code features} has: the box dimension of a batch. */
    static int maxBoxes(ImageFeatures features) {
        int max = 0;
        for (FeatureStore s : features.stores()) max = Math.max(max, s.maxBoxes());
        return max;
    }

    /**
     * Copies one image's features and normalised boxes into row {@code row} of the batch; images with fewer boxes
     * than the batch's are zero-padded and masked out through the visual mask.
     */
    static void fillImage(HostBatch b, int row, ImageFeatures features, String imgId) {
        int d = b.featDim;
        int boxes = b.boxes;
        FeatureStore s = features.storeOf(imgId);
        int i = s.index(imgId);
        int n = s.numBoxes(i);
        s.copyFeatures(i, b.feats, row * boxes * d);
        s.copyBoxes(i, b.boxCoords, row * boxes * 4);
        for (int k = 0; k < boxes; k++) b.visualMask[row * boxes + k] = k < n ? 1f : 0f;
        if (n < boxes) {
            b.anyPadding = true;
            java.util.Arrays.fill(b.feats, (row * boxes + n) * d, (row + 1) * boxes * d, 0f);
            java.util.Arrays.fill(b.boxCoords, (row * boxes + n) * 4, (row + 1) * boxes * 4, 0f);
        }
    }
}
