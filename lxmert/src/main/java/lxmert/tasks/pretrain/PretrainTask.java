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
 * losses as sums with the host counts they are means over ({@link PretrainLoss}: the trainer divides them by the
 * update's totals, so micro-batches and data parallel shards add up to the one large batch) and, for the running
 * train QA accuracy, the label score of the predicted answer summed on the device (no host read in a step). The
 * forward decodes the MLM head only on the positions with an MLM label ({@link PretrainBatch#mlmRows}): the same
 * losses and gradients as the original's full decode, at ~15% of its cost.
 */
public final class PretrainTask implements TrainTask<PretrainTask.Host, PretrainTask.OnDevice> {
    /** Example sums: the label score of the predicted answer and the number of labelled examples. */
    public static final String QA_SCORE = "qa_score";
    public static final String QA_LABELLED = "qa_labelled";
    /** The count of a disabled task's loss: always 0, so the trainer reports it as 0 and takes no gradient from it. */
    private static final String DISABLED = "disabled";

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
     * A micro-batch on the host with each example's datum label (answers and scores, [size, k], padded with -1 / 0)
     * for the accuracy, and whether each example is labelled (counts the accuracy's denominator).
     */
    public record Host(PretrainBatch batch, long[] labelAnswers, float[] labelScores, int k, boolean[] labelled) {
        /** Labelled examples among {@code [from, to)}. */
        public int labelledIn(int from, int to) {
            int c = 0;
            for (int i = from; i < to; i++) if (labelled[i]) c++;
            return c;
        }
    }

    /** Builds the host record of {@code b} (labels of the corpus's examples). */
    public static Host host(PretrainBatch b, PretrainCorpus corpus) {
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
        return new Host(b, ans, sc, k, labelled);
    }

    /** A micro-batch (or a data parallel shard of one) on the device. */
    public record OnDevice(PretrainBatch.Arrays arrays, NDArray labelAnswers, NDArray labelScores, NDArray labelled) {}

    @Override
    public OnDevice toDevice(NDManager m, Host h) {
        return toDevice(m, h, 0, h.batch().size);
    }

    /** Examples {@code [from, to)} of the micro-batch (a data parallel shard). */
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
        return new OnDevice(b.toArrays(m, from, to), ans, sc, lab);
    }

    @Override
    public Output forward(OnDevice d) {
        PretrainBatch.Arrays a = d.arrays();
        LxmertPretraining.Outputs o = model.forward(a.inputIds(), a.segmentIds(), a.inputMask(), a.feats(), a.boxes(),
                a.visualMask(), a.mlmRows(), null);
        Map<String, Loss> sums = loss.sums(o, a.targets());
        Map<String, Loss> losses = new LinkedHashMap<>();
        for (String name : LxmertPretraining.LOSS_NAMES) { // a disabled task: reported as 0, no gradient
            losses.put(name, sums.getOrDefault(name, new Loss(a.feats().getManager().zeros(new Shape()), DISABLED)));
        }
        Map<String, NDArray> exampleSums = new LinkedHashMap<>();
        if (qa) {
            NDArray pred = o.answerLogits().argMax(1).expandDims(1);
            NDArray hit = d.labelAnswers().eq(pred).toType(DataType.FLOAT32, false);
            exampleSums.put(QA_SCORE, hit.mul(d.labelScores()).sum());
            exampleSums.put(QA_LABELLED, d.labelled());
        }
        return new Output(losses, exampleSums);
    }

    @Override
    public int examples(Host h) {
        return h.batch().size;
    }

    @Override
    public Map<String, Long> counts(Host h) {
        Map<String, Long> c = new LinkedHashMap<>(PretrainLoss.counts(h.batch()));
        c.put(DISABLED, 0L);
        return c;
    }
}
