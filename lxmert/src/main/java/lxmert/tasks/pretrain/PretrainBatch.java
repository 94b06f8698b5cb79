package lxmert.tasks.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import lxmert.model.LxmertPretraining;
import lxmert.util.NdArrays;

/**
 * One pretraining batch on the host (plain arrays, reusable), exactly what the original's {@code LXMERT.forward}
 * builds: token ids with [CLS]/[SEP] and padding (after word masking), input mask, segment ids, MLM labels (-1 where
 * not predicted), the masked features, the boxes, the original features (the feat target), object / attribute labels
 * and detector confidences, the feat mask (1 = masked box to regress), the matched label and the QA answer id (-1 =
 * none). Shapes: [B, L] text, [B, N, D] features, [B, N, 4] boxes, [B, N] per box, [B] per example, with N the most
 * boxes of any image; images with fewer boxes are zero-padded with confidence 0, feat mask 0 and visual mask 0.
 */
public final class PretrainBatch {
    public final int capacity;
    public final int seqLen;
    public final int boxes;
    public final int featDim;
    /** Examples filled (rows 0..size-1). */
    public int size;
    public final long[] inputIds, inputMask, segmentIds, lmLabels;
    public final float[] feats, origFeats, boxCoords, visualMask;
    public final long[] objLabels, attrLabels;
    public final float[] objConfs, attrConfs, featMask;
    public final long[] matched, qaLabel;
    public final int[] indices;
    /** Whether some image has fewer than {@link #boxes} boxes (then the visual mask must be passed). */
    public boolean anyPadding;

    public PretrainBatch(int capacity, int seqLen, int boxes, int featDim) {
        if (capacity < 1 || seqLen < 3 || boxes < 1 || featDim < 1) {
            throw new IllegalArgumentException("bad batch shape: " + capacity + " x " + seqLen + " tokens, " + boxes + " boxes x " + featDim);
        }
        this.capacity = capacity;
        this.seqLen = seqLen;
        this.boxes = boxes;
        this.featDim = featDim;
        int t = capacity * seqLen, nb = capacity * boxes;
        inputIds = new long[t];
        inputMask = new long[t];
        segmentIds = new long[t];
        lmLabels = new long[t];
        feats = new float[nb * featDim];
        origFeats = new float[nb * featDim];
        boxCoords = new float[nb * 4];
        visualMask = new float[nb];
        objLabels = new long[nb];
        attrLabels = new long[nb];
        objConfs = new float[nb];
        attrConfs = new float[nb];
        featMask = new float[nb];
        matched = new long[capacity];
        qaLabel = new long[capacity];
        indices = new int[capacity];
    }

    /** The batch as engine arrays in {@code m} (the caller closes {@code m}): model inputs and loss targets. */
    public Arrays toArrays(NDManager m) {
        return toArrays(m, 0, size);
    }

    /**
     * Examples {@code [from, to)} as engine arrays in {@code m} (one replica's shard in data parallel runs; the box
     * count and the visual mask's presence are the whole batch's, so a shard computes what its rows compute in the
     * whole batch).
     */
    public Arrays toArrays(NDManager m, int from, int to) {
        if (from < 0 || to > size || from > to) throw new IllegalArgumentException("bad rows [" + from + ", " + to + ") of " + size);
        int b = to - from, l = usedColumns(), n = boxes, d = featDim;
        Shape box = new Shape(b, n);
        int b0 = from * n, bl = b * n;
        NDArray ids = NdArrays.longRows(m, inputIds, from, b, seqLen, l);
        NDArray mask = NdArrays.longRows(m, inputMask, from, b, seqLen, l);
        NDArray seg = NdArrays.longRows(m, segmentIds, from, b, seqLen, l);
        NDArray f = NdArrays.floats(m, feats, b0 * d, bl * d, new Shape(b, n, d));
        NDArray bx = NdArrays.floats(m, boxCoords, b0 * 4, bl * 4, new Shape(b, n, 4));
        NDArray vm = anyPadding ? NdArrays.floats(m, visualMask, b0, bl, box) : null;
        LxmertPretraining.Targets t = new LxmertPretraining.Targets(
                NdArrays.longRows(m, lmLabels, from, b, seqLen, l),
                NdArrays.longs(m, matched, from, b, new Shape(b)),
                NdArrays.longs(m, objLabels, b0, bl, box), NdArrays.floats(m, objConfs, b0, bl, box),
                NdArrays.longs(m, attrLabels, b0, bl, box), NdArrays.floats(m, attrConfs, b0, bl, box),
                NdArrays.floats(m, origFeats, b0 * d, bl * d, new Shape(b, n, d)), NdArrays.floats(m, featMask, b0, bl, box),
                NdArrays.longs(m, qaLabel, from, b, new Shape(b)));
        long[] rows = mlmRows(from, to, l);
        return new Arrays(ids, seg, mask, f, bx, vm, t, NdArrays.longs(m, rows, new Shape(rows.length)));
    }

    /**
     * The positions of rows {@code [from, to)} with an MLM label (indices into their flattened b x L positions), for
     * {@link LxmertPretraining#forward(NDArray, NDArray, NDArray, NDArray, NDArray, NDArray, NDArray,
     * lxmert.model.LxrtOutput.Trace) the forward that decodes only those}. With none, position 0 ([CLS], label -1,
     * so it adds 0 to the loss) keeps the MLM loss a graph node of shape [1] rather than an empty array.
     */
    public long[] mlmRows(int from, int to) {
        return mlmRows(from, to, usedColumns());
    }

    /** {@link #mlmRows(int, int)} for arrays of {@code l} columns. */
    private long[] mlmRows(int from, int to, int l) {
        int n = 0;
        for (int i = from * seqLen; i < to * seqLen; i++) if (lmLabels[i] >= 0) n++;
        if (n == 0) return new long[] {0};
        long[] rows = new long[n];
        n = 0;
        for (int i = from * seqLen; i < to * seqLen; i++) {
            if (lmLabels[i] >= 0) rows[n++] = (long) (i / seqLen - from) * l + i % seqLen;
        }
        return rows;
    }

    /**
     * The token columns the batch's arrays keep: up to the longest sentence of the whole batch (and any MLM label),
     * not max_seq_length ({@link NdArrays#usedColumns}; the same for every shard of the batch). The columns cut are
     * padding, masked out of every attention: the outputs at the other positions are the padded batch's up to the
     * order of float sums.
     */
    public int usedColumns() {
        return Math.max(NdArrays.usedColumns(inputMask, 0, size, seqLen), NdArrays.usedColumns(lmLabels, 0, size, seqLen, x -> x >= 0));
    }

    /**
     * Model inputs ({@code visualMask} null when no image is padded, as the original passes none), targets, and the
     * positions with an MLM label ({@link #mlmRows}).
     */
    public record Arrays(NDArray inputIds, NDArray segmentIds, NDArray inputMask, NDArray feats, NDArray boxes,
                         NDArray visualMask, LxmertPretraining.Targets targets, NDArray mlmRows) {}
}
