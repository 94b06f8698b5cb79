package lxmert.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * What a task contributes to the {@link Trainer}: how a host batch goes to the device, and the forward pass with
 * its loss. Everything else (backward, accumulation, clipping, BertAdam, metrics, snapshots) is the trainer's.
 *
 * <p><b>Data parallel</b> ({@code --device gpu0,gpu1}, or {@code cpu,cpu} for tests): the trainer asks the task
 * for one replica per extra device with {@link #replicate} (the same task over a new copy of the model built in
 * the given device manager; the trainer overwrites its parameters with the master's, so its initialisation does
 * not matter) and copies each replica's shard of the host batch to that replica's device with
 * {@link #toDevice(NDManager, Object, int, int)} (examples {@code [from, to)}: straight from the host arrays, no
 * device-to-device copy). A task that supports several devices implements both; the defaults support one device
 * only and fail with a clear message otherwise. The pattern, as {@code FinetuneTask} and
 * {@code ModelBenchmark.VqaStep} follow it (a pretraining task does the same with its pretraining model):
 * <pre>{@code
 * public Replica<B, D> replicate(NDManager root) {
 *     MyModel copy = MyModel.create(root, config, ...);       // same architecture, on root's device
 *     return new Replica<>(copy, new MyTask(copy, ...));       // the task bound to the copy
 * }
 * public D toDevice(NDManager m, B b, int from, int to) {     // rows of examples [from, to) only
 *     return new D(NdArrays.floats(m, b.feats, from * rowSize, (to - from) * rowSize, shape), ...);
 * }
 * }</pre>
 * The forward pass of a shard returns means over the shard (the trainer weights each shard's loss and loss parts
 * by its share of the batch before backward, so the summed gradients are those of the whole batch) and example
 * sums over the shard (added as they are). A loss that is not a mean over examples scales its shard's loss so that,
 * weighted by the shard's share, the shards add up to the whole batch's loss ({@code PretrainTask}: the update's
 * denominators, times n / s).
 *
 * @param <B> the host batch (plain Java arrays, filled by a prefetch thread)
 * @param <D> the same batch on the device
 */
public interface TrainTask<B, D> {

    /** Copies a host batch to the device; the arrays belong to {@code m}, closed after the micro-step. */
    D toDevice(NDManager m, B batch);

    /**
     * Forward pass and loss of a device batch in the model's current mode (the trainer has turned gradients on).
     * Arrays are created from the batch's arrays, so they belong to the micro-step's manager. No host reads here.
     */
    Output forward(D batch);

    /** Examples in a host batch: weights a micro-batch when gradients of several are accumulated. */
    int examples(B batch);

    /**
     * Copies examples {@code [from, to)} of a host batch to the device of {@code m} (one replica's shard in data
     * parallel runs). The default handles the whole batch only.
     */
    default D toDevice(NDManager m, B batch, int from, int to) {
        if (from == 0 && to == examples(batch)) return toDevice(m, batch);
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " cannot split a batch across devices (data parallel): it does not implement toDevice(m, batch, from, to)");
    }

    /**
     * A replica for data parallel training: a new copy of the model built in {@code root} (the replica's device) and
     * this task bound to it. The trainer owns {@code root} and closes it; it broadcasts the master's parameters into
     * the copy. The default supports one device only.
     */
    default Replica<B, D> replicate(NDManager root) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " runs on one device: it does not implement replicate(root) for data parallel training");
    }

    /** A replica's model and the task over it. */
    record Replica<B, D>(lxmert.model.Module model, TrainTask<B, D> task) {}

    /**
     * One batch's results, all scalars on the device.
     *
     * @param loss       the loss the gradients come from (a mean over the batch, as the original's losses)
     * @param lossParts  named per-batch losses to report (averaged over batches: the original's per-task losses);
     *                   may be empty
     * @param exampleSums named sums over the batch's examples (e.g. the soft score of the predictions), reported
     *                   divided by the number of examples; may be empty
     */
    record Output(NDArray loss, Map<String, NDArray> lossParts, Map<String, NDArray> exampleSums) {
        public Output {
            lossParts = lossParts == null ? Map.of() : lossParts;
            exampleSums = exampleSums == null ? Map.of() : exampleSums;
        }

        public static Output of(NDArray loss) {
            return new Output(loss, Map.of(), Map.of());
        }
    }
}
