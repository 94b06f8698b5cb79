package org.knowm.xchart.internal.chartpart;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

import java.util.ArrayList;
import java.util.List;

/**
 * Test helper (in XChart's package for its package-private axis access): the x-axis tick labels of a chart as
 * painted, each with the x value at the tick's position (the
 * painted ones: inside the axis range).
 */
public final class XAxisTicks {
    private XAxisTicks() {}

    public record Tick(String label, double value) {}

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
