package lxmert.kernel.lib;

import lxmert.kernel.render.SeriesColors;
import lxmert.model.LxmertPretraining;
import lxmert.tasks.pretrain.PretrainCheckpoint;
import lxmert.tasks.pretrain.PretrainOptions;
import lxmert.tasks.pretrain.Pretrainer;
import lxmert.train.Run;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A finished (or interrupted) pretraining run in a notebook: the per-epoch history as a Tablesaw table (train and
 * valid total and per-task losses, QA accuracies), the per-task loss curves as an XChart, and the checkpoint paths
 * ({@code best()} is {@code BEST_EVAL_LOSS}, the prefix {@code finetune --load-lxmert[-qa]} takes).
 */
public final class PretrainRun {
    private final PretrainOptions options;
    private final Run.Result<Pretrainer.EpochRecord> result;

    public PretrainRun(PretrainOptions options, Run.Result<Pretrainer.EpochRecord> result) {
        this.options = options;
        this.result = result;
    }

    public PretrainOptions options() { return options; }

    public Run.Result<Pretrainer.EpochRecord> result() { return result; }

    public List<Pretrainer.EpochRecord> history() { return result.history(); }

    public boolean interrupted() { return result.interrupted(); }

    public Path output() { return result.output(); }

    /** {@code OUTPUT/BEST_EVAL_LOSS}: the prefix to pass to {@code --load-lxmert} / {@code --load-lxmert-qa}. */
    public Path best() { return output().resolve("BEST_EVAL_LOSS"); }

    public Path bestFile() { return PretrainCheckpoint.file(output(), "BEST_EVAL_LOSS"); }

    /** One row per epoch: epoch (1-based), train / valid total loss, the six valid and train losses, QA accuracies (%), seconds. */
    public Table table() {
        IntColumn epoch = IntColumn.create("epoch");
        DoubleColumn tl = DoubleColumn.create("train_loss"), vl = DoubleColumn.create("valid_loss");
        List<DoubleColumn> valid = new ArrayList<>(), train = new ArrayList<>();
        for (String n : LxmertPretraining.LOSS_NAMES) {
            valid.add(DoubleColumn.create("valid_" + n));
            train.add(DoubleColumn.create("train_" + n));
        }
        DoubleColumn tqa = DoubleColumn.create("train_qa_acc"), vqa = DoubleColumn.create("valid_qa_acc"), secs = DoubleColumn.create("seconds");
        for (Pretrainer.EpochRecord r : history()) {
            epoch.append(r.epoch() + 1);
            tl.append(round(r.trainLoss()));
            vl.append(round(r.validLoss()));
            for (int i = 0; i < 6; i++) {
                valid.get(i).append(r.validLosses() == null ? Double.NaN : round(r.validLosses()[i + 1]));
                train.get(i).append(round(r.trainLosses()[i + 1]));
            }
            tqa.append(round(100 * r.trainQa()));
            vqa.append(round(100 * r.validQa()));
            secs.append(Math.round(r.seconds() * 10) / 10.0);
        }
        Table t = Table.create("pretraining", epoch, tl, vl);
        valid.forEach(t::addColumns);
        train.forEach(t::addColumns);
        t.addColumns(tqa, vqa, secs);
        return t;
    }

    /** The per-task valid losses per epoch (train losses when there is no valid split), one series per task. */
    public XYChart chart() {
        List<Pretrainer.EpochRecord> h = history();
        boolean valid = !h.isEmpty() && h.get(0).validLosses() != null;
        XYChart c = new XYChartBuilder().width(640).height(360).title("pretraining losses (" + (valid ? "valid" : "train") + ")")
                .xAxisTitle("epoch").yAxisTitle("loss").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setYAxisDecimalPattern("0.###");
        if (h.isEmpty()) {
            c.addSeries("no epoch finished", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
            return c;
        }
        double[] x = new double[h.size()];
        for (int i = 0; i < x.length; i++) x[i] = h.get(i).epoch() + 1;
        for (int k = 0; k < 6; k++) {
            double[] y = new double[h.size()];
            for (int i = 0; i < y.length; i++) y[i] = valid ? h.get(i).validLosses()[k + 1] : h.get(i).trainLosses()[k + 1];
            SeriesColors.paint(c.addSeries(LxmertPretraining.LOSS_NAMES[k], x, y),
                    SeriesColors.task(LxmertPretraining.LOSS_NAMES[k])).setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    private static double round(double v) {
        return Double.isNaN(v) ? Double.NaN : Math.round(v * 10000) / 10000.0;
    }

    @Override
    public String toString() {
        Pretrainer.EpochRecord l = result.last();
        return String.format(Locale.ROOT, "PretrainRun[%d epoch(s)%s, valid loss %s, QA %s, %.1f s, %s]", history().size(),
                interrupted() ? " (interrupted)" : "", l == null || Double.isNaN(l.validLoss()) ? "-" : String.format(Locale.ROOT, "%.4f", l.validLoss()),
                l == null || Double.isNaN(l.validQa()) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * l.validQa()),
                result.trainSeconds(), output());
    }
}
