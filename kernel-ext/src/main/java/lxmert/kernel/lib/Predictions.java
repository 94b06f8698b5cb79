package lxmert.kernel.lib;

import lxmert.tasks.Task;
import lxmert.tasks.Tester;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The predictions of one split ({@link Tester.Result}) as Tablesaw tables: every row, accuracy by question type and
 * by answer type, the worst questions. Returned by {@code %lxmert test}; build one from plain Java with
 * {@code new Predictions(task, split, tester.test(...))}.
 *
 * <p>Accuracies are in percent of the score of the predicted answer (VQA soft score, GQA / NLVR2 exact match), as
 * the original computes them.
 */
public final class Predictions {
    private final Task task;
    private final String split;
    private final Tester.Result result;

    public Predictions(Task task, String split, Tester.Result result) {
        this.task = task;
        this.split = split;
        this.result = result;
    }

    public Task task() {
        return task;
    }

    public String split() {
        return split;
    }

    public Tester.Result result() {
        return result;
    }

    /** Accuracy in [0, 1]; NaN when the split has no labels. */
    public double accuracy() {
        return result.accuracy();
    }

    public int n() {
        return result.n();
    }

    /** The prediction / submission file written, or null. */
    public Path file() {
        return result.file();
    }

    public List<Tester.Row> rows() {
        return result.rows();
    }

    /** The gold answer with the highest score ("" when unlabelled). */
    public static String gold(Tester.Row r) {
        if (r.label() == null || r.label().isEmpty()) return "";
        return r.label().entrySet().stream().max(Map.Entry.<String, Double>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).get().getKey();
    }

    /** Every prediction: id, image, sentence, predicted, score, question / answer type, gold answer. */
    public Table table() {
        return table(rows(), task.id + " " + split + " predictions");
    }

    private static Table table(List<Tester.Row> rows, String name) {
        StringColumn id = StringColumn.create("id");
        StringColumn img = StringColumn.create("img_id");
        StringColumn sent = StringColumn.create("sentence");
        StringColumn pred = StringColumn.create("predicted");
        DoubleColumn score = DoubleColumn.create("score");
        StringColumn gold = StringColumn.create("gold");
        StringColumn qt = StringColumn.create("question_type");
        StringColumn at = StringColumn.create("answer_type");
        for (Tester.Row r : rows) {
            id.append(r.id());
            img.append(r.imgId());
            sent.append(r.sent());
            pred.append(r.predicted());
            score.append(r.score());
            gold.append(gold(r));
            qt.append(orDash(r.questionType()));
            at.append(orDash(r.answerType()));
        }
        return Table.create(name, id, img, sent, pred, score, gold, qt, at);
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** Count and accuracy (%) per question type, lowest accuracy first. */
    public Table byQuestionType() {
        return grouped("question_type", r -> orDash(r.questionType()));
    }

    /** Count and accuracy (%) per answer type, lowest accuracy first. */
    public Table byAnswerType() {
        return grouped("answer_type", r -> orDash(r.answerType()));
    }

    /** Count and accuracy (%) per predicted answer, most frequent first (how the model spreads its answers). */
    public Table byPredictedAnswer() {
        Table t = grouped("predicted", Tester.Row::predicted);
        return t.sortDescendingOn("n");
    }

    private Table grouped(String column, Function<Tester.Row, String> key) {
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (Tester.Row r : rows()) {
            double[] a = acc.computeIfAbsent(key.apply(r), k -> new double[2]);
            a[0]++;
            a[1] += r.score();
        }
        StringColumn k = StringColumn.create(column);
        IntColumn n = IntColumn.create("n");
        DoubleColumn a = DoubleColumn.create("accuracy");
        acc.forEach((name, v) -> {
            k.append(name);
            n.append((int) v[0]);
            a.append(Math.round(10000 * v[1] / v[0]) / 100.0);
        });
        return Table.create(task.id + " " + split + " by " + column, k, n, a).sortOn("accuracy", "-n");
    }

    /**
     * The {@code k} worst questions: the lowest score of the predicted answer first, and among equally wrong ones
     * those whose gold answer was most certain (the clearest mistakes).
     */
    public Table worst(int k) {
        List<Tester.Row> sorted = new ArrayList<>(rows());
        sorted.sort(Comparator.comparingDouble(Tester.Row::score)
                .thenComparing(Comparator.comparingDouble(Predictions::goldScore).reversed())
                .thenComparing(Tester.Row::id));
        return table(sorted.subList(0, Math.min(k, sorted.size())), task.id + " " + split + ": worst " + k);
    }

    private static double goldScore(Tester.Row r) {
        return r.label() == null ? 0 : r.label().values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** Accuracy (%) per answer type as a bar chart. */
    public CategoryChart answerTypeChart() {
        return barChart(byAnswerType(), "answer_type");
    }

    /** Accuracy (%) per question type as a bar chart. */
    public CategoryChart questionTypeChart() {
        return barChart(byQuestionType(), "question_type");
    }

    private CategoryChart barChart(Table t, String column) {
        CategoryChart c = new CategoryChartBuilder().width(640).height(360)
                .title(task.id + " " + split + ": accuracy by " + column.replace('_', ' '))
                .xAxisTitle(column.replace('_', ' ')).yAxisTitle("accuracy (%)").build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(100.0);
        c.getStyler().setXAxisLabelRotation(45);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        List<String> names = new ArrayList<>(t.stringColumn(column).asList());
        List<Double> values = new ArrayList<>(t.doubleColumn("accuracy").asList());
        if (names.isEmpty()) {
            names.add("-");
            values.add(0.0);
        }
        c.addSeries("accuracy", names, values);
        return c;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Predictions[%s %s: %d, accuracy %s, file %s]", task.id, split, n(),
                Double.isNaN(accuracy()) ? "- (no labels)" : String.format(Locale.ROOT, "%.2f%%", 100 * accuracy()),
                file());
    }
}
