package lxmert.kernel.lib;

import lxmert.kernel.Interrupts;
import lxmert.kernel.progress.TrainingProgress;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;

import java.io.PrintStream;

/**
 * Adapts the library trainer's {@link TrainingListener} events to a notebook {@link TrainingProgress} (the live
 * bar and chart) and ties the kernel's {@link Interrupts} to the trainer's {@link StopSignal}: after every batch,
 * a requested interrupt requests the stop, so the trainer saves LAST and returns at that batch.
 *
 * <pre>
 * var stop = new StopSignal();
 * var listener = new ProgressListener(new ProgressDisplay(Notebook.current(), "vqa"), Interrupts.current(), stop, System.out);
 * try (var f = new Finetuner(options, List.of(listener), stop)) { f.train(); }
 * </pre>
 */
public final class ProgressListener implements TrainingListener {
    private final TrainingProgress progress;
    private final Interrupts interrupts;
    private final StopSignal stop;
    private final PrintStream messages;

    /**
     * @param progress   where batches and epochs go; null for none
     * @param interrupts polled after every batch; null for none
     * @param stop       requested when an interrupt is seen
     * @param messages   where the trainer's messages go (weights loaded, snapshot saved); null to drop them
     */
    public ProgressListener(TrainingProgress progress, Interrupts interrupts, StopSignal stop, PrintStream messages) {
        this.progress = progress;
        this.interrupts = interrupts;
        this.stop = stop;
        this.messages = messages;
    }

    @Override
    public void onStart(RunInfo info) {
        if (progress != null) progress.onStart(info.epochs(), info.batchesPerEpoch());
        pollInterrupt();
    }

    @Override
    public void onBatch(BatchEvent e) {
        if (progress != null) {
            progress.onBatch(e.epoch(), e.batchInEpoch() + 1, e.batchesPerEpoch(), e.loss(), e.examplesPerSec());
        }
        pollInterrupt();
    }

    @Override
    public void onLosses(LossesEvent e) {
        if (progress != null) progress.onLosses(e.means());
    }

    @Override
    public void onEpoch(EpochEvent e) {
        if (progress != null) progress.onEpoch(e.epoch(), e.trainAccuracy(), e.validAccuracy());
        pollInterrupt();
    }

    @Override
    public void onMessage(String message) {
        if (messages != null) {
            messages.println(message);
            messages.flush();
        }
    }

    @Override
    public void onFinish(boolean interrupted) {
        if (progress != null) progress.finish();
    }

    private void pollInterrupt() {
        if (interrupts != null && interrupts.isRequested()) stop.request();
    }
}
