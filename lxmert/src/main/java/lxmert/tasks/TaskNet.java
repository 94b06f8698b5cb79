package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import lxmert.config.LxmertConfig;
import lxmert.model.LxrtModel;
import lxmert.model.LxrtOutput;
import lxmert.model.Module;
import lxmert.util.NdArrays;

import java.util.function.UnaryOperator;

/** The head model of a task ({@link FinetuneRecipe#head}: VQA/GQA {@code QaModel}, NLVR2 {@code Nlvr2Model}) with its loss. */
public final class TaskNet {
    private final Task task;
    private final Module module;
    private final LxrtModel bert;
    private final UnaryOperator<NDArray> head;
    private final int numAnswers;
    private final boolean mceLoss;
    private final LxmertConfig config;
    private final long seed;

    /** A task's model: the encoder, and the head on its pooled output with its number of classes. */
    record Head(Module module, LxrtModel bert, UnaryOperator<NDArray> head, int numAnswers) {}

    public TaskNet(Task task, NDManager manager, LxmertConfig config, int numAnswers, long seed, boolean mceLoss) {
        this.task = task;
        this.mceLoss = mceLoss;
        this.config = config;
        this.seed = seed;
        Head h = task.recipe().head(manager, config, numAnswers, seed);
        this.module = h.module();
        this.bert = h.bert();
        this.head = h.head();
        this.numAnswers = h.numAnswers();
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

    /**
     * Device arrays of examples {@code [from, to)} of a batch (all their rows: NLVR2 has two per example). The token
     * arrays keep the columns the whole batch uses ({@link NdArrays#usedColumns}: up to its longest sentence, not
     * max_seq_length): the padding they drop is masked out of every attention, so the outputs are those of the padded
     * batch up to the order of float sums, and a shard of the batch (data parallel, accumulation) has the same
     * length as the whole.
     */
    public static Inputs inputs(NDManager m, HostBatch b, int from, int to) {
        int per = b.examples == 0 ? 1 : b.rows / b.examples;
        int r0 = from * per, rows = (to - from) * per;
        int t = b.seqLen, v = b.boxes * b.featDim, x = b.boxes * 4;
        int len = NdArrays.usedColumns(b.inputMask, 0, b.rows, t);
        return new Inputs(NdArrays.longRows(m, b.inputIds, r0, rows, t, len), NdArrays.longRows(m, b.inputMask, r0, rows, t, len),
                NdArrays.longRows(m, b.segmentIds, r0, rows, t, len),
                NdArrays.floats(m, b.feats, r0 * v, rows * v, new Shape(rows, b.boxes, b.featDim)),
                NdArrays.floats(m, b.boxCoords, r0 * x, rows * x, new Shape(rows, b.boxes, 4)),
                b.anyPadding ? NdArrays.floats(m, b.visualMask, r0 * b.boxes, rows * b.boxes, new Shape(rows, b.boxes)) : null);
    }

    /** Logits [B, A] (QA) or [B, 2] (NLVR2). */
    public NDArray forward(Inputs in, LxrtOutput.Trace trace) {
        return head.apply(bert.forward(in.ids(), in.seg(), in.mask(), in.feats(), in.boxes(), in.visualMask(), trace).pooled());
    }

    public Task task() {
        return task;
    }

    /** The probability of every class [B, A] that this head's loss implies ({@link FinetuneRecipe#probabilities}). */
    public NDArray probabilities(NDArray logits) {
        return task.recipe().probabilities(logits, mceLoss);
    }

    /**
     * The original's loss as a sum over the batch, a mean over {@link #lossCount} of its examples
     * ({@link FinetuneRecipe#lossSum}). Targets on the device: QA soft scores [B, A], NLVR2 labels [B].
     */
    public NDArray lossSum(NDArray logits, NDArray targets) {
        return task.recipe().lossSum(logits, targets, numAnswers, mceLoss);
    }

    /** What {@link #lossSum} is a mean over in a host batch ({@link FinetuneRecipe#lossCount}). */
    public long lossCount(HostBatch b) {
        return task.recipe().lossCount(b);
    }
}
