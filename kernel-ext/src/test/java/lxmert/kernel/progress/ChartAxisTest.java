package lxmert.kernel.progress;

import lxmert.kernel.RecordingSession;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.internal.chartpart.XAxisTicks;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The live loss chart labels epochs as whole numbers, each at its true position (not 0, 0.34, 0.67, 1.01, ...). */
class ChartAxisTest {
    @Test
    void epochTicksAreWholeNumbersAtTheirPositions() {
        for (int steps : new int[] {1, 2, 3, 7, 100, 1000}) {
            for (int epochs : new int[] {1, 2, 3, 4, 12}) {
                for (double done : new double[] {0.3, 1.0}) {
                    ProgressDisplay p = new ProgressDisplay(new RecordingSession(), "t", Duration.ofHours(1), System::nanoTime);
                    p.onStart(epochs, steps);
                    long total = Math.max(1, Math.round(done * epochs * steps));
                    for (long k = 0; k < total; k++) {
                        int e = (int) (k / steps);
                        int s = (int) (k % steps) + 1;
                        p.onBatch(e, s, steps, 1.0 / (1 + k), 10);
                        if (s == steps) p.onEpoch(e, 0.5, 0.4);
                    }
                    List<XAxisTicks.Tick> ticks = XAxisTicks.of(p.chart());
                    String where = steps + " batches x " + epochs + " epochs, " + total + " done: " + ticks;
                    assertTrue(ticks.size() >= 2, where);
                    for (XAxisTicks.Tick t : ticks) {
                        assertTrue(t.label().matches("-?\\d+"), "whole-number label; " + where);
                        assertEquals(Integer.parseInt(t.label()), t.value(), 1e-6, "label at its position; " + where);
                    }
                    assertEquals("0", ticks.get(0).label(), where);
                }
            }
        }
    }
}
