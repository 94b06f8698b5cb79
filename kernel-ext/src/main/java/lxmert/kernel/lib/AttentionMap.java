package lxmert.kernel.lib;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * The cross-attention of one example in one cross-modality layer: {@code probs[word][box]}, each row a probability
 * distribution over the boxes (averaged over heads). Shown as an XChart heat map (words x boxes) or a table.
 */
public record AttentionMap(String exampleId, String sentence, int layer, List<String> words, double[][] probs) {

    /** The box each word attends to most. */
    public int[] argmaxBoxes() {
        int[] out = new int[probs.length];
        for (int t = 0; t < probs.length; t++) {
            for (int k = 1; k < probs[t].length; k++) if (probs[t][k] > probs[t][out[t]]) out[t] = k;
        }
        return out;
    }

    /** Heat map: boxes on x, words on y, attention probability as colour. */
    public HeatMapChart heatMap() {
        int boxes = probs.length == 0 ? 0 : probs[0].length;
        HeatMapChart c = new HeatMapChartBuilder().width(Math.max(640, 200 + 22 * boxes)).height(Math.max(360, 80 + 24 * words.size()))
                .title("cross attention, layer " + layer + ": " + sentence).xAxisTitle("box").yAxisTitle("word").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setRangeColors(new Color[]{new Color(255, 255, 255), new Color(255, 200, 80), new Color(200, 30, 30)});
        c.getStyler().setShowValue(false);
        // the colour scale spans the values shown, so a near-uniform map still shows its differences
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : probs) {
            for (double v : row) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (!(max > min)) {
            min = 0;
            max = Math.max(max, 1e-9);
        }
        c.getStyler().setMin(min);
        c.getStyler().setMax(max);
        c.getStyler().setHeatMapValueDecimalPattern("0.0000");
        List<Integer> xs = new ArrayList<>();
        for (int k = 0; k < boxes; k++) xs.add(k);
        List<String> ys = new ArrayList<>();
        // XChart draws y index 0 at the bottom: reverse so the sentence reads top-down
        for (int t = words.size() - 1; t >= 0; t--) ys.add(t + " " + words.get(t));
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < probs.length; t++) {
            int y = words.size() - 1 - t;
            for (int k = 0; k < boxes; k++) cells.add(new Number[]{k, y, probs[t][k]});
        }
        c.addSeries("attention", xs, ys, cells);
        return c;
    }

    /** One row per word: its most attended box and that probability. */
    public Table table() {
        StringColumn w = StringColumn.create("word");
        DoubleColumn box = DoubleColumn.create("top_box");
        DoubleColumn p = DoubleColumn.create("probability");
        int[] am = argmaxBoxes();
        for (int t = 0; t < words.size(); t++) {
            w.append(words.get(t));
            box.append(am[t]);
            p.append(Math.round(probs[t][am[t]] * 10000) / 10000.0);
        }
        return Table.create("attention " + exampleId + " layer " + layer, w, box, p);
    }
}
