package lxmert.cli;

import java.io.PrintStream;
import java.util.Locale;

import lxmert.train.TrainingListener;

/**
 * A terminal progress bar listener: one line per epoch rewritten in place with examples/s, loss and ETA
 * (carriage return; when the stream is not a terminal, a line every {@code everySeconds}).
 */
final class ProgressBar implements TrainingListener {
    private final PrintStream out;
    private final boolean tty;
    private final double everySeconds;
    private long lastPrint;
    private RunInfo info;
    private double dataWait;

    ProgressBar(PrintStream out) {
        this(out, System.console() != null, 10);
    }

    ProgressBar(PrintStream out, boolean tty, double everySeconds) {
        this.out = out;
        this.tty = tty;
        this.everySeconds = everySeconds;
    }

    @Override
    public void onStart(RunInfo i) {
        this.info = i;
        out.printf(Locale.ROOT, "%s: %d train / %d valid examples, %d batches x %d epochs, %,d parameters%n", i.task(),
                i.trainExamples(), i.validExamples(), i.batchesPerEpoch(), i.epochs(), i.parameters());
    }

    @Override
    public void onBatch(BatchEvent e) {
        dataWait = e.dataWaitFraction();
        long now = System.nanoTime();
        boolean last = e.batchInEpoch() + 1 == e.batchesPerEpoch();
        if (!last && (now - lastPrint) < (tty ? 2e8 : everySeconds * 1e9)) return;
        lastPrint = now;
        int width = 30;
        int done = (int) ((double) (e.batchInEpoch() + 1) / e.batchesPerEpoch() * width);
        double remainingBatches = e.batchesPerEpoch() - e.batchInEpoch() - 1
                + (double) (info.epochs() - e.epoch() - 1) * e.batchesPerEpoch();
        double eta = e.examplesPerSec() > 0 ? remainingBatches * info.batchSize() / e.examplesPerSec() : 0;
        String acc = Double.isNaN(e.trainAccuracySoFar()) ? "" : String.format(Locale.ROOT, "  acc %.2f", e.trainAccuracySoFar() * 100);
        String line = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d  loss %.4f%s  %.1f ex/s  ETA %s",
                e.epoch() + 1, info.epochs(), "=".repeat(done), " ".repeat(width - done), e.batchInEpoch() + 1,
                e.batchesPerEpoch(), e.loss(), acc, e.examplesPerSec(), hms(eta));
        if (tty) {
            out.print("\r" + line + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onEpoch(EpochEvent e) {
        out.println(epochLine(e, dataWait));
    }

    /**
     * The epoch summary: accuracies in percent with the best valid accuracy (fine-tuning), or, when the run has a
     * valid loss (pretraining: the best is the lowest valid loss), the train/valid/lowest losses and the QA accuracies.
     */
    static String epochLine(EpochEvent e, double dataWait) {
        String tail = String.format(Locale.ROOT, "  (%.0f s, %.1f ex/s, waiting for data %.2f%% of step time)",
                e.epochSeconds(), e.examplesPerSec(), dataWait * 100);
        if (Double.isNaN(e.validLoss()) && Double.isNaN(e.lowestValidLoss())) {
            return String.format(Locale.ROOT, "epoch %d: train %.2f  valid %.2f  best %.2f", e.epoch() + 1,
                    e.trainAccuracy() * 100, e.validAccuracy() * 100, e.bestValid() * 100) + tail;
        }
        String qa = Double.isNaN(e.trainAccuracy()) && Double.isNaN(e.validAccuracy()) ? ""
                : String.format(Locale.ROOT, "  QA accuracy train %.2f  valid %.2f", e.trainAccuracy() * 100, e.validAccuracy() * 100);
        return String.format(Locale.ROOT, "epoch %d: loss train %.4f  valid %.4f  lowest valid %.4f", e.epoch() + 1,
                e.meanLoss(), e.validLoss(), e.lowestValidLoss()) + qa + tail;
    }

    @Override
    public void onMessage(String message) {
        out.println(message);
    }

    static String hms(double s) {
        long t = Math.round(s);
        return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
    }
}
