package lxmert.kernel.lib;

import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.Finetuner;
import lxmert.tasks.Snapshots;
import lxmert.kernel.render.SeriesColors;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A finished (or interrupted) fine-tuning run as a notebook sees it: the options, the trainer's
 * {@link Finetuner.Result} with its per-epoch history, the accuracy / loss curves as an XChart chart and the
 * history as a Tablesaw table. Returned by {@code %lxmert finetune} and {@link Training#finetune}.
 */
public final class TrainingRun {
    private final FinetuneOptions options;
    private final Finetuner.Result result;

    public TrainingRun(FinetuneOptions options, Finetuner.Result result) {
        this.options = options;
        this.result = result;
    }

    public FinetuneOptions options() {
        return options;
    }

    public Finetuner.Result result() {
        return result;
    }

    public List<Finetuner.EpochRecord> history() {
        return result.history();
    }

    /** Best validation accuracy in [0, 1] (NaN without a validation split). */
    public double bestValid() {
        return result.bestValid();
    }

    /** Validation accuracy of the last epoch in [0, 1] (NaN when none). */
    public double lastValid() {
        return history().isEmpty() ? Double.NaN : history().get(history().size() - 1).validAccuracy();
    }

    public boolean interrupted() {
        return result.interrupted();
    }

    /** The snapshot directory. */
    public Path output() {
        return result.output();
    }

    /** The BEST snapshot (written when the validation accuracy improved). */
    public Path best() {
        return Snapshots.modelFile(result.output(), "BEST");
    }

    /** The LAST snapshot. */
    public Path last() {
        return Snapshots.modelFile(result.output(), "LAST");
    }

    /** Train / valid accuracy (left axis, %) and mean loss (right axis) per epoch. */
    public XYChart chart() {
        return chart(history(), options.task().id + " fine-tuning");
    }

    /** The accuracy / loss curves of {@code history}. */
    public static XYChart chart(List<Finetuner.EpochRecord> history, String title) {
        XYChart c = new XYChartBuilder().width(640).height(360).title(title).xAxisTitle("epoch")
                .yAxisTitle("accuracy (%)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        c.getStyler().putYAxisGroupDecimalPatternMap(0, "0.#");
        c.getStyler().putYAxisGroupDecimalPatternMap(1, "0.##");
        c.setYAxisGroupTitle(1, "mean loss");
        int n = history.size();
        double[] x = new double[n];
        double[] tr = new double[n];
        double[] va = new double[n];
        double[] loss = new double[n];
        boolean anyValid = false;
        for (int i = 0; i < n; i++) {
            Finetuner.EpochRecord r = history.get(i);
            x[i] = r.epoch() + 1;
            tr[i] = 100 * r.trainAccuracy();
            va[i] = 100 * r.validAccuracy();
            loss[i] = r.meanLoss();
            anyValid |= !Double.isNaN(r.validAccuracy());
        }
        if (n == 0) {
            XYSeries s = c.addSeries("no epoch finished", new double[]{0}, new double[]{0});
            s.setMarker(SeriesMarkers.NONE);
            return c;
        }
        SeriesColors.paint(c.addSeries("train acc", x, tr), SeriesColors.TRAIN).setMarker(SeriesMarkers.CIRCLE);
        if (anyValid) SeriesColors.paint(c.addSeries("valid acc", x, va), SeriesColors.VALID).setMarker(SeriesMarkers.DIAMOND);
        XYSeries l = SeriesColors.paint(c.addSeries("mean loss", x, loss), SeriesColors.LOSS);
        l.setYAxisGroup(1);
        l.setMarker(SeriesMarkers.SQUARE);
        return c;
    }

    /**
     * The valid accuracy (%) per epoch of several runs in one chart (e.g. fine-tuning from pretrained weights beside
     * from scratch), each run its own colour, tick labels rounded; {@code runs} in legend order.
     */
    public static XYChart compareValid(String title, java.util.Map<String, TrainingRun> runs) {
        XYChart c = new XYChartBuilder().width(640).height(360).title(title).xAxisTitle("epoch")
                .yAxisTitle("valid accuracy (%)").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setYAxisDecimalPattern("0.#");
        int i = 0;
        for (java.util.Map.Entry<String, TrainingRun> e : runs.entrySet()) {
            List<Finetuner.EpochRecord> h = e.getValue().history();
            double[] x = h.stream().mapToDouble(r -> r.epoch() + 1).toArray();
            double[] y = h.stream().mapToDouble(r -> 100 * r.validAccuracy()).toArray();
            if (x.length == 0) continue;
            XYSeries s = SeriesColors.paint(c.addSeries(e.getKey(), x, y), SeriesColors.other(i));
            s.setMarker(i % 2 == 0 ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
            s.setLineWidth(Math.max(1.5f, 6f - 2.5f * i)); // wider first: runs with equal accuracies stay visible
            i++;
        }
        if (c.getSeriesMap().isEmpty()) c.addSeries("no epoch finished", new double[]{0}, new double[]{0}).setMarker(SeriesMarkers.NONE);
        return c;
    }

    /** The history: epoch (1-based), train / valid / best accuracy (%), mean loss, seconds. */
    public Table table() {
        return table(history());
    }

    public static Table table(List<Finetuner.EpochRecord> history) {
        IntColumn epoch = IntColumn.create("epoch");
        DoubleColumn tr = DoubleColumn.create("train_acc");
        DoubleColumn va = DoubleColumn.create("valid_acc");
        DoubleColumn best = DoubleColumn.create("best_valid");
        DoubleColumn loss = DoubleColumn.create("mean_loss");
        DoubleColumn secs = DoubleColumn.create("seconds");
        for (Finetuner.EpochRecord r : history) {
            epoch.append(r.epoch() + 1);
            tr.append(round(100 * r.trainAccuracy()));
            va.append(round(100 * r.validAccuracy()));
            best.append(round(100 * r.bestValid()));
            loss.append(round(r.meanLoss()));
            secs.append(Math.round(r.seconds() * 10) / 10.0);
        }
        return Table.create("history", epoch, tr, va, best, loss, secs);
    }

    /**
     * Runs side by side, one row per epoch: for each run (in the map's order) its train and valid accuracy (%) and mean
     * loss, then, with two runs, the first minus the second for each of the three.
     */
    public static Table compare(java.util.Map<String, TrainingRun> runs) {
        int epochs = runs.values().stream().mapToInt(r -> r.history().size()).max().orElse(0);
        IntColumn epoch = IntColumn.create("epoch");
        for (int e = 0; e < epochs; e++) epoch.append(e + 1);
        Table t = Table.create("runs side by side", epoch);
        java.util.List<double[][]> cols = new java.util.ArrayList<>();
        for (var entry : runs.entrySet()) {
            double[][] v = new double[3][epochs];
            for (double[] a : v) java.util.Arrays.fill(a, Double.NaN);
            java.util.List<Finetuner.EpochRecord> h = entry.getValue().history();
            for (int e = 0; e < h.size(); e++) {
                v[0][e] = round(100 * h.get(e).trainAccuracy());
                v[1][e] = round(100 * h.get(e).validAccuracy());
                v[2][e] = round(h.get(e).meanLoss());
            }
            t.addColumns(DoubleColumn.create(entry.getKey() + " train_acc", v[0]), DoubleColumn.create(entry.getKey() + " valid_acc", v[1]),
                    DoubleColumn.create(entry.getKey() + " mean_loss", v[2]));
            cols.add(v);
        }
        if (cols.size() == 2) {
            String[] names = {"train_acc", "valid_acc", "mean_loss"};
            for (int k = 0; k < 3; k++) {
                double[] d = new double[epochs];
                for (int e = 0; e < epochs; e++) d[e] = round(cols.get(0)[k][e] - cols.get(1)[k][e]);
                t.addColumns(DoubleColumn.create("difference " + names[k], d));
            }
        }
        return t;
    }

    private static double round(double v) {
        return Double.isNaN(v) ? Double.NaN : Math.round(v * 100) / 100.0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TrainingRun[%s, %d epoch(s)%s, best valid %s, %.1f s, %s]",
                options.task().id, history().size(), interrupted() ? " (interrupted)" : "",
                Double.isNaN(bestValid()) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * bestValid()),
                result.trainSeconds(), output());
    }
}
