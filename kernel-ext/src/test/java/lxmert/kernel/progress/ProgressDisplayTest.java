package lxmert.kernel.progress;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import lxmert.kernel.RecordingSession;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ProgressDisplayTest {
    private static final long MS = 1_000_000L;

    @Test
    void showsOnceThenUpdatesInPlaceThrottled() {
        RecordingSession s = new RecordingSession();
        AtomicLong clock = new AtomicLong(0);
        ProgressDisplay p = new ProgressDisplay(s, "vqa", Duration.ofMillis(500), clock::get);
        p.onStart(2, 100);
        assertEquals(2, s.displays.size(), "bar and chart shown once");
        String barId = s.displays.get(0).getDisplayId();
        String chartId = s.displays.get(1).getDisplayId();
        assertNotEquals(barId, chartId);
        for (int step = 1; step <= 100; step++) {        // 100 batches, 20 ms each: 2 s
            clock.addAndGet(20 * MS);
            p.onBatch(0, step, 100, 2.0 - step / 100.0, 64);
        }
        // updates at t = 500, 1000, 1500, 2000 ms (each at least 500 ms after the previous one)
        assertEquals(4 * 2, s.updates.size());
        p.onEpoch(0, 0.40, 0.35);                         // always updates
        assertEquals(5 * 2, s.updates.size());
        assertEquals(2, s.displays.size(), "never a second display");
        for (DisplayData u : s.updates) {
            assertTrue(u.getDisplayId().equals(barId) || u.getDisplayId().equals(chartId));
        }
        p.finish();
        p.finish();
        assertEquals(6 * 2, s.updates.size(), "finish updates once");
        DisplayData lastBar = s.updates.get(s.updates.size() - 2);
        String html = (String) lastBar.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("done"), html);
        assertTrue(html.contains("loss 1.0000"), html);
        assertTrue(html.contains("train acc 40.00%") && html.contains("valid acc 35.00%"), html);
        assertTrue(html.contains("64.0 ex/s"), html);
        DisplayData lastChart = s.updates.get(s.updates.size() - 1);
        assertEquals(chartId, lastChart.getDisplayId());
        assertNotNull(lastChart.getData(MIMEType.IMAGE_PNG));
    }

    @Test
    void etaFollowsTheMeanBatchTime() {
        RecordingSession s = new RecordingSession();
        AtomicLong clock = new AtomicLong(0);
        ProgressDisplay p = new ProgressDisplay(s, "t", Duration.ofMillis(500), clock::get);
        p.onStart(4, 50);
        for (int step = 1; step <= 25; step++) {
            clock.addAndGet(100 * MS);
            p.onBatch(1, step, 50, 1, 10);
        }
        // 25 batches in 2.5 s -> 0.1 s per batch; left: 25 in epoch 1 + 2 epochs * 50 = 125 batches -> 12.5 s
        assertEquals(Duration.ofMillis(12_500), p.eta(clock.get()));
        assertEquals((1 + 25 / 50.0) / 4, p.fractionDone(), 1e-12);
        assertTrue(p.text().contains("ETA 0:00:12"), p.text());
        assertTrue(p.text().contains("epoch 2/4"), p.text());
    }

    @Test
    void formatsDurations() {
        assertEquals("1:01:05", ProgressDisplay.hms(Duration.ofSeconds(3665)));
        assertEquals("0:00:00", ProgressDisplay.hms(Duration.ofMillis(-5)));
    }
}
