package lxmert.tasks.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import lxmert.model.LxmertPretraining;
import lxmert.train.TrainTask;
import lxmert.util.NdArrays;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pretraining as a {@link TrainTask} of the one {@link lxmert.train.Trainer}: the LXRTPretraining forward, the six
 * losses ({@link PretrainLoss}) and, for the running train QA accuracy, the label score of the predicted answer summed
 * on the device (no host read in a step). The forward decodes the MLM head only on the positions with an MLM label
 * ({@link PretrainBatch#mlmRows}): the same losses and gradients as the original's full decode, at ~15% of its cost.
 *
 * <p><b>Accumulation.</b> A micro-batch's losses are computed with the denominators of its whole update
 * ({@link Host#update}: predicted words, rows, QA rows and box slots summed over the update's micro-batches) and
 * multiplied by the number of micro-batches {@code A}; the trainer weights each micro-batch by n / batch = 1/A, so the
 * summed gradients are exactly those of the one large batch's loss (for A a power of two without rounding), and the
 * reported per-micro-batch values average to the update's losses. With A = 1 this is the batch's own loss.
 *
 * <p><b>Data parallel</b> ({@link #replicate}, {@link #toDevice(NDManager, Host, int, int)}): the trainer weights a
 * shard of s of the micro-batch's n examples by s / n (right for means over examples), but these losses divide by
 * counts of masked words, QA rows and box slots. So a shard's losses also use the update's denominators (its sums
 * divided by the whole update's counts) and are multiplied by A x n / s: weighted by s / n, the shards' sums add
 * up to exactly the micro-batch's loss (up to float rounding of n / s), whatever words or boxes each shard holds.
 */
public final class PretrainTask implements TrainTask<PretrainTask.Host, PretrainTask.OnDevice> {
    /** Example sums: the label score of the predicted answer and the number of labelled examples. */
    public static final String QA_SCORE = "qa_score";
    public static final String QA_LABELLED = "qa_labelled";

    private final LxmertPretraining model;
    private final PretrainLoss loss;
    private final boolean qa;
    private final PretrainTasks tasks;

    public PretrainTask(LxmertPretraining model, PretrainTasks tasks) {
        if (!model.heads().covers(tasks.heads())) {
            throw new IllegalArgumentException("the model's heads " + model.heads() + " lack some the tasks need: " + tasks.heads());
        }
        this.model = model;
        this.tasks = tasks;
        this.loss = new PretrainLoss(model.config(), tasks);
        this.qa = tasks.qa();
    }

    /** A new pretraining model of the same config and heads in {@code root} (the trainer copies the master's weights into it). */
    @Override
    public Replica<Host, OnDevice> replicate(NDManager root) {
        LxmertPretraining copy = LxmertPretraining.create(root, model.config(), model.heads(), 0);
        return new Replica<>(copy, new PretrainTask(copy, tasks));
    }

    public LxmertPretraining model() {
        return model;
    }

    /**
     * A micro-batch on the host with the denominators of its update and its share ({@code parts} micro-batches per
     * update), each example's datum label (answers and scores, [size, k], padded with -1 / 0) for the accuracy, and
     * whether each example is labelled (counts the accuracy's denominator).
     */
    public record Host(PretrainBatch batch, PretrainLoss.Denominators update, int parts, long[] labelAnswers,
                       float[] labelScores, int k, boolean[] labelled) {
        /** Labelled examples among {@code [from, to)}. */
        public int labelledIn(int from, int to) {
            int c = 0;
            for (int i = from; i < to; i++) if (labelled[i]) c++;
            return c;
        }
    }

    /** Builds the host record of {@code b} (labels of the corpus's examples) given its update's denominators. */
    public static Host host(PretrainBatch b, PretrainCorpus corpus, PretrainLoss.Denominators update, int parts) {
        int k = 1;
        for (int i = 0; i < b.size; i++) k = Math.max(k, corpus.numAnswers(b.indices[i]));
        long[] ans = new long[b.size * k];
        float[] sc = new float[b.size * k];
        java.util.Arrays.fill(ans, -1L);
        boolean[] labelled = new boolean[b.size];
        for (int i = 0; i < b.size; i++) {
            int ex = b.indices[i];
            labelled[i] = corpus.labelled(ex);
            for (int j = 0; j < corpus.numAnswers(ex); j++) {
                ans[i * k + j] = corpus.answer(ex, j);
                sc[i * k + j] = corpus.score(ex, j);
            }
        }
        return new Host(b, update, parts, ans, sc, k, labelled);
    }

    /**
     * A micro-batch (or a shard of one) on the device; {@code scale} multiplies its losses computed with the update's
     * denominators: A for a whole micro-batch, A x n / s for a shard of s of its n examples.
     */
    public record OnDevice(PretrainBatch.Arrays arrays, PretrainLoss.Denominators update, double scale, NDArray labelAnswers,
                           NDArray labelScores, NDArray labelled) {}

    @Override
    public OnDevice toDevice(NDManager m, Host h) {
        return toDevice(m, h, 0, h.batch().size);
    }

    /** Examples {@code [from, to)} of the micro-batch (a data parallel shard), scaled as the class comment says. */
    @Override
    public OnDevice toDevice(NDManager m, Host h, int from, int to) {
        PretrainBatch b = h.batch();
        int s = to - from, k = h.k();
        NDArray ans = null, sc = null, lab = null;
        if (qa) {
            ans = NdArrays.longs(m, h.labelAnswers(), from * k, s * k, new Shape(s, k));
            sc = NdArrays.floats(m, h.labelScores(), from * k, s * k, new Shape(s, k));
            lab = m.create((float) h.labelledIn(from, to));
        }
        double scale = s == b.size ? h.parts() : (double) h.parts() * b.size / s;
        return new OnDevice(b.toArrays(m, from, to), h.update(), scale, ans, sc, lab);
    }

    @Override
    public Output forward(OnDevice d) {
        PretrainBatch.Arrays a = d.arrays();
        LxmertPretraining.Outputs o = model.forward(a.inputIds(), a.segmentIds(), a.inputMask(), a.feats(), a.boxes(),
                a.visualMask(), a.mlmRows(), null);
        NDArray[] l = loss.compute(o, a.targets(), d.update());
        if (d.scale() != 1.0) for (int i = 0; i < l.length; i++) l[i] = l[i].mul((float) d.scale());
        Map<String, NDArray> parts = new LinkedHashMap<>();
        for (int i = 0; i < LxmertPretraining.LOSS_NAMES.length; i++) parts.put(LxmertPretraining.LOSS_NAMES[i], l[i + 1]);
        Map<String, NDArray> sums = new LinkedHashMap<>();
        if (qa) {
            NDArray pred = o.answerLogits().argMax(1).expandDims(1);
            NDArray hit = d.labelAnswers().eq(pred).toType(DataType.FLOAT32, false);
            sums.put(QA_SCORE, hit.mul(d.labelScores()).sum());
            sums.put(QA_LABELLED, d.labelled());
        }
        return new Output(l[0], parts, sums);
    }

    @Override
    public int examples(Host h) {
        return h.batch().size;
    }
}
