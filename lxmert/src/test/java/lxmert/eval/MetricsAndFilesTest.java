package lxmert.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lxmert.data.DataFormatException;

class MetricsAndFilesTest {
    @TempDir Path tmp;

    @Test
    void softScoreIsTheMeanLabelScoreOfThePrediction() {
        Map<String, Map<String, Double>> labels = Map.of("1", Map.of("yes", 1.0, "no", 0.3), "2", Map.of("2", 0.9), "3", Map.of());
        Map<String, String> preds = new LinkedHashMap<>();
        preds.put("1", "no");
        preds.put("2", "2");
        preds.put("3", "x");
        assertEquals((0.3 + 0.9 + 0) / 3, SoftScore.accuracy(preds, labels), 1e-15);
        preds.put("4", "yes");
        var e = assertThrows(IllegalArgumentException.class, () -> SoftScore.accuracy(preds, labels));
        assertTrue(e.getMessage().contains("4"));
    }

    @Test
    void nlvr2AccuracyAndConsistency() {
        assertEquals("dev-850-*-0", Nlvr2Eval.sentenceKey("dev-850-0-0"));
        Map<String, Boolean> labels = new LinkedHashMap<>(), preds = new LinkedHashMap<>();
        String[][] rows = {{"dev-1-0-0", "true", "true"}, {"dev-1-1-0", "false", "true"}, {"dev-2-0-0", "true", "true"},
                {"dev-2-0-1", "false", "false"}, {"dev-3-0-0", "true", "true"}, {"dev-3-1-0", "false", "false"}};
        for (String[] r : rows) {
            labels.put(r[0], Boolean.parseBoolean(r[1]));
            preds.put(r[0], Boolean.parseBoolean(r[2]));
        }
        assertEquals(5.0 / 6, Nlvr2Eval.accuracy(preds, labels), 1e-15);
        // sentences dev-1-*-0 (one pair wrong), dev-2-*-0, dev-2-*-1, dev-3-*-0 -> 3 of 4 consistent
        assertEquals(0.75, Nlvr2Eval.consistency(preds, labels), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Nlvr2Eval.sentenceKey("bad-id"));
    }

    @Test
    void writersAreByteCompatibleWithTheOriginal() throws Exception {
        Map<String, String> vqa = new LinkedHashMap<>();
        vqa.put("458752000", "yes");
        vqa.put("20", "caf\u00e9");
        Path v = tmp.resolve("vqa.json");
        PredictionFiles.writeVqa(v, vqa);
        assertEquals("[\n    {\n        \"answer\": \"yes\",\n        \"question_id\": 458752000\n    },\n"
                + "    {\n        \"answer\": \"caf\\u00e9\",\n        \"question_id\": 20\n    }\n]", Files.readString(v));
        assertEquals(vqa, PredictionFiles.readVqa(v));
        Map<String, String> gqa = new LinkedHashMap<>();
        gqa.put("07333408", "left");
        Path g = tmp.resolve("gqa.json");
        PredictionFiles.writeGqa(g, gqa);
        assertEquals("[\n    {\n        \"prediction\": \"left\",\n        \"questionId\": \"07333408\"\n    }\n]", Files.readString(g));
        assertEquals(gqa, PredictionFiles.readGqa(g));
        Map<String, Boolean> nl = new LinkedHashMap<>();
        nl.put("test1-0-1-0", true);
        nl.put("test1-0-0-0", false);
        Path n = tmp.resolve("nlvr2.csv");
        PredictionFiles.writeNlvr2(n, nl);
        assertEquals("test1-0-1-0,True\ntest1-0-0-0,False\n", Files.readString(n));
        assertEquals(nl, PredictionFiles.readNlvr2(n));
    }

    @Test
    void readersNameTheBadEntry() throws Exception {
        Path v = tmp.resolve("v.json");
        Files.writeString(v, "[{\"question_id\": 1, \"answer\": \"a\"}, {\"question_id\": \"2\", \"answer\": \"b\"}]");
        var e = assertThrows(DataFormatException.class, () -> PredictionFiles.readVqa(v));
        assertTrue(e.getMessage().contains("index 1") && e.getMessage().contains("question_id") && e.getMessage().contains("integer"), e.getMessage());
        Files.writeString(v, "[{\"questionId\": \"1\"}]");
        e = assertThrows(DataFormatException.class, () -> PredictionFiles.readGqa(v));
        assertTrue(e.getMessage().contains("index 0") && e.getMessage().contains("'prediction'"), e.getMessage());
        Path n = tmp.resolve("n.csv");
        Files.writeString(n, "a-1-0-0,True\na-1-1-0,yes\n");
        e = assertThrows(DataFormatException.class, () -> PredictionFiles.readNlvr2(n));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("a-1-1-0,yes"), e.getMessage());
    }
}
