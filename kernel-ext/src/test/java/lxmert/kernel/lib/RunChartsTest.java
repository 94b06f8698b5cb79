package lxmert.kernel.lib;

import lxmert.kernel.RecordingSession;
import lxmert.kernel.progress.ProgressDisplay;
import lxmert.kernel.render.SeriesColors;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.Finetuner;
import lxmert.tasks.Task;
import lxmert.tasks.pretrain.PretrainOptions;
import lxmert.tasks.pretrain.Pretrainer;
import lxmert.train.Run;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.XAxisTicks;

import java.awt.Color;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The charts of finished runs: one colour per series (the live chart's too), tick labels rounded. */
class RunChartsTest {
    static TrainingRun run(double... valid) {
        List<Finetuner.EpochRecord> h = new java.util.ArrayList<>();
        for (int e = 0; e < valid.length; e++) h.add(new Finetuner.EpochRecord(e, 0.4 + 0.01 * e, valid[e], valid[0], 3.5 - e, 1.0));
        Path out = Path.of("out");
        return new TrainingRun(FinetuneOptions.defaults(Task.VQA, Path.of("data"), out),
                new Finetuner.Result(valid[0], valid.length, 1, 1, h, false, out, 0));
    }

    @Test
    void historyAndLiveChartsGiveTrainAndValidTheSameColours() {
        XYChart history = run(0.3, 0.35).chart();
        ProgressDisplay live = new ProgressDisplay(new RecordingSession(), "t", Duration.ofHours(1), System::nanoTime);
        live.onStart(2, 1);
        live.onBatch(0, 1, 1, 2.0, 10);
        live.onEpoch(0, 0.4, 0.3);
        XYChart liveAcc = live.accuracyChart();
        for (String s : List.of("train acc", "valid acc")) {
            assertEquals(liveAcc.getSeriesMap().get(s).getLineColor(), history.getSeriesMap().get(s).getLineColor(), s);
        }
        assertEquals(SeriesColors.LOSS, history.getSeriesMap().get("mean loss").getLineColor());
        assertEquals(SeriesColors.LOSS, live.chart().getSeriesMap().get("loss").getLineColor());
        assertNotEquals(history.getSeriesMap().get("train acc").getLineColor(), history.getSeriesMap().get("valid acc").getLineColor());
    }

    /** Two runs with the same accuracies to many decimals: two series in two colours, labels of at most one decimal. */
    @Test
    void comparedRunsHaveTheirOwnColoursAndRoundedTicks() {
        Map<String, TrainingRun> runs = new LinkedHashMap<>();
        runs.put("from BEST_EVAL_LOSS", run(38.0 / 105, 35.0 / 105));
        runs.put("from scratch", run(38.0 / 105, 35.0 / 105));
        XYChart c = TrainingRun.compareValid("VQA fine-tuning: valid accuracy", runs);
        assertEquals(List.of("from BEST_EVAL_LOSS", "from scratch"), List.copyOf(c.getSeriesMap().keySet()));
        assertArrayEquals(new double[]{100 * 38.0 / 105, 100 * 35.0 / 105}, c.getSeriesMap().get("from scratch").getYData(), 1e-9);
        assertNotEquals(c.getSeriesMap().get("from BEST_EVAL_LOSS").getLineColor(), c.getSeriesMap().get("from scratch").getLineColor());
        List<String> labels = XAxisTicks.yLabels(c, 0);
        assertFalse(labels.isEmpty());
        for (String l : labels) assertTrue(l.matches("-?\\d+(\\.\\d)?"), "rounded tick label: " + labels);
        for (String l : XAxisTicks.yLabels(run(38.0 / 105, 35.0 / 105).chart(), 0)) assertTrue(l.matches("-?\\d+(\\.\\d)?"), l);
    }

    @Test
    void theSixPretrainingLossesHaveSixColours() {
        List<Pretrainer.EpochRecord> h = List.of(
                new Pretrainer.EpochRecord(0, new double[]{20, 6, 0.7, 5, 4, 0.5, 3}, new double[]{19, 6, 0.69, 5, 4, 0.4, 3.1}, 0.3, 0.3, 1),
                new Pretrainer.EpochRecord(1, new double[]{18, 5.5, 0.7, 4.5, 3.5, 0.3, 2.9}, new double[]{17, 5.4, 0.69, 4.4, 3.5, 0.3, 2.8}, 0.35, 0.33, 1));
        PretrainRun run = new PretrainRun(PretrainOptions.defaults(Path.of("data"), Path.of("out")),
                new Run.Result<>(h, 17, false, 2, 10, 0, Path.of("out")));
        XYChart c = run.chart();
        assertEquals("pretraining losses (valid)", c.getTitle());
        Set<Color> colours = new HashSet<>();
        for (XYSeries s : c.getSeriesMap().values()) assertTrue(colours.add(s.getLineColor()), "its own colour: " + s.getName());
        assertEquals(6, colours.size());
        assertEquals(SeriesColors.task("Matched"), c.getSeriesMap().get("Matched").getLineColor());
        assertEquals(SeriesColors.task("QA"), c.getSeriesMap().get("QA").getLineColor());
    }

    @Test
    void compareTablePutsRunsSideBySideWithTheirDifferences() {
        Map<String, TrainingRun> runs = new LinkedHashMap<>();
        runs.put("pre", run(0.46, 0.48, 0.485));
        runs.put("scratch", run(0.42, 0.461));
        tech.tablesaw.api.Table t = TrainingRun.compare(runs);
        assertEquals(3, t.rowCount());
        assertEquals(List.of("epoch", "pre train_acc", "pre valid_acc", "pre mean_loss", "scratch train_acc", "scratch valid_acc",
                "scratch mean_loss", "difference train_acc", "difference valid_acc", "difference mean_loss"), t.columnNames());
        assertEquals(48.0, t.doubleColumn("pre valid_acc").get(1), 1e-9);
        assertEquals(4.0, t.doubleColumn("difference valid_acc").get(0), 1e-9);   // 46 - 42
        assertEquals(1.9, t.doubleColumn("difference valid_acc").get(1), 1e-9);   // 48 - 46.1
        assertTrue(t.doubleColumn("scratch valid_acc").isMissing(2));           // the shorter run has no third epoch
        assertEquals(0.0, t.doubleColumn("difference mean_loss").get(0), 1e-9);   // both 3.5 at epoch 1
    }
}
