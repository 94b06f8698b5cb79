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

    @Test
    void questionAccuracyOnHandComputedCases() {
        // 3 x "2", 7 x "3": held-out "2" -> 2 matches -> 2/3; held-out "3" -> 3 matches -> 1; mean (3*2/3 + 7)/10
        assertEquals(0.9, VqaOfficialEval.questionAccuracy("two", answers(true, rep("2", 3, "3", 7))), 1e-12);
        // 1 x yes, 9 x no, predicting yes: 0 for the held-out yes, 1/3 for each held-out no
        assertEquals(0.3, VqaOfficialEval.questionAccuracy("yes", answers(true, rep("yes", 1, "no", 9))), 1e-12);
        assertEquals(1.0, VqaOfficialEval.questionAccuracy(" Yes\n", answers(true, rep("yes", 4, "no", 6))), 1e-12);
        // identical human answers are not normalised: "Yes!" never equals the normalised prediction "yes"
        assertEquals(0.0, VqaOfficialEval.questionAccuracy("yes", answers(true, rep("Yes!", 10, "", 0))), 1e-12);
        // differing human answers get punctuation processing only: "cat." matches "cat", "the cat" does not
        assertEquals(1.0, VqaOfficialEval.questionAccuracy("the cat", answers(true, "cat.", "cat.", "cat", "cat", "dog", "dog", "dog", "dog", "dog", "dog")), 1e-12);
        assertEquals(0.0, VqaOfficialEval.questionAccuracy("the cat", answers(true, rep("the cat", 4, "dog", 6))), 1e-12);
        // leave-one-out removes answers equal as whole objects: without answer_id all equal answers leave together
        assertEquals(0.7, VqaOfficialEval.questionAccuracy("x", answers(false, rep("x", 3, "b", 7))), 1e-12);
        assertEquals(0.0, VqaOfficialEval.questionAccuracy("a", answers(true, rep("a", 3, "b", 7))), 1e-12, "the article a normalises to empty");
        assertEquals(0.9, VqaOfficialEval.questionAccuracy("x", answers(true, rep("x", 3, "b", 7))), 1e-12);
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
        // q1: 1.0; q2: held-out "2" leaves one "3" -> 1/3, held-out "3" leaves none -> 0: 1/6
        assertEquals((1.0 + 1.0 / 6) / 2, VqaOfficialEval.accuracy(preds, anns), 1e-12);
        preds.put("3", "x");
        var e = assertThrows(IllegalArgumentException.class, () -> VqaOfficialEval.accuracy(preds, anns));
        assertTrue(e.getMessage().contains("3"));
        Files.writeString(f, "{\"annotations\": [{\"question_id\": 1}]}");
        var d = assertThrows(DataFormatException.class, () -> VqaOfficialEval.loadAnnotations(f));
        assertTrue(d.getMessage().contains("annotations[0]") && d.getMessage().contains("'answers'"), d.getMessage());
    }
}
