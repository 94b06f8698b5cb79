package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lxmert.data.DataOptions;
import lxmert.text.Vocab;

/**
 * The packed corpus and the batcher on a hand-made world: images with 2, 5, 3 and 1 boxes, labelled and unlabelled
 * sentences, answers that need convertAns, answers outside the --qa-sets filter, a record without features.
 */
class PretrainBatcherTest {
    @TempDir static Path root;
    static final int[] BOXES = {2, 5, 3, 1};
    static final List<String> IDS = List.of("COCO_0", "COCO_1", "COCO_2", "COCO_3");
    static Vocab vocab;

    @BeforeAll
    static void world() throws Exception {
        writeWorld(root);
        vocab = MiniWorld.vocab(4);
    }

    static void writeWorld(Path root) throws Exception {
        MiniWorld.tsv(root, "mscoco_imgfeat/train2014_obj36.tsv", IDS, new int[] {0, 1, 2, 3}, BOXES);
        MiniWorld.allAns(root, List.of(
                Map.of("ans", "red", "dsets", List.of("vqa")), Map.of("ans", "blue", "dsets", List.of("vqa", "gqa")),
                Map.of("ans", "green", "dsets", List.of("gqa")), Map.of("ans", "cat", "dsets", List.of("gqa"))));
        MiniWorld.json(root.resolve("lxmert/mscoco_train.json"), List.of(
                rec("COCO_0", Map.of("mscoco", List.of("img0 a b", "img0 c")), Map.of()),
                rec("COCO_0", ordered("vqa", List.of("img0 d?")),
                        Map.of("vqa", List.of(ordered3("Red.", 0.3, "blue", 0.6, "green", 0.1)))),
                rec("COCO_1", Map.of("mscoco", List.of("img1 a", "img1 b c d e f g a b c d e f g a b c d e f g")), Map.of()),
                rec("COCO_9", Map.of("mscoco", List.of("img0 no features")), Map.of()),
                rec("COCO_2", Map.of("vqa", List.of("img2 e")), Map.of("vqa", List.of(Map.of("yellow", 1.0)))),
                rec("COCO_3", Map.of("gqa", List.of("img3 f", "img3 g")),
                        Map.of("gqa", List.of(Map.of("the cat", 0.5), Map.of("green", 1.0))))));
    }

    static Map<String, Object> rec(String img, Map<String, ?> sentf, Map<String, ?> labelf) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("img_id", img);
        m.put("sentf", sentf);
        m.put("labelf", labelf);
        return m;
    }

    static Map<String, Object> ordered(String k, Object v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k, v);
        return m;
    }

    static Map<String, Double> ordered3(String a, double x, String b, double y, String c, double z) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(a, x);
        m.put(b, y);
        m.put(c, z);
        return m;
    }

    static PretrainCorpus load(List<String> qaSets) throws Exception {
        return PretrainCorpus.load(DataOptions.of(root), "mscoco_train", qaSets, -1, MiniWorld.tokenizer(4), 20);
    }

    static int find(PretrainCorpus c, String uid) {
        for (int i = 0; i < c.size(); i++) if (c.uid(i).equals(uid)) return i;
        throw new AssertionError("no example " + uid);
    }

    @Test
    void corpusKeepsTheOriginalsExamplesAndLabels() throws Exception {
        try (PretrainCorpus c = load(null)) {
            assertEquals(6, c.records());
            assertEquals(1, c.droppedRecords(), "COCO_9 has no features");
            assertEquals(List.of("COCO_0_mscoco_000", "COCO_0_mscoco_001", "COCO_0_vqa_000", "COCO_1_mscoco_000", "COCO_1_mscoco_001",
                    "COCO_2_vqa_000", "COCO_3_gqa_000", "COCO_3_gqa_001"), java.util.stream.IntStream.range(0, c.size()).mapToObj(c::uid).toList());
            int[] t = new int[32];
            int n = c.tokens(0, t);
            assertArrayEquals(new int[] {vocab.id("img0"), vocab.id("a"), vocab.id("b")}, java.util.Arrays.copyOf(t, n));
            assertEquals(18, c.numTokens(4), "truncated to max_seq_length - 2");
            int q = find(c, "COCO_0_vqa_000");
            assertTrue(c.labelled(q));
            assertEquals(3, c.numAnswers(q), "'Red.' converted to 'red'");
            assertEquals(0.3, c.scoreOf(q, c.answerTable().ans2id("red")), 1e-6);
            assertFalse(c.labelled(0), "captions have no label");
            int y = find(c, "COCO_2_vqa_000");
            assertTrue(c.labelled(y));
            assertEquals(0, c.numAnswers(y), "'yellow' is not in all_ans.json");
            assertEquals(c.answerTable().ans2id("cat"), c.answer(find(c, "COCO_3_gqa_000"), 0), "'the cat' -> 'cat'");
            assertEquals(5, c.maxBoxes());
        }
        assertEquals(List.of("vqa", "gqa"), PretrainCorpus.parseQaSets(" VQA, gqa"));
        try (PretrainCorpus c = load(PretrainCorpus.parseQaSets("Vqa"))) {
            assertEquals(List.of("red", "blue"), c.answerTable().answers());
            assertEquals(2, c.numAnswers(find(c, "COCO_0_vqa_000")), "green filtered by --qa-sets vqa");
            assertEquals(0, c.numAnswers(find(c, "COCO_3_gqa_000")));
        }
    }

    @Test
    void qaAnswerSampledInProportionToScore() throws Exception {
        try (PretrainCorpus c = load(List.of("vqa"))) {
            PretrainTasks tasks = PretrainTasks.all().withMatched(false);
            PretrainBatcher b = new PretrainBatcher(c, c, tasks, Masking.Specials.of(vocab), 20, 7);
            PretrainBatch batch = b.allocate(3);
            int q = find(c, "COCO_0_vqa_000"), red = c.answerTable().ans2id("red");
            int reds = 0, n = 6000;
            for (int e = 0; e < n; e++) {
                b.fill(batch, new int[] {q, find(c, "COCO_2_vqa_000"), 0}, e);
                long a = batch.qaLabel[0];
                assertTrue(a == red || a == c.answerTable().ans2id("blue"));
                if (a == red) reds++;
                assertEquals(-1, batch.qaLabel[1], "empty label after the filter");
                assertEquals(-1, batch.qaLabel[2], "unlabelled caption");
                assertEquals(1, batch.matched[0], "matched task off");
            }
            // red 0.3 and blue 0.6 after the filter: P(red) = 1/3
            MaskingTest.binomial("red", reds, n, 1.0 / 3);
        }
    }

    @Test
    void unmatchedSentenceComesFromAnotherImageAndDropsTheQaLabel() throws Exception {
        try (PretrainCorpus c = load(null)) {
            PretrainBatcher b = new PretrainBatcher(c, c, PretrainTasks.all().withRates(0, 0.15), Masking.Specials.of(vocab), 20, 11);
            PretrainBatch batch = b.allocate(1);
            int q = find(c, "COCO_0_vqa_000");
            int unmatched = 0, n = 4000;
            Set<Long> otherImages = new HashSet<>();
            for (int e = 0; e < n; e++) {
                b.fill(batch, new int[] {q}, e);
                long imgWord = batch.inputIds[1];
                if (batch.matched[0] == 0) {
                    unmatched++;
                    assertTrue(imgWord != vocab.id("img0"), "the swapped sentence is of another image");
                    otherImages.add(imgWord);
                    assertEquals(-1, batch.qaLabel[0], "unmatched: no QA label");
                } else {
                    assertEquals(vocab.id("img0"), imgWord);
                    assertEquals(vocab.id("d"), batch.inputIds[2]);
                    assertTrue(batch.qaLabel[0] >= 0, "matched and labelled: an answer");
                }
            }
            MaskingTest.binomial("unmatched", unmatched, n, 0.5);
            assertEquals(Set.of((long) vocab.id("img1"), (long) vocab.id("img2"), (long) vocab.id("img3")), otherImages);
        }
    }

    @Test
    void imagesWithDifferentBoxCountsAndRandomBoxes() throws Exception {
        try (PretrainCorpus c = load(null)) {
            PretrainBatcher b = new PretrainBatcher(c, c, PretrainTasks.all().withRates(0.15, 1.0), Masking.Specials.of(vocab), 20, 5);
            assertEquals(5, b.boxes());
            PretrainBatch batch = b.allocate(4);
            int[] idx = {find(c, "COCO_3_gqa_000"), find(c, "COCO_1_mscoco_000"), find(c, "COCO_0_mscoco_000"), find(c, "COCO_2_vqa_000")};
            int[] img = {3, 1, 0, 2};
            Map<Float, Integer> seen = new LinkedHashMap<>();
            Set<Float> valid = new HashSet<>();
            for (int i = 0; i < 4; i++) for (int k = 0; k < BOXES[i]; k++) valid.add(MiniWorld.featValue(i, k));
            int d = MiniWorld.DIM, n = 5;
            long zero = 0, random = 0, kept = 0, total = 0;
            for (int e = 0; e < 3000; e++) {
                b.fill(batch, idx, e);
                assertTrue(batch.anyPadding);
                for (int r = 0; r < 4; r++) {
                    int nb = BOXES[img[r]];
                    for (int k = 0; k < n; k++) {
                        int s = r * n + k;
                        if (k >= nb) {
                            assertEquals(0f, batch.visualMask[s]);
                            assertEquals(0f, batch.objConfs[s]);
                            assertEquals(0f, batch.attrConfs[s]);
                            assertEquals(0f, batch.featMask[s]);
                            assertEquals(0f, batch.feats[s * d]);
                            assertEquals(0f, batch.origFeats[s * d]);
                            continue;
                        }
                        total++;
                        assertEquals(1f, batch.visualMask[s]);
                        assertEquals(1f, batch.featMask[s], "rate 1: every real box is masked");
                        assertEquals(k, batch.objLabels[s]);
                        assertEquals(k + 1, batch.attrLabels[s]);
                        assertEquals(0.5f + k / 100f, batch.objConfs[s]);
                        assertEquals(MiniWorld.featValue(img[r], k), batch.origFeats[s * d], "feat target is the original feature");
                        assertEquals(0.01f, batch.boxCoords[s * 4], 1e-7f);
                        assertEquals(0.2f, batch.boxCoords[s * 4 + 3], 1e-7f);
                        float v = batch.feats[s * d];
                        for (int j = 1; j < d; j++) assertEquals(v, batch.feats[s * d + j]);
                        if (v == 0f) zero++;
                        else if (v == MiniWorld.featValue(img[r], k)) kept++;
                        else {
                            random++;
                            assertTrue(valid.contains(v), "random box " + v + " is a real box of a real image");
                            seen.merge(v, 1, Integer::sum);
                        }
                    }
                }
            }
            MaskingTest.binomial("zeroed", zero, total, 0.8);
            // a random box may be the box itself: P = sum over examples of P(image) P(box)
            assertTrue(random + kept > 0.18 * total && random + kept < 0.22 * total, random + " " + kept + " " + total);
            // every box of every image is drawn, the 4th and 5th of the 5-box image included
            assertEquals(valid, seen.keySet());
            // the image is drawn per example (8 examples; COCO_1 has 2 of them), the box uniformly among its boxes:
            // P(COCO_1 box 4) = 2/8 * 1/5, P(COCO_3 box 0) = 2/8 * 1; compare the two counts' ratio loosely
            double ratio = seen.get(MiniWorld.featValue(3, 0)) / (double) seen.get(MiniWorld.featValue(1, 4));
            assertTrue(ratio > 3.5 && ratio < 7, "ratio " + ratio + " expected 5");
        }
    }

    @Test
    void drawsDependOnSeedEpochAndExampleOnly() throws Exception {
        try (PretrainCorpus c = load(null)) {
            PretrainBatcher b = new PretrainBatcher(c, c, PretrainTasks.all(), Masking.Specials.of(vocab), 20, 3);
            PretrainBatch one = b.fill(b.allocate(1), new int[] {4}, 2);
            PretrainBatch three = b.fill(b.allocate(3), new int[] {1, 0, 4}, 2);
            for (int i = 0; i < 20; i++) {
                assertEquals(one.inputIds[i], three.inputIds[40 + i]);
                assertEquals(one.lmLabels[i], three.lmLabels[40 + i]);
            }
            assertEquals(one.matched[0], three.matched[2]);
            for (int k = 0; k < 5 * MiniWorld.DIM; k++) assertEquals(one.feats[k], three.feats[2 * 5 * MiniWorld.DIM + k]);
        }
    }

    @Test
    void matchedTaskNeedsTwoImages() throws Exception {
        Path r2 = root.resolve("one");
        MiniWorld.tsv(r2, "mscoco_imgfeat/train2014_obj36.tsv", List.of("COCO_0"), new int[] {0}, new int[] {2});
        MiniWorld.allAns(r2, List.of(Map.of("ans", "red", "dsets", List.of("vqa"))));
        MiniWorld.json(r2.resolve("lxmert/mscoco_train.json"), List.of(rec("COCO_0", Map.of("mscoco", List.of("img0 a")), Map.of())));
        try (PretrainCorpus c = PretrainCorpus.load(DataOptions.of(r2), "mscoco_train", null, -1, MiniWorld.tokenizer(4), 20)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new PretrainBatcher(c, c, PretrainTasks.all(), Masking.Specials.of(vocab), 20, 1));
            assertTrue(e.getMessage().contains("at least 2 images"), e.getMessage());
            new PretrainBatcher(c, c, PretrainTasks.all().withMatched(false), Masking.Specials.of(vocab), 20, 1);
        }
    }

    @Test
    void badRecordIsNamed() throws Exception {
        Path r3 = root.resolve("bad");
        MiniWorld.tsv(r3, "mscoco_imgfeat/train2014_obj36.tsv", List.of("COCO_0"), new int[] {0}, new int[] {2});
        MiniWorld.allAns(r3, List.of(Map.of("ans", "red", "dsets", List.of("vqa"))));
        MiniWorld.json(r3.resolve("lxmert/mscoco_train.json"), List.of(rec("COCO_0", Map.of("mscoco", List.of("x")), Map.of()),
                Map.of("img_id", "COCO_0", "sentf", Map.of("mscoco", List.of(3)), "labelf", Map.of())));
        Exception e = assertThrows(Exception.class,
                () -> PretrainCorpus.load(DataOptions.of(r3), "mscoco_train", null, -1, MiniWorld.tokenizer(4), 20));
        assertTrue(e.getMessage().contains("mscoco_train.json") && e.getMessage().contains("index 1")
                && e.getMessage().contains("expected a string"), e.getMessage());
    }

    @Test
    void qaAccuracyAsTheOriginalsEvaluator() throws Exception {
        try (PretrainCorpus c = load(null)) {
            PretrainQaEval ev = new PretrainQaEval(c);
            assertTrue(Double.isNaN(ev.accuracy().get("")));
            int red = c.answerTable().ans2id("red"), cat = c.answerTable().ans2id("cat");
            ev.add(find(c, "COCO_0_vqa_000"), red);        // 0.3
            ev.add(find(c, "COCO_2_vqa_000"), red);        // empty label: 0, counted
            ev.add(find(c, "COCO_3_gqa_000"), cat);        // 0.5
            ev.add(find(c, "COCO_3_gqa_001"), red);        // 0
            ev.add(0, red);                                // caption: not counted
            Map<String, Double> a = ev.accuracy();
            assertEquals(0.8 / 4, a.get(""), 1e-6);
            assertEquals(0.15, a.get("vqa"), 1e-6);
            assertEquals(0.25, a.get("gqa"), 1e-6);
            assertEquals("Overall Accu 0.2000, gqa Accu 0.2500, vqa Accu 0.1500, ", ev.format());
        }
    }

    @Test
    void secondLoadReadsThePackedCacheAndAChangedSourceRebuildsIt() throws Exception {
        Path r = root.resolve("cached");
        writeWorld(r);
        DataOptions opt = DataOptions.of(r);
        try (PretrainCorpus a = PretrainCorpus.load(opt, "mscoco_train", List.of("vqa"), -1, MiniWorld.tokenizer(4), 20);
             PretrainCorpus b = PretrainCorpus.load(opt, "mscoco_train", List.of("vqa"), -1, MiniWorld.tokenizer(4), 20)) {
            assertFalse(a.fromCache());
            assertTrue(b.fromCache());
            assertEquals(a.size(), b.size());
            assertEquals(a.toString(), b.toString());
            int[] ta = new int[32], tb = new int[32];
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.uid(i), b.uid(i));
                assertEquals(a.image(i), b.image(i));
                assertEquals(a.imageBoxes(a.image(i)), b.imageBoxes(b.image(i)));
                assertArrayEquals(java.util.Arrays.copyOf(ta, a.tokens(i, ta)), java.util.Arrays.copyOf(tb, b.tokens(i, tb)));
                assertEquals(a.labelled(i), b.labelled(i));
                assertEquals(a.numAnswers(i), b.numAnswers(i));
                for (int k = 0; k < a.numAnswers(i); k++) {
                    assertEquals(a.answer(i, k), b.answer(i, k));
                    assertEquals(a.score(i, k), b.score(i, k));
                }
            }
            // another --qa-sets is another corpus
            try (PretrainCorpus c = PretrainCorpus.load(opt, "mscoco_train", null, -1, MiniWorld.tokenizer(4), 20)) {
                assertFalse(c.fromCache());
                assertEquals(3, c.numAnswers(find(c, "COCO_0_vqa_000")));
            }
        }
        MiniWorld.json(r.resolve("lxmert/mscoco_train.json"), List.of(rec("COCO_1", Map.of("mscoco", List.of("img1 a")), Map.of())));
        try (PretrainCorpus c = PretrainCorpus.load(opt, "mscoco_train", List.of("vqa"), -1, MiniWorld.tokenizer(4), 20)) {
            assertFalse(c.fromCache(), "the source changed");
            assertEquals(1, c.size());
        }
    }
}
