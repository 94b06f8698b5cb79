package lxmert.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

class AnswerTableTest {
    @TempDir Path tmp;

    @Test
    void convertAnsFollowsTheOriginalSteps() {
        assertEquals("", AnswerTable.convertAns(""));
        assertEquals("man", AnswerTable.convertAns("A Man."));
        assertEquals("man", AnswerTable.convertAns("the man"));
        assertEquals("2", AnswerTable.convertAns("Two"));
        assertEquals("gray", AnswerTable.convertAns("grey."));
        assertEquals("apple", AnswerTable.convertAns("an apple"));
        assertEquals("man", AnswerTable.convertAns("a the man"), "'a ' then 'the ' are both stripped");
        assertEquals("the dog", AnswerTable.convertAns("the the dog"), "each prefix is stripped once");
        assertEquals("man", AnswerTable.convertAns("the the man"), "then ANS_CONVERT maps \"the man\"");
        assertEquals("10", AnswerTable.convertAns("the ten"));
        assertEquals("dog.", AnswerTable.convertAns("dog.."), "only one trailing period");
        assertEquals("", AnswerTable.convertAns("."));
    }

    @Test
    void loadsAndFiltersByDataset() throws Exception {
        Path f = tmp.resolve("all_ans.json");
        Files.writeString(f, "[{\"ans\": \"x\", \"dsets\": [\"vqa\"]}, {\"ans\": \"y\", \"dsets\": [\"gqa\", \"visual7w\"]}, {\"ans\": \"z\", \"dsets\": [\"visual7w\"]}]");
        AnswerTable all = AnswerTable.load(f, null);
        assertEquals(List.of("x", "y", "z"), all.answers());
        assertEquals(2, all.ans2id("z"));
        AnswerTable some = AnswerTable.load(f, List.of("vqa", "gqa"));
        assertEquals(List.of("x", "y"), some.answers());
        assertEquals(-1, some.ans2id("z"));
        Files.writeString(f, "[{\"ans\": \"x\", \"dsets\": []}, {\"dsets\": []}]");
        var e = assertThrows(DataFormatException.class, () -> AnswerTable.load(f, null));
        assertTrue(e.getMessage().contains("index 1") && e.getMessage().contains("'ans'"), e.getMessage());
    }

    @Test
    void taskAnswerTablesMustAgree() throws Exception {
        Files.writeString(tmp.resolve("trainval_ans2label.json"), "{\"a\": 0, \"b\": 1}");
        Files.writeString(tmp.resolve("trainval_label2ans.json"), "[\"a\", \"c\"]");
        var e = assertThrows(DataFormatException.class, () -> TaskAnswers.load(tmp));
        assertTrue(e.getMessage().contains("key 'b'") && e.getMessage().contains("'c'"), e.getMessage());
        Files.writeString(tmp.resolve("trainval_label2ans.json"), "[\"a\", \"b\"]");
        TaskAnswers t = TaskAnswers.load(tmp);
        assertEquals(1, t.label("b"));
        assertEquals(-1, t.label("zz"));
    }

    @Test
    void surgeryMatchesTheOriginalMapOnTheRealTables() throws Exception {
        Path dir = SharedFiles.require("reference/answers");
        AnswerTable table = AnswerTable.load(dir.resolve("lxmert_all_ans.json"), null);
        assertEquals(9500, table.size());
        JsonNode map = Json.read(dir.resolve("answer_head_surgery_map.json"));
        int width = 6;
        float[] w = new float[9500 * width], b = new float[9500];
        Random r = new Random(3);
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() + 0.01f; // no zeros, so copied rows are recognisable
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() + 0.01f;
        for (String[] task : new String[][]{{"vqa", "3124", "5"}, {"gqa", "1736", "106"}}) {
            TaskAnswers ans = TaskAnswers.load(dir.resolve(task[0] + "_trainval_ans2label.json"), dir.resolve(task[0] + "_trainval_label2ans.json"));
            AnswerHeadSurgery.Result res = AnswerHeadSurgery.apply(w, b, width, table, ans.label2ans());
            assertEquals(Integer.parseInt(task[1]), res.mapped(), task[0] + " mapped");
            assertEquals(Integer.parseInt(task[2]), res.zeroed(), task[0] + " zeroed");
            JsonNode expected = map.get(task[0]);
            assertEquals(expected.size(), res.rowMap().length);
            for (int l = 0; l < expected.size(); l++) {
                int src = expected.get(l).intValue();
                assertEquals(src, res.rowMap()[l], task[0] + " label " + l + " '" + ans.answer(l) + "'");
                for (int k = 0; k < width; k++) {
                    assertEquals(src < 0 ? 0f : w[src * width + k], res.weight()[l * width + k]);
                }
                assertEquals(src < 0 ? 0f : b[src], res.bias()[l]);
            }
        }
    }

    @Test
    void surgeryChecksShapes() {
        AnswerTable t = AnswerTable.of(List.of("a", "b"));
        var e = assertThrows(IllegalArgumentException.class, () -> AnswerHeadSurgery.apply(new float[5], new float[2], 3, t, List.of("a")));
        assertTrue(e.getMessage().contains("2 x 3"), e.getMessage());
        AnswerHeadSurgery.Result r = AnswerHeadSurgery.apply(new float[]{1, 2, 3, 4}, new float[]{5, 6}, 2, t, List.of("B.", "c", "A"));
        assertArrayEquals(new float[]{3, 4, 0, 0, 1, 2}, r.weight());
        assertArrayEquals(new float[]{6, 0, 5}, r.bias());
        assertEquals(2, r.mapped());
        assertEquals(1, r.zeroed());
    }
}
