package lxmert.tasks;

/**
 * One batch prepared on the host (plain arrays, reusable): tokenised sentences [R, L], features [R, N, D], boxes
 * [R, N, 4], an optional visual mask [R, N] (only when some image has fewer than N boxes), and the targets.
 * R = examples x images per example (NLVR2: rows 2i, 2i+1 are example i with img0, img1).
 */
public final class HostBatch {
    public final int examples;
    public final int rows;
    public final int seqLen;
    public final int boxes;
    public final int featDim;
    public final long[] inputIds;
    public final long[] inputMask;
    public final long[] segmentIds;
    public final float[] feats;
    public final float[] boxCoords;
    public final float[] visualMask;
    public boolean anyPadding;
    /** QA soft-score targets [B, A] (null for NLVR2 or unlabelled splits). */
    public final float[] targets;
    /** Class labels [B] (NLVR2; -1 = unlabelled). */
    public final long[] labels;
    public final String[] exampleIds;
    public int[] indices;

    public HostBatch(int examples, int imagesPerExample, int seqLen, int boxes, int featDim, int numAnswers) {
        this.examples = examples;
        this.rows = examples * imagesPerExample;
        this.seqLen = seqLen;
        this.boxes = boxes;
        this.featDim = featDim;
        inputIds = new long[rows * seqLen];
        inputMask = new long[rows * seqLen];
        segmentIds = new long[rows * seqLen];
        feats = new float[rows * boxes * featDim];
        boxCoords = new float[rows * boxes * 4];
        visualMask = new float[rows * boxes];
        targets = numAnswers > 0 ? new float[examples * numAnswers] : null;
        labels = new long[examples];
        exampleIds = new String[examples];
    }
}
