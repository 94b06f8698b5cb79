package lxmert.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * What a task contributes to the {@link Trainer}: how a host batch goes to the device, the forward pass with its
 * losses as sums, and the host-side counts those sums divide by. Everything else (the division by the update's
 * totals, backward, accumulation, clipping, BertAdam, metrics, snapshots) is the trainer's.
 *
 * <p><b>Losses as sums</b> (the {@code num_items_in_batch} approach): {@link #forward} returns each loss as a sum over
 * the batch's items and the name of the count it is a mean over ({@link Loss}); {@link #counts} gives those counts
 * from the host batch (no device read). The trainer adds the counts of an update's micro-batches and divides every
 * micro-batch's (and every data parallel shard's) sums by the update's totals before backward, so micro-batches and
 * shards add up to exactly the means of the one large batch, whatever items each holds, with no task-side scaling.
 *
 * <p><b>Data parallel</b> ({@code --device gpu0,gpu1}, or {@code cpu,cpu} for tests): the trainer asks the task
 * for one replica per extra device with {@link #replicate} (the same task over a new copy of the model built in
 * the given device manager; the trainer overwrites its parameters with the master's, so its initialisation does
 * not matter) and copies each replica's shard of the host batch to that replica's device with
 * {@link #toDevice(NDManager, Object, int, int)} (examples {@code [from, to)}: straight from the host arrays, no
 * device-to-device copy). A task that supports several devices implements both; the defaults support one device
 * only and fail with a clear message otherwise. {@code FinetuneTask} and {@code PretrainTask} follow the pattern:
 * <pre>{@code
 * public Replica<B, D> replicate(NDManager root) {
 *     MyModel copy = MyModel.create(root, config, ...);       // same architecture, on root's device
 *     return new Replica<>(copy, new MyTask(copy, ...));       // the task bound to the copy
 * }
 * public D toDevice(NDManager m, B b, int from, int to) {     // rows of examples [from, to) only
 *     return new D(NdArrays.floats(m, b.feats, from * rowSize, (to - from) * rowSize, shape), ...);
 * }
 * }</pre>
 *
 * @param <B> the host batch (plain Java arrays, filled by a prefetch thread)
 * @param <D> the same batch on the device
 */
public interface TrainTask<B, D> {

    /** Copies a host batch to the device; the arrays belong to {@code m}, closed after the micro-step. */
    D toDevice(NDManager m, B batch);

    /**
     * Forward pass and loss sums of a device batch in the model's current mode (the trainer has turned gradients
     * on). Arrays are created from the batch's arrays, so they belong to the micro-step's manager. No host reads here.
     */
    Output forward(D batch);

    /** Examples in a host batch (the running metrics' example count, the shards' split). */
    int examples(B batch);

    /**
     * The counts the loss sums of a host batch are means over, by the names {@link Loss#count} uses (e.g. examples,
     * predicted words, box slots), computed on the host from the host batch.
     */
    Map<String, Long> counts(B batch);

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
     * One loss of a batch: {@code sum} over its items (a device scalar in the autograd graph) and the name of the
     * count ({@link #counts}) its mean divides by.
     */
    record Loss(NDArray sum, String count) {}

    /**
     * One batch's results, all scalars on the device.
     *
     * @param losses      the named losses; the trainer trains on the sum of their means over the update, and reports
     *                    that total as the loss and, when there are several, each mean by its name (the original's
     *                    per-task losses)
     * @param exampleSums named sums over the batch's examples (e.g. the soft score of the predictions), reported
     *                    divided by the number of examples; may be empty
     */
    record Output(Map<String, Loss> losses, Map<String, NDArray> exampleSums) {
        public Output {
            if (losses == null || losses.isEmpty()) throw new IllegalArgumentException("a training task's output needs a loss");
            exampleSums = exampleSums == null ? Map.of() : exampleSums;
        }
    }
}
