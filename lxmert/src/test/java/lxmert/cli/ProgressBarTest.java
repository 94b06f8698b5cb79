package lxmert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import lxmert.train.TrainingListener;

/** The CLI progress lines: accuracies in percent for fine-tuning, losses (lowest valid, not x100) for pretraining. */
class ProgressBarTest {
    @Test
    void fineTuningEpochLineShowsAccuraciesAndTheBest() {
        var e = new TrainingListener.EpochEvent(0, 0.5, 0.25, 0.3, 1.3, 2, 80);
        assertEquals("epoch 1: train 50.00  valid 25.00  best 30.00  (2 s, 80.0 ex/s, waiting for data 1.00% of step time)",
                ProgressBar.epochLine(e, 0.01));
    }

    @Test
    void pretrainingEpochLineShowsLossesAndTheLowestValidLoss() {
        var e = new TrainingListener.EpochEvent(1, 0.3171, 0.3698, Double.NaN, 48.3102, 3, 600, 51.3796, 51.3796);
        assertEquals("epoch 2: loss train 48.3102  valid 51.3796  lowest valid 51.3796  QA accuracy train 31.71  valid 36.98"
                + "  (3 s, 600.0 ex/s, waiting for data 0.00% of step time)", ProgressBar.epochLine(e, 0));
        var noQa = new TrainingListener.EpochEvent(1, Double.NaN, Double.NaN, Double.NaN, 48.3102, 3, 600, 51.3796, 50.0);
        assertEquals("epoch 2: loss train 48.3102  valid 51.3796  lowest valid 50.0000  (3 s, 600.0 ex/s, waiting for data 0.00% of step time)",
                ProgressBar.epochLine(noQa, 0));
    }

    @Test
    void batchLineLeavesOutAnAccuracyTheRunDoesNotHave() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar p = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), false, 0);
        p.onStart(new TrainingListener.RunInfo("pretrain", 1, 2, 8, 16, 0, 10, 0, 0));
        p.onBatch(new TrainingListener.BatchEvent(0, 1, 2, 1, 5.5, 1e-4, 1, 10, 0, Double.NaN));
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        String line = lines[lines.length - 1];
        assertFalse(line.contains("NaN"), line);
        assertEquals("epoch 1/1 [==============================] 2/2  loss 5.5000  10.0 ex/s  ETA 0:00:00", line);
    }
}
