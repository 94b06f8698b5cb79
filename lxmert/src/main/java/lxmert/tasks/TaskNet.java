package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import lxmert.config.LxmertConfig;
import lxmert.model.Losses;
import lxmert.model.LxrtModel;
import lxmert.model.LxrtOutput;
import lxmert.model.Module;
import lxmert.model.Nlvr2Model;
import lxmert.model.QaModel;
import lxmert.util.NdArrays;

/** The head model of a task (VQA/GQA: {@link QaModel}; NLVR2: {@link Nlvr2Model}) with its loss. */
public final class TaskNet {
    private final Task task;
    private final Module module;
    private final LxrtModel bert;
    private final int numAnswers;
    private final boolean mceLoss;
    private final LxmertConfig config;
    private final long seed;

    public TaskNet(Task task, NDManager manager, LxmertConfig config, int numAnswers, long seed, boolean mceLoss) {
        this.task = task;
        this.mceLoss = mceLoss;
        this.config = config;
        this.seed = seed;
        if (task.isQa()) {
            QaModel m = QaModel.create(manager, config, numAnswers, seed);
            module = m;
            bert = m.bert();
            this.numAnswers = numAnswers;
        } else {
            Nlvr2Model m = Nlvr2Model.create(manager, config, seed);
            module = m;
            bert = m.bert();
            this.numAnswers = 2;
        }
    }

    /** The same head model, newly built in {@code manager} (a data parallel replica; its weights get overwritten). */
    public TaskNet replica(NDManager manager) {
        return new TaskNet(task, manager, config, numAnswers, seed, mceLoss);
    }

    public Module module() {
        return module;
    }

    public LxrtModel bert() {
        return bert;
    }

    public int numAnswers() {
        return numAnswers;
    }

    /** Device arrays of one batch, owned by {@code m}. */
    public record Inputs(NDArray ids, NDArray mask, NDArray seg, NDArray feats, NDArray boxes, NDArray visualMask) {}

    public static Inputs inputs(NDManager m, HostBatch b) {
        return inputs(m, b, 0, b.examples);
    }

    /** Device arrays of examples {@code [from, to)} of a batch (all their rows: NLVR2 has two per example). */
    public static Inputs inputs(NDManager m, HostBatch b, int from, int to) {
        int per = b.examples == 0 ? 1 : b.rows / b.examples;
        int r0 = from * per, rows = (to - from) * per;
        Shape tok = new Shape(rows, b.seqLen);
        int t = b.seqLen, v = b.boxes * b.featDim, x = b.boxes * 4;
        return new Inputs(NdArrays.longs(m, b.inputIds, r0 * t, rows * t, tok), NdArrays.longs(m, b.inputMask, r0 * t, rows * t, tok),
                NdArrays.longs(m, b.segmentIds, r0 * t, rows * t, tok),
                NdArrays.floats(m, b.feats, r0 * v, rows * v, new Shape(rows, b.boxes, b.featDim)),
                NdArrays.floats(m, b.boxCoords, r0 * x, rows * x, new Shape(rows, b.boxes, 4)),
                b.anyPadding ? NdArrays.floats(m, b.visualMask, r0 * b.boxes, rows * b.boxes, new Shape(rows, b.boxes)) : null);
    }

    /** Logits [B, A] (QA) or [B, 2] (NLVR2). */
    public NDArray forward(Inputs in, LxrtOutput.Trace trace) {
        NDArray pooled = bert.forward(in.ids(), in.seg(), in.mask(), in.feats(), in.boxes(), in.visualMask(), trace).pooled();
        if (module instanceof QaModel q) return q.head(pooled);
        return ((Nlvr2Model) module).head(pooled);
    }

    public Task task() {
        return task;
    }

    /**
     * The original's loss as a sum over the batch, a mean over {@link #lossCount} examples: VQA/GQA BCE-with-logits
     * (mean over B x A) x A = the BCE summed / B (GQA with --mce-loss: cross entropy on the best answer x A, summed);
     * NLVR2 cross entropy over the pair head, summed over the labelled examples. Targets on the device: QA soft
     * scores [B, A], NLVR2 labels [B] (-1 = unlabelled, ignored as the original's ignore_index).
     */
    public NDArray lossSum(NDArray logits, NDArray targets) {
        if (!task.isQa()) return Losses.crossEntropyNone(logits, targets).sum();
        if (mceLoss) {
            NDArray best = targets.argMax(1).toType(DataType.INT64, false);
            return lxmert.model.Ops.mul(Losses.crossEntropyNone(logits, best).sum(), numAnswers);
        }
        return Losses.bceWithLogitsNone(logits, targets).sum();
    }

    /** What {@link #lossSum} is a mean over in a host batch: its examples (NLVR2: its labelled examples). */
    public long lossCount(HostBatch b) {
        if (task.isQa()) return b.examples;
        long n = 0;
        for (int i = 0; i < b.examples; i++) if (b.labels[i] >= 0) n++;
        return n;
    }
}
