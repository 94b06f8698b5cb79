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
 * the original computes them. Each row also holds the probability the model gave its answer (computed by the model:
 * the sigmoid of the answer's logit for the QA heads, whose BCE loss scores every answer on its own; the softmax
 * with the cross entropy of NLVR2 and of {@code --mce-loss}).
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

    /** The gold answers with their scores, highest first ("red 1, blue 0.3"); "" when unlabelled. */
    public static String goldAnswers(Tester.Row r) {
        if (r.label() == null || r.label().isEmpty()) return "";
        List<Map.Entry<String, Double>> l = new ArrayList<>(r.label().entrySet());
        l.sort(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Double> e : l) {
            if (b.length() > 0) b.append(", ");
            b.append(e.getKey()).append(' ').append(new java.text.DecimalFormat("0.##",
                    java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)).format(e.getValue()));
        }
        return b.toString();
    }

    /**
     * Every prediction: id, image, sentence, predicted answer, the probability the model gave it (sigmoid of its
     * logit for the QA heads trained with BCE, softmax with cross entropy and for NLVR2), its score, the gold
     * answers with their scores, question / answer type.
     */
    public Table table() {
        return table(rows(), task.id + " " + split + " predictions", true);
    }

    private static Table table(List<Tester.Row> rows, String name, boolean withScore) {
        StringColumn id = StringColumn.create("id");
        StringColumn img = StringColumn.create("img_id");
        StringColumn sent = StringColumn.create("sentence");
        StringColumn pred = StringColumn.create("predicted");
        DoubleColumn prob = DoubleColumn.create("probability");
        DoubleColumn score = DoubleColumn.create("score");
        StringColumn gold = StringColumn.create("gold (score)");
        StringColumn qt = StringColumn.create("question_type");
        StringColumn at = StringColumn.create("answer_type");
        for (Tester.Row r : rows) {
            id.append(r.id());
            img.append(r.imgId());
            sent.append(r.sent());
            pred.append(r.predicted());
            prob.append(Double.isNaN(r.probability()) ? Double.NaN : Math.round(r.probability() * 1000) / 1000.0);
            score.append(r.score());
            gold.append(goldAnswers(r));
            qt.append(orDash(r.questionType()));
            at.append(orDash(r.answerType()));
        }
        Table t = Table.create(name, id, img, sent, pred, prob);
        if (withScore) t.addColumns(score);
        return t.addColumns(gold, qt, at);
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
     * The {@code k} worst questions: the lowest score of the predicted answer first; among equally wrong ones those
     * whose gold answer was most certain (the clearest mistakes), the surest predictions first. With the probability
     * of each predicted answer and the gold answers with their scores; when every row shown has the same score (0:
     * all wrong) the score column is left out and the caption says it.
     */
    public Table worst(int k) {
        List<Tester.Row> sorted = new ArrayList<>(rows());
        sorted.sort(Comparator.comparingDouble(Tester.Row::score)
                .thenComparing(Comparator.comparingDouble(Predictions::goldScore).reversed())
                .thenComparing(Comparator.comparingDouble(Tester.Row::probability).reversed())
                .thenComparing(Tester.Row::id));
        List<Tester.Row> shown = sorted.subList(0, Math.min(k, sorted.size()));
        boolean oneScore = !shown.isEmpty() && shown.stream().allMatch(r -> r.score() == shown.get(0).score());
        String name = task.id + " " + split + ": worst " + k
                + (oneScore ? " (score " + new java.text.DecimalFormat("0.##", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT))
                .format(shown.get(0).score()) + " each)" : "");
        return table(shown, name, !oneScore);
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
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setYAxisDecimalPattern("0");
        List<String> names = new ArrayList<>(t.stringColumn(column).asList());
        c.getStyler().setXAxisLabelRotation(labelsFitFlat(names) ? 0 : 45);
        List<Double> values = new ArrayList<>(t.doubleColumn("accuracy").asList());
        if (names.isEmpty()) {
            names.add("-");
            values.add(0.0);
        }
        c.addSeries("accuracy", names, values);
        return c;
    }

    /**
     * Whether category labels fit side by side under a 640-pixel bar chart: about 80 characters in all with the gaps
     * (three answer types fit; dozens of question types do not and are rotated by 45 degrees).
     */
    static boolean labelsFitFlat(List<String> names) {
        return names.stream().mapToInt(n -> n.length() + 2).sum() <= 80;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Predictions[%s %s: %d, accuracy %s, file %s]", task.id, split, n(),
                Double.isNaN(accuracy()) ? "- (no labels)" : String.format(Locale.ROOT, "%.2f%%", 100 * accuracy()),
                file());
    }
}
