package lxmert.kernel.lib;

import lxmert.kernel.Interrupts;
import lxmert.kernel.progress.TrainingProgress;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trainer events reach the notebook progress (1-based steps) and a kernel interrupt becomes a stop request. */
class ProgressListenerTest {
    @Test
    void forwardsEventsAndTurnsInterruptsIntoStopRequests() {
        List<String> seen = new ArrayList<>();
        TrainingProgress p = new TrainingProgress() {
            @Override
            public void onStart(int epochs, int steps) {
                seen.add("start " + epochs + " " + steps);
            }

            @Override
            public void onBatch(int epoch, int step, int total, double loss, double eps) {
                seen.add("batch " + epoch + " " + step + "/" + total + " " + loss);
            }

            @Override
            public void onEpoch(int epoch, double tr, double va) {
                seen.add("epoch " + epoch + " " + tr + " " + va);
            }

            @Override
            public void finish() {
                seen.add("finish");
            }
        };
        Interrupts interrupts = new Interrupts();
        StopSignal stop = new StopSignal();
        ProgressListener l = new ProgressListener(p, interrupts, stop, null);
        l.onStart(new TrainingListener.RunInfo("vqa", 2, 5, 32, 160, 10, 1000, 0, 0));
        l.onBatch(new TrainingListener.BatchEvent(0, 0, 5, 0, 1.5, 1e-4, 1, 10, 0, 0.1));
        assertFalse(stop.isRequested(), "no interrupt yet");
        interrupts.request();
        l.onBatch(new TrainingListener.BatchEvent(0, 1, 5, 1, 1.25, 1e-4, 1, 10, 0, 0.1));
        assertTrue(stop.isRequested(), "an interrupt seen after a batch requests the stop");
        l.onEpoch(new TrainingListener.EpochEvent(0, 0.5, 0.25, 0.25, 1.3, 2, 80));
        l.onFinish(true);
        assertEquals(List.of("start 2 5", "batch 0 1/5 1.5", "batch 0 2/5 1.25", "epoch 0 0.5 0.25", "finish"), seen);
    }
}
