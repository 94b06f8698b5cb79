package lxmert.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * What a task contributes to the {@link Trainer}: how a host batch goes to the device, and the forward pass with
 * its loss. Everything else (backward, accumulation, clipping, BertAdam, metrics, snapshots) is the trainer's.
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
