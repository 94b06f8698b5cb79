package lxmert.kernel.progress;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import lxmert.kernel.NotebookSession;
import lxmert.kernel.render.ChartRenderer;
import lxmert.kernel.render.SeriesColors;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One training cell's live output: an HTML progress bar (epoch, step, loss, accuracy, examples/s, ETA) and one
 * image of two charts over the same epochs, the loss per batch (log scale) above the accuracy per epoch (%), each
 * shown once and then updated in place through its display id.
 *
 * <p>Updates are throttled: at most one per {@code minInterval} (0.5 s by default) for batches; the first event,
 * every epoch end and {@link #finish()} always update, so the saved notebook holds the final state.
 */
public final class ProgressDisplay implements TrainingProgress {
    /** Default minimum time between two updates of the displays. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);

    private final NotebookSession session;
    private final LongSupplier nanoClock;
    private final long minIntervalNanos;
    private final String title;

    private int epochs;
    private int epoch;
    private int step;
    private int totalSteps;
    private double loss = Double.NaN;
    private double examplesPerSec = Double.NaN;
    private double trainAcc = Double.NaN;
    private double validAcc = Double.NaN;
    private long startNanos = -1;
    private long stepsDone;
    private boolean finished;
    private final List<Double> lossX = new ArrayList<>();
    private final List<Double> lossY = new ArrayList<>();
    private final List<Double> accX = new ArrayList<>();
    private final List<Double> trainAccY = new ArrayList<>();
    private final List<Double> validAccY = new ArrayList<>();

    /** Named loss parts per log interval (pretraining's six losses): when present, the chart shows them. */
    private final java.util.Map<String, List<Double>> partY = new java.util.LinkedHashMap<>();
    private final List<Double> partX = new ArrayList<>();

    private String barId;
    private String chartId;
    private long lastUpdateNanos;
    private int updates;

    /** A display for {@code session} with the default throttle and the system clock. */
    public ProgressDisplay(NotebookSession session, String title) {
        this(session, title, DEFAULT_INTERVAL, System::nanoTime);
    }

    /** A display with an explicit throttle interval and clock (nanoseconds). */
    public ProgressDisplay(NotebookSession session, String title, Duration minInterval, LongSupplier nanoClock) {
        this.session = session;
        this.title = title == null ? "training" : title;
        this.minIntervalNanos = minInterval.toNanos();
        this.nanoClock = nanoClock;
    }

    @Override
    public synchronized void onStart(int epochs, int stepsPerEpoch) {
        this.epochs = epochs;
        this.totalSteps = stepsPerEpoch;
        start();
        update(true);
    }

    @Override
    public synchronized void onBatch(int epoch, int step, int totalSteps, double loss, double examplesPerSec) {
        start();
        this.epoch = epoch;
        this.step = step;
        this.totalSteps = totalSteps;
        this.loss = loss;
        this.examplesPerSec = examplesPerSec;
        this.stepsDone++;
        // the middle of the batch's share of the epoch (step is 1-based): see chart() for why not its end
        // (one batch per epoch: its end, a whole number, keeps the x values off an equally spaced half-epoch grid)
        lossX.add(epoch + (totalSteps == 1 ? 1.0 : totalSteps > 0 ? (step - 0.5) / totalSteps : 0));
        lossY.add(loss);
        update(barId == null);
    }

    @Override
    public synchronized void onLosses(java.util.Map<String, Double> means) {
        double x = lossX.isEmpty() ? 0 : lossX.get(lossX.size() - 1);
        partX.add(x);
        for (java.util.Map.Entry<String, Double> e : means.entrySet()) {
            if (e.getKey().equals("loss")) continue;
            List<Double> ys = partY.computeIfAbsent(e.getKey(), k -> {
                List<Double> l = new ArrayList<>();
                for (int i = 0; i < partX.size() - 1; i++) l.add(Double.NaN);
                return l;
            });
            ys.add(e.getValue());
        }
        update(false);
    }

    @Override
    public synchronized void onEpoch(int epoch, double trainAcc, double validAcc) {
        start();
        this.epoch = epoch;
        this.trainAcc = trainAcc;
        this.validAcc = validAcc;
        accX.add(epoch + 1.0);
        trainAccY.add(100 * trainAcc); // in percent, as the history chart and table
        validAccY.add(100 * validAcc);
        update(true);
    }

    @Override
    public synchronized void finish() {
        if (finished) return;
        finished = true;
        update(true);
    }

    /** How many times the displays were published or updated (for tests and diagnostics). */
    public synchronized int updates() {
        return updates;
    }

    private void start() {
        if (startNanos < 0) startNanos = nanoClock.getAsLong();
    }

    private void update(boolean force) {
        long now = nanoClock.getAsLong();
        if (!force && now - lastUpdateNanos < minIntervalNanos) return;
        lastUpdateNanos = now;
        updates++;
        DisplayData bar = new DisplayData();
        bar.putHTML(html(now));
        bar.putText(text(now));
        DisplayData chart = chartData();
        if (barId == null) {
            barId = session.publishDisplay(bar);
            chartId = session.publishDisplay(chart);
        } else {
            session.publishUpdate(barId, bar);
            session.publishUpdate(chartId, chart);
        }
    }

    /** Fraction of all training done, in [0, 1] (NaN when the totals are unknown). */
    synchronized double fractionDone() {
        if (finished && epochs > 0 && totalSteps > 0 && stepsDone >= (long) epochs * totalSteps) return 1;
        if (totalSteps <= 0) return Double.NaN;
        int e = Math.max(epochs, epoch + 1);
        return Math.min(1, (epoch + (double) step / totalSteps) / e);
    }

    /** Estimated time left, from the mean time per batch so far; null when unknown. */
    synchronized Duration eta(long now) {
        if (finished || stepsDone == 0 || totalSteps <= 0 || epochs <= 0) return null;
        long remaining = (long) (epochs - epoch - 1) * totalSteps + (totalSteps - step);
        if (remaining < 0) return null;
        double perStep = (double) (now - startNanos) / stepsDone;
        return Duration.ofNanos((long) (perStep * remaining));
    }

    /** The progress bar as HTML. */
    public synchronized String html() {
        return html(nanoClock.getAsLong());
    }

    private String html(long now) {
        double f = fractionDone();
        String pct = Double.isNaN(f) ? "0" : String.format(Locale.ROOT, "%.1f", 100 * f);
        String color = finished ? "#2e7d32" : "#1976d2";
        return "<div class=\"lxmert-progress\" style=\"font-family:monospace;max-width:640px\">"
                + "<div><b>" + escape(title) + "</b> " + escape(position()) + (finished ? " &mdash; done" : "") + "</div>"
                + "<div style=\"background:#e0e0e0;height:14px;border-radius:3px;overflow:hidden\">"
                + "<div style=\"background:" + color + ";height:14px;width:" + pct + "%\"></div></div>"
                + "<div>" + escape(metrics(now)) + "</div></div>";
    }

    /** The progress as one line of text (the text/plain fallback). */
    public synchronized String text() {
        return text(nanoClock.getAsLong());
    }

    private String text(long now) {
        return title + " " + position() + (finished ? " (done)" : "") + " | " + metrics(now);
    }

    private String position() {
        String ep = "epoch " + (epoch + 1) + (epochs > 0 ? "/" + epochs : "");
        String st = "step " + step + (totalSteps > 0 ? "/" + totalSteps : "");
        return ep + " · " + st;
    }

    private String metrics(long now) {
        List<String> parts = new ArrayList<>();
        parts.add("loss " + num(loss, "%.4f"));
        parts.add("train acc " + pct(trainAcc));
        parts.add("valid acc " + pct(validAcc));
        parts.add(num(examplesPerSec, "%.1f") + " ex/s");
        Duration eta = eta(now);
        parts.add(finished ? "elapsed " + hms(Duration.ofNanos(now - Math.max(startNanos, 0)))
                : "ETA " + (eta == null ? "?" : hms(eta)));
        return String.join(" · ", parts);
    }

    /**
     * The live loss chart: the loss of every logged batch (pretraining: each task's loss, their sum omitted) on a
     * logarithmic axis fitted to the data. Logarithmic because the loss falls by an order of magnitude in the first
     * batches (VQA's BCE summed over the answers starts near 19 and settles near 2-4) and the pretraining losses
     * differ by as much: on a linear axis the first points flattened the rest of the curve. No point is dropped
     * (skipping the "first partial interval" would not help: each point is one batch, and the fall spans many);
     * a loss of 0 (a disabled pretraining task) cannot be drawn on a log axis and is left out.
     */
    public synchronized XYChart chart() {
        XYChart c = epochChart(title, "loss (log scale)", 260);
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("0.###");
        if (!partY.isEmpty()) {
            partY.forEach((k, ys) -> addSeries(c, k, partX.subList(0, ys.size()), ys, taskColor(k), false, true));
        } else {
            addSeries(c, "loss", lossX, lossY, SeriesColors.LOSS, false, true);
        }
        java.util.DoubleSummaryStatistics drawn = c.getSeriesMap().values().stream()
                .flatMapToDouble(s -> java.util.Arrays.stream(s.getYData())).summaryStatistics();
        // within about a decade (fine-tuning) 2, 3, ... 9 are labelled too; wider (the pretraining losses span
        // 0.05 to 10) only the powers of ten, whose labels would otherwise overlap
        c.getStyler().setYAxisLogarithmicDecadeOnly(drawn.getCount() > 0 && drawn.getMax() / drawn.getMin() > 20);
        // the invisible epoch boundaries (see epochChart) at a height inside the data, so that the axis fits the data
        double y0 = drawn.getCount() > 0 ? drawn.getMax() : 1.0;
        if (c.getSeriesMap().isEmpty()) {
            XYSeries s = c.addSeries("loss", new double[]{0}, new double[]{y0});
            s.setMarker(SeriesMarkers.NONE);
            s.setShowInLegend(false);
        }
        boundaries(c, y0);
        return c;
    }

    /** The live accuracy chart: train and valid accuracy (%) after each epoch. */
    public synchronized XYChart accuracyChart() {
        XYChart c = epochChart(null, "accuracy (%)", 200);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(100.0);
        c.getStyler().setYAxisDecimalPattern("0");
        addSeries(c, "train acc", accX, trainAccY, SeriesColors.TRAIN, true, false);
        addSeries(c, "valid acc", accX, validAccY, SeriesColors.VALID, true, false);
        boundaries(c, 0);
        return c;
    }

    /** The last epoch the x axes show: the planned epochs, or as far as the data goes. */
    private int maxEpoch() {
        double lastX = lossX.isEmpty() ? 0 : lossX.get(lossX.size() - 1);
        return Math.max(1, Math.max(epochs, (int) Math.ceil(Math.max(lastX, accX.isEmpty() ? 0 : accX.get(accX.size() - 1)))));
    }

    /** A chart over epochs 0..maxEpoch, labelled as whole numbers at their true positions, legend below. */
    private XYChart epochChart(String chartTitle, String yTitle, int height) {
        XYChart c = new XYChartBuilder().width(640).height(height).title(chartTitle == null ? "" : chartTitle)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        // Epochs labelled as whole numbers at their true positions. XChart puts the ticks of an XY chart on the data's
        // x values when those are equally spaced (batch ends at epoch + k/steps gave 0, 0.34, 0.67, ... and, with an
        // integer pattern, labels rounded away from their positions). Batch midpoints plus the invisible epoch
        // boundaries 0..E are never equally spaced, so the ticks come from XChart's grid at whole-number steps.
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisMax((double) maxEpoch());
        return c;
    }

    /** The invisible epoch boundaries 0..maxEpoch at height {@code y} (not in the legend). */
    private void boundaries(XYChart c, double y) {
        int maxEpoch = maxEpoch();
        double[] bx = new double[maxEpoch + 1];
        double[] by = new double[maxEpoch + 1];
        for (int e = 0; e <= maxEpoch; e++) {
            bx[e] = e;
            by[e] = y;
        }
        XYSeries b = c.addSeries("epoch boundaries", bx, by);
        b.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        b.setMarker(SeriesMarkers.NONE);
        b.setShowInLegend(false);
    }

    private static java.awt.Color taskColor(String name) {
        java.awt.Color c = SeriesColors.task(name);
        return c != null ? c : SeriesColors.other(Math.abs(name.hashCode()));
    }

    private static void addSeries(XYChart c, String name, List<Double> xs, List<Double> ys, java.awt.Color color,
                                  boolean markers, boolean positiveOnly) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            double v = ys.get(i);
            if (Double.isFinite(v) && (!positiveOnly || v > 0)) {
                x.add(xs.get(i));
                y.add(v);
            }
        }
        if (x.isEmpty()) return;
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        SeriesColors.paint(s, color);
    }

    /** The chart display's data as published (for tests). */
    synchronized DisplayData chartDataForTest() {
        return chartData();
    }

    private DisplayData chartData() {
        DisplayData d = new DisplayData();
        d.putData("image/png", ChartRenderer.pngBase64(List.of(chart(), accuracyChart())));
        d.putText((partY.isEmpty() ? "loss/accuracy chart: " : "per-task loss chart (" + String.join(", ", partY.keySet()) + "): ")
                + lossY.size() + " batches, " + accX.size() + " epochs");
        return d;
    }

    private static String num(double v, String fmt) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, fmt, v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    static String hms(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
