package lxmert.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lxmert.data.DataFormatException;

class VqaOfficialEvalTest {
    private static final ObjectMapper OM = new ObjectMapper();
    @TempDir Path tmp;

    @Test
    void punctuation() {
        assertEquals("yes ", VqaOfficialEval.processPunctuation("yes!"), "'!' not next to a space -> replaced by a space");
        assertEquals("hello  world", VqaOfficialEval.processPunctuation("hello - world"), "' -' present -> '-' removed");
        assertEquals("1000", VqaOfficialEval.processPunctuation("1,000"), "digit,digit -> every punctuation removed");
        assertEquals("a b", VqaOfficialEval.processPunctuation("a,b"));
        assertEquals("end", VqaOfficialEval.processPunctuation("end."));
        assertEquals("3.5", VqaOfficialEval.processPunctuation("3.5"), "a period before a digit stays");
        assertEquals("x.5", VqaOfficialEval.processPunctuation("x.5."));
        assertEquals("don't", VqaOfficialEval.processPunctuation("don't"), "apostrophe is not in the list");
        assertEquals(".".repeat(8), VqaOfficialEval.processPunctuation(".".repeat(40)), "re.UNICODE passed as count: at most 32");
        assertEquals("a b c", VqaOfficialEval.processPunctuation("a/b\\c").replace("  ", " "));
    }

    @Test
    void digitsArticlesContractions() {
        assertEquals("2 dogs", VqaOfficialEval.processDigitArticle("Two Dogs"));
        assertEquals("cat", VqaOfficialEval.processDigitArticle("the cat"));
        assertEquals("apple", VqaOfficialEval.processDigitArticle("an apple"));
        assertEquals("0", VqaOfficialEval.processDigitArticle("none"));
        assertEquals("don't", VqaOfficialEval.processDigitArticle("dont"));
        assertEquals("im", VqaOfficialEval.processDigitArticle("Im"), "lower-cased first, so the 'Im' key never matches");
        assertEquals("lots of space", VqaOfficialEval.processDigitArticle("  lots \t of   space "));
        assertEquals("10 o'clock", VqaOfficialEval.processDigitArticle("ten oclock"));
    }

    private static List<JsonNode> answers(boolean withIds, String... as) {
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < as.length; i++) {
            ObjectNode n = OM.createObjectNode();
            n.put("answer", as[i]);
            if (withIds) { n.put("answer_confidence", "yes"); n.put("answer_id", i + 1); }
            out.add(n);
        }
        return out;
    }

    private static String[] rep(String a, int n, String b, int m) {
        String[] out = new String[n + m];
        for (int i = 0; i < n + m; i++) out[i] = i < n ? a : b;
        return out;
    }

    private static void both(double current, double old, String predicted, List<JsonNode> humans, String why) {
        assertEquals(current, VqaOfficialEval.questionAccuracy(VqaOfficialEval.Version.V2021_03_11, predicted, humans), 1e-12,
                "2021-03-11: " + why);
        assertEquals(old, VqaOfficialEval.questionAccuracy(VqaOfficialEval.Version.V2017, predicted, humans), 1e-12,
                "2017: " + why);
        assertEquals(current, VqaOfficialEval.questionAccuracy(predicted, humans), 1e-12, "the default is 2021-03-11: " + why);
    }

    @Test
    void currentAndOldScriptOnHandComputedCases() {
        // unanimous answers: the current script normalises nothing; the old one normalised the prediction ("two" -> "2")
        both(1.0, 0.0, "two", answers(true, rep("two", 10, "", 0)), "ten x 'two', predicted 'two'");
        both(0.0, 1.0, "dont know", answers(true, rep("don't know", 10, "", 0)), "ten x \"don't know\", predicted 'dont know'");
        both(0.0, 0.0, "yes", answers(true, rep("Yes!", 10, "", 0)), "unanimous 'Yes!' is never normalised");
        // differing answers: the current script normalises them fully (articles dropped), the old one punctuation only
        both(1.0, 0.0, "dog", answers(true, rep("the dog", 6, "a dog", 4)), "'the dog' x6 + 'a dog' x4, predicted 'dog'");
        both(1.0, 0.0, "the cat", answers(true, rep("the cat", 4, "dog", 6)), "'the cat' x4 normalises to 'cat' as the prediction");
        // 3 x "a" -> "" (article) as the prediction "a" -> "": held-out "a" leaves 2 -> 2/3, held-out "b" leaves 3 -> 1
        both(0.9, 0.0, "a", answers(true, rep("a", 3, "b", 7)), "the article a normalises to empty on both sides");
        // both scripts alike
        // 3 x "2", 7 x "3": held-out "2" -> 2 matches -> 2/3; held-out "3" -> 3 matches -> 1; mean (3*2/3 + 7)/10
        both(0.9, 0.9, "two", answers(true, rep("2", 3, "3", 7)), "number word against digits");
        // 1 x yes, 9 x no, predicting yes: 0 for the held-out yes, 1/3 for each held-out no
        both(0.3, 0.3, "yes", answers(true, rep("yes", 1, "no", 9)), "one match");
        both(1.0, 1.0, " Yes\n", answers(true, rep("yes", 4, "no", 6)), "prediction stripped and lower-cased");
        both(1.0, 1.0, "the cat", answers(true, "cat.", "cat.", "cat", "cat", "dog", "dog", "dog", "dog", "dog", "dog"), "'cat.' matches 'cat'");
        // leave-one-out removes answers equal as whole objects: without answer_id all equal answers leave together
        both(0.7, 0.7, "x", answers(false, rep("x", 3, "b", 7)), "no answer_id");
        both(0.9, 0.9, "x", answers(true, rep("x", 3, "b", 7)), "with answer_id");
    }

    /** Answer-specific leave-one-out: the mean over the ten subsets of nine of min(1, matches / 3). */
    @Test
    void leaveOneOutOverTheTenSubsets() {
        for (int k = 0; k <= 10; k++) {
            // k answers "x", 10 - k answers "y": a held-out "x" leaves k - 1 matches, a held-out "y" leaves k
            double expected = (k * Math.min(1.0, (k - 1) / 3.0) + (10 - k) * Math.min(1.0, k / 3.0)) / 10;
            if (k == 0) expected = 0;
            double got = VqaOfficialEval.questionAccuracy("x", answers(true, rep("x", k, "y", 10 - k)));
            assertEquals(expected, got, 1e-12, k + " of 10 humans answered x");
        }
        // hand values: 1 -> 0.3, 2 -> 0.6 (2 x 1/3 + 8 x 2/3 = 6 -> 0.6), 3 -> 0.9, 4 -> 1
        assertEquals(0.6, VqaOfficialEval.questionAccuracy("x", answers(true, rep("x", 2, "y", 8))), 1e-12);
        assertEquals(1.0, VqaOfficialEval.questionAccuracy("x", answers(true, rep("x", 4, "y", 6))), 1e-12);
    }

    @Test
    void versionNames() {
        assertEquals(VqaOfficialEval.Version.V2021_03_11, VqaOfficialEval.Version.parse("2021-03-11"));
        assertEquals(VqaOfficialEval.Version.V2017, VqaOfficialEval.Version.parse("2017"));
        assertEquals(VqaOfficialEval.Version.V2021_03_11, VqaOfficialEval.DEFAULT);
        var e = assertThrows(IllegalArgumentException.class, () -> VqaOfficialEval.Version.parse("2019"));
        assertTrue(e.getMessage().contains("--vqa-eval-version") && e.getMessage().contains("2019"), e.getMessage());
    }

    @Test
    void annotationFileAndOverallAccuracy() throws Exception {
        Path f = tmp.resolve("ann.json");
        Files.writeString(f, "{\"annotations\": [{\"question_id\": 1, \"answers\": ["
                + String.join(",", java.util.stream.IntStream.range(0, 10).mapToObj(i -> "{\"answer\": \"yes\", \"answer_id\": " + i + "}").toList()) + "]},"
                + "{\"question_id\": 2, \"answers\": [{\"answer\": \"2\", \"answer_id\": 1}, {\"answer\": \"3\", \"answer_id\": 2}]}]}");
        Map<String, List<JsonNode>> anns = VqaOfficialEval.loadAnnotations(f);
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("1", "Yes");
        preds.put("2", "3");
        // q1: ten "yes", predicted "Yes": unanimous answers are not normalised by the current script -> 0, the old one
        // lower-cased the prediction -> 1; q2: held-out "2" leaves one "3" -> 1/3, held-out "3" leaves none -> 0: 1/6
        assertEquals((0.0 + 1.0 / 6) / 2, VqaOfficialEval.accuracy(preds, anns), 1e-12);
        assertEquals((1.0 + 1.0 / 6) / 2, VqaOfficialEval.accuracy(VqaOfficialEval.Version.V2017, preds, anns), 1e-12);
        preds.put("3", "x");
        var e = assertThrows(IllegalArgumentException.class, () -> VqaOfficialEval.accuracy(preds, anns));
        assertTrue(e.getMessage().contains("3"));
        Files.writeString(f, "{\"annotations\": [{\"question_id\": 1}]}");
        var d = assertThrows(DataFormatException.class, () -> VqaOfficialEval.loadAnnotations(f));
        assertTrue(d.getMessage().contains("annotations[0]") && d.getMessage().contains("'answers'"), d.getMessage());
    }
}
