package lxmert.kernel.progress;

/**
 * What a training loop reports while it runs. Defined here, in the notebook module, so progress displays can be
 * built before the library's trainer exists; the library's training listener is adapted to it (one small class in
 * the integration) and everything below stays unchanged.
 *
 * <p>Conventions: {@code epoch} is 0-based; {@code step} counts the batches done in the epoch (1..totalSteps);
 * accuracies are fractions in [0, 1], {@link Double#NaN} when not measured.
 */
public interface TrainingProgress {
    /** Training starts: {@code epochs} epochs of {@code stepsPerEpoch} batches (either may be 0 if unknown). */
    default void onStart(int epochs, int stepsPerEpoch) {
    }

    /** A batch finished. */
    void onBatch(int epoch, int step, int totalSteps, double loss, double examplesPerSec);

    /** The mean of the loss and of each named loss part over the last log interval (after its {@link #onBatch}). */
    default void onLosses(java.util.Map<String, Double> means) {
    }

    /** An epoch finished with its training and validation accuracy. */
    void onEpoch(int epoch, double trainAcc, double validAcc);

    /** Training ended (normally, by interrupt or by error); displays show their final state. */
    void finish();
}
