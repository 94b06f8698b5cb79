package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.train.RunningSums;
import lxmert.train.TrainTask;

import java.util.Map;

/**
 * A fine-tuning task for the {@link lxmert.train.Trainer}: the head model's forward and the original's loss
 * ({@link TaskNet#lossSum}, a sum over the batch with its count {@link TaskNet#lossCount}), and the soft score of the
 * batch's predictions (QA: the target score of the argmax answer; NLVR2: 1 when right) summed on the device, so the
 * running train accuracy costs no host read.
 */
public final class FinetuneTask implements TrainTask<HostBatch, FinetuneTask.Batch> {
    /** The example sum holding the predictions' scores. */
    public static final String SCORE = "score";
    /** The count the loss is a mean over (examples; NLVR2: labelled examples). */
    static final String COUNT = "examples";

    private final TaskNet net;

    public FinetuneTask(TaskNet net) {
        this.net = net;
    }

    TaskNet net() {
        return net;
    }

    /** A batch on the device: the model inputs and the targets (QA soft scores [B, A] or NLVR2 labels [B]). */
    public record Batch(TaskNet.Inputs inputs, NDArray targets) {}

    @Override
    public Batch toDevice(NDManager m, HostBatch b) {
        return toDevice(m, b, 0, b.examples);
    }

    /** Examples {@code [from, to)} (a data parallel shard), straight from the host arrays. */
    @Override
    public Batch toDevice(NDManager m, HostBatch b, int from, int to) {
        return new Batch(TaskNet.inputs(m, b, from, to), net.task().recipe().targets(m, b, from, to, net.numAnswers()));
    }

    /** The same task over a new copy of the head model in {@code root} (a data parallel replica). */
    @Override
    public Replica<HostBatch, Batch> replicate(NDManager root) {
        TaskNet copy = net.replica(root);
        return new Replica<>(copy.module(), new FinetuneTask(copy));
    }

    @Override
    public Output forward(Batch b) {
        return outputs(net.forward(b.inputs(), null), b);
    }

    /** The loss sum and the predictions' score sum from the batch's logits. */
    Output outputs(NDArray logits, Batch b) {
        NDArray score = net.task().recipe().scoreSum(logits.argMax(1), b.targets());
        return new Output(Map.of(RunningSums.LOSS, new Loss(net.lossSum(logits, b.targets()), COUNT)), Map.of(SCORE, score));
    }

    @Override
    public int examples(HostBatch b) {
        return b.examples;
    }

    @Override
    public Map<String, Long> counts(HostBatch b) {
        return Map.of(COUNT, net.lossCount(b));
    }
}
