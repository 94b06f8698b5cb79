package lxmert.train;

/**
 * Receives training progress: the CLI progress bar and the notebook's live displays are listeners.
 * All methods have empty defaults; they are called on the training thread.
 */
public interface TrainingListener {

    /** Static facts of a run, sent once before the first batch. */
    record RunInfo(String task, int epochs, int batchesPerEpoch, int batchSize, int trainExamples, int validExamples,
                   long parameters, int startEpoch, long startStep) {}

    /** After every optimisation step. {@code step} counts from 0 over the whole run. */
    record BatchEvent(int epoch, int batchInEpoch, int batchesPerEpoch, long step, double loss, double lr,
                      double gradNorm, double examplesPerSec, double dataWaitFraction, double trainAccuracySoFar) {}

    /**
     * After every epoch (accuracies in [0, 1]; valid is NaN without a validation split). {@code bestValid} is the best
     * valid accuracy (NaN when the run picks its best by loss); {@code validLoss} and {@code lowestValidLoss} are the
     * valid loss of this epoch and the lowest so far where the run computes one (pretraining), else NaN.
     */
    record EpochEvent(int epoch, double trainAccuracy, double validAccuracy, double bestValid, double meanLoss,
                      double epochSeconds, double examplesPerSec, double validLoss, double lowestValidLoss) {
        /** An epoch without a valid loss (fine-tuning: the best is by accuracy). */
        public EpochEvent(int epoch, double trainAccuracy, double validAccuracy, double bestValid, double meanLoss,
                          double epochSeconds, double examplesPerSec) {
            this(epoch, trainAccuracy, validAccuracy, bestValid, meanLoss, epochSeconds, examplesPerSec, Double.NaN, Double.NaN);
        }
    }

    /** Per log interval when the task reports loss parts: the mean of the loss and of each part over the interval. */
    record LossesEvent(int epoch, long step, java.util.Map<String, Double> means) {}

    default void onStart(RunInfo info) {}

    default void onLosses(LossesEvent e) {}

    default void onBatch(BatchEvent e) {}

    default void onEpoch(EpochEvent e) {}

    /** A message for the user (loading reports, snapshot saved, ...). */
    default void onMessage(String message) {}

    default void onFinish(boolean interrupted) {}
}
