package lxmert.kernel.lib;

import lxmert.tasks.Task;
import lxmert.tasks.Tester;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.internal.chartpart.XAxisTicks;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The prediction tables and charts of a notebook: the worst questions with the model's probability and the gold answers. */
class PredictionsTest {
    static Tester.Row row(String id, String predicted, double score, double probability, String answerType, Map<String, Double> gold) {
        return new Tester.Row(id, "img" + id, "sentence " + id, predicted, score, probability, "what is", answerType, gold);
    }

    static Predictions predictions(List<Tester.Row> rows) {
        return new Predictions(Task.VQA, "minival", new Tester.Result(0.25, rows.size(), null, rows, rows.size(), List.of()));
    }

    static final List<Tester.Row> ROWS = List.of(
            row("1", "blue", 0, 0.9, "other", Map.of("red", 1.0, "blue", 0.0, "pink", 0.3)),
            row("2", "no", 0, 0.6, "yes/no", Map.of("yes", 1.0)),
            row("3", "2", 1, 0.8, "number", Map.of("2", 1.0)),
            row("4", "green", 0, 0.95, "other", Map.of("teal", 0.3)));

    @Test
    void worstRowsShowTheProbabilityAndTheGoldAnswersWithTheirScores() {
        Table w = predictions(ROWS).worst(3);
        // all wrong: the clearest mistakes (gold certain) first, the surest of those first; the one score in the caption
        assertEquals(List.of("1", "2", "4"), w.stringColumn("id").asList());
        assertFalse(w.columnNames().contains("score"), w.columnNames().toString());
        assertTrue(w.name().endsWith("worst 3 (score 0 each)"), w.name());
        assertEquals(List.of(0.9, 0.6, 0.95), w.doubleColumn("probability").asList());
        assertEquals("red 1, pink 0.3, blue 0", w.stringColumn("gold (score)").get(0));
        assertEquals("teal 0.3", w.stringColumn("gold (score)").get(2));
        Table all = predictions(ROWS).worst(4);
        assertTrue(all.columnNames().contains("score"), "scores differ: the column stays");
        assertEquals(List.of(0.0, 0.0, 0.0, 1.0), all.doubleColumn("score").asList());
    }

    @Test
    void theFullTableHasTheProbabilityToo() {
        Table t = predictions(ROWS).table();
        assertEquals(List.of(0.9, 0.6, 0.8, 0.95), t.doubleColumn("probability").asList());
        assertEquals(List.of(0.0, 0.0, 1.0, 0.0), t.doubleColumn("score").asList());
    }

    @Test
    void shortCategoryLabelsAreNotRotated() {
        CategoryChart byAnswer = predictions(ROWS).answerTypeChart();
        assertEquals(0, byAnswer.getStyler().getXAxisLabelRotation(), "three short answer types");
        assertEquals(List.of("number", "other", "yes/no").size(), XAxisTicks.xLabels(byAnswer).size());
        List<Tester.Row> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add(new Tester.Row("q" + i, "img", "s", "a", i % 2, 0.5, "what kind of thing number " + i, "other", Map.of("a", 1.0)));
        }
        assertEquals(45, predictions(many).questionTypeChart().getStyler().getXAxisLabelRotation(), "thirty long question types");
    }
}
