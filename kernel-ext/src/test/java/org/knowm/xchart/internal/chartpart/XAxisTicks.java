package org.knowm.xchart.internal.chartpart;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

import java.util.ArrayList;
import java.util.List;

/**
 * Test helper (in XChart's package for its package-private axis access): the axes of a chart as painted: the x-axis
 * tick labels, each with the x value at the tick's position (the painted ones: inside the axis range), the y axes'
 * ranges and labels.
 */
public final class XAxisTicks {
    private XAxisTicks() {}

    public record Tick(String label, double value) {}

    /** The painted range [min, max] of y axis group {@code group} (after layout). */
    public static double[] yRange(Chart<?, ?> chart, int group) {
        BitmapEncoder.getBufferedImage(chart);
        Axis<?, ?> y = chart.getAxisPair().getYAxis(group);
        return new double[] {y.getMin(), y.getMax()};
    }

    /** The tick labels of y axis group {@code group} as painted (null entries, unlabelled ticks, left out). */
    public static List<String> yLabels(Chart<?, ?> chart, int group) {
        BitmapEncoder.getBufferedImage(chart);
        List<String> out = new ArrayList<>();
        for (String l : chart.getAxisPair().getYAxis(group).getAxisTickCalculator().getTickLabels()) if (l != null) out.add(l);
        return out;
    }

    /** The tick labels of the x axis as painted (null entries left out); category charts too. */
    public static List<String> xLabels(Chart<?, ?> chart) {
        BitmapEncoder.getBufferedImage(chart);
        List<String> out = new ArrayList<>();
        for (String l : chart.getAxisPair().getXAxis().getAxisTickCalculator().getTickLabels()) if (l != null) out.add(l);
        return out;
    }

    public static List<Tick> of(XYChart chart) {
        BitmapEncoder.getBufferedImage(chart); // lays out and paints: computes the ticks
        Axis<?, ?> x = ((Chart<?, ?>) chart).getAxisPair().getXAxis();
        AxisTickCalculator t = x.getAxisTickCalculator();
        List<Tick> out = new ArrayList<>();
        for (int i = 0; i < t.getTickLabels().size(); i++) {
            double pos = t.getTickLocations().get(i);
            // the tick calculator's locations are offsets inside the axis bounds
            double v = x.getChartValue(x.getBounds().getX() + pos);
            double eps = 1e-9 * Math.max(1, Math.abs(x.getMax() - x.getMin()));
            // the calculator also lists ticks beyond the axis range, which are not painted
            if (v >= x.getMin() - eps && v <= x.getMax() + eps) out.add(new Tick(t.getTickLabels().get(i), v));
        }
        return out;
    }
}
