package lxmert.kernel.progress;

import lxmert.kernel.RecordingSession;
import lxmert.kernel.render.SeriesColors;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.XAxisTicks;

import java.awt.Color;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The live charts: accuracy in percent, the loss on a log axis fitted to the data, one colour per series. */
class LiveChartTest {
    static ProgressDisplay display() {
        return new ProgressDisplay(new RecordingSession(), "t", Duration.ofHours(1), System::nanoTime);
    }

    static double[] ys(XYChart c, String series) {
        XYSeries s = c.getSeriesMap().get(series);
        assertNotNull(s, series + " in " + c.getSeriesMap().keySet());
        return s.getYData();
    }

    @Test
    void accuracyIsInPercentLikeTheHistoryChart() {
        ProgressDisplay p = display();
        p.onStart(2, 2);
        p.onBatch(0, 1, 2, 3.0, 10);
        p.onBatch(0, 2, 2, 2.0, 10);
        p.onEpoch(0, 0.625, 0.4);
        XYChart a = p.accuracyChart();
        assertArrayEquals(new double[]{62.5}, ys(a, "train acc"), 1e-9);
        assertArrayEquals(new double[]{40.0}, ys(a, "valid acc"), 1e-9);
        double[] range = XAxisTicks.yRange(a, 0);
        assertEquals(0, range[0], 1e-9);
        assertEquals(100, range[1], 1e-9);
        assertTrue(p.html().contains("train acc 62.50%"), p.html());
    }

    /** A first batch loss of 19 then losses under 4: every point drawn, log axis, range = the data's range. */
    @Test
    void theLossAxisIsLogarithmicAndFitsTheData() {
        ProgressDisplay p = display();
        p.onStart(1, 30);
        double[] losses = new double[30];
        for (int i = 0; i < 30; i++) {
            losses[i] = i == 0 ? 19.0 : 2 + 1.5 / (1 + i);
            p.onBatch(0, i + 1, 30, losses[i], 10);
        }
        XYChart c = p.chart();
        assertTrue(c.getStyler().isYAxisLogarithmic());
        assertArrayEquals(losses, ys(c, "loss"), 0, "no point dropped");
        double[] range = XAxisTicks.yRange(c, 0);
        assertEquals(Arrays.stream(losses).min().getAsDouble(), range[0], 1e-9);
        assertEquals(19.0, range[1], 1e-9);
        // more than one labelled tick between the smallest loss and 19 (not only the decade 10)
        assertTrue(XAxisTicks.yLabels(c, 0).size() >= 3, XAxisTicks.yLabels(c, 0).toString());
    }

    /**
     * Pretraining: the per-task losses are drawn (all under 13) and the total (30) is not; the axis ends at the
     * largest part, not at the total the invisible epoch boundaries used to sit at. A disabled task's 0 is left out.
     */
    @Test
    void perTaskLossesFitTheAxisAndEachHasItsOwnColour() {
        ProgressDisplay p = display();
        p.onStart(2, 4);
        Map<String, Double> parts = new LinkedHashMap<>();
        double largest = 0;
        for (int i = 0; i < 8; i++) {
            p.onBatch(i / 4, i % 4 + 1, 4, 30.0 - i, 10);
            parts.put("loss", 30.0 - i);
            String[] names = {"Mask_LM", "Matched", "Obj", "Attr", "Feat", "QA"};
            for (int k = 0; k < names.length; k++) parts.put(names[k], k == 4 ? 0.0 : 12.5 - i - k);
            largest = Math.max(largest, 12.5 - i);
            p.onLosses(parts);
            if (i % 4 == 3) p.onEpoch(i / 4, 0.3, 0.2);
        }
        XYChart c = p.chart();
        assertFalse(c.getSeriesMap().containsKey("loss"), "the total is the sum of the parts: not drawn");
        assertFalse(c.getSeriesMap().containsKey("Feat"), "a task whose loss is 0 (disabled) is not drawn");
        assertEquals(largest, XAxisTicks.yRange(c, 0)[1], 1e-9, "the axis ends at the largest drawn loss");
        // the parts span more than a decade: only powers of ten are labelled (all nine per decade would overlap)
        List<String> labels = XAxisTicks.yLabels(c, 0);
        assertFalse(labels.isEmpty());
        for (String l : labels) assertEquals(0, Math.log10(Double.parseDouble(l)) % 1, 1e-9, "a power of ten: " + labels);
        Set<Color> colours = new HashSet<>();
        for (XYSeries s : c.getSeriesMap().values()) {
            if (!s.isShowInLegend()) continue;
            assertEquals(SeriesColors.task(s.getName()), s.getLineColor(), s.getName());
            assertTrue(colours.add(s.getLineColor()), "a colour of its own: " + s.getName());
        }
        assertEquals(5, colours.size());
        XYChart a = p.accuracyChart();
        assertFalse(colours.contains(a.getSeriesMap().get("train acc").getLineColor()));
        assertFalse(colours.contains(a.getSeriesMap().get("valid acc").getLineColor()));
    }

    @Test
    void trainAndValidHaveTheirColoursInTheLiveChart() {
        ProgressDisplay p = display();
        p.onStart(1, 1);
        p.onBatch(0, 1, 1, 1.0, 10);
        p.onEpoch(0, 0.5, 0.25);
        XYChart a = p.accuracyChart();
        assertEquals(SeriesColors.TRAIN, a.getSeriesMap().get("train acc").getLineColor());
        assertEquals(SeriesColors.VALID, a.getSeriesMap().get("valid acc").getLineColor());
        assertNotEquals(SeriesColors.TRAIN, SeriesColors.VALID);
    }

    /** The display's image holds both charts, one under the other, from the first update on. */
    @Test
    void oneImageHoldsTheLossAndTheAccuracyChart() throws Exception {
        ProgressDisplay p = display();
        p.onStart(1, 2);
        p.onBatch(0, 1, 2, 5.0, 10); // a single point: a log axis of zero extent must still paint
        p.finish();
        String b64 = (String) p.chartDataForTest().getData(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.IMAGE_PNG);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                java.util.Base64.getDecoder().decode(b64)));
        assertEquals(p.chart().getWidth(), img.getWidth());
        assertEquals(p.chart().getHeight() + p.accuracyChart().getHeight(), img.getHeight());
    }
}
