package lxmert.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lxmert.tasks.pretrain.PretrainCorpus;
import lxmert.text.BertTokenizer;
import lxmert.text.Vocab;

class DatasetsTest {
    @TempDir Path root;

    private void write(String rel, String content) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private void tsv(String rel, String... ids) throws Exception {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) rows.add(TsvFixtures.fields(ids[i], 3, 4, i + 100));
        Files.createDirectories(root.resolve(rel).getParent());
        TsvFixtures.write(root.resolve(rel), rows);
    }

    private void vqaTables() throws Exception {
        write("vqa/trainval_ans2label.json", "{\"\": 0, \"yes\": 1, \"no\": 2, \"2\": 3}");
        write("vqa/trainval_label2ans.json", "[\"\", \"yes\", \"no\", \"2\"]");
    }

    @Test
    void vqaKeepsQuestionsWithFeaturesAndBuildsSoftTargets() throws Exception {
        vqaTables();
        write("vqa/train.json", "[{\"answer_type\": \"yes/no\", \"img_id\": \"COCO_1\", \"label\": {\"yes\": 1, \"no\": 0.3}, "
                + "\"question_id\": 10, \"question_type\": \"is the\", \"sent\": \"Is it?\"},"
                + "{\"img_id\": \"COCO_9\", \"label\": {\"2\": 0.9}, \"question_id\": 90, \"sent\": \"How many?\"},"
                + "{\"img_id\": \"COCO_2\", \"label\": {\"maybe\": 0.6}, \"question_id\": 20, \"sent\": \"Odd?\"}]");
        tsv("mscoco_imgfeat/train2014_obj36.tsv", "COCO_1", "COCO_2");
        try (QaDataset d = QaDataset.load(QaTask.VQA, DataOptions.of(root), "train")) {
            assertEquals(3, d.raw().size());
            assertEquals(2, d.data().size());
            assertEquals(1, d.dropped(), "COCO_9 has no features");
            QaExample q = d.data().get(0);
            assertEquals("10", q.questionId());
            assertEquals("is the", q.questionType());
            assertEquals("yes/no", q.answerType());
            assertArrayEquals(new float[]{0, 1, 0.3f, 0}, d.target(q));
            // 'maybe' is not in the answer table: skipped (the original's VQA would raise KeyError) and counted
            assertArrayEquals(new float[]{0, 0, 0, 0}, d.target(d.data().get(1)));
            assertSame(d.data().get(1), d.get("20"));
            QaDataset.SplitStats st = d.stats().get(0);
            assertEquals(new QaDataset.SplitStats("train", 3, 1, 2, 2, 1, 1), st);
            assertEquals(List.of("vqa train: 3 questions, 2 used (1 dropped: no image features); 1 gold answer (of 1 question) "
                    + "not in the answer table, left out of the targets; all labelled"), d.summary());
        }
    }

    @Test
    void labelsAndDropsAreCountedPerSplit() throws Exception {
        vqaTables();
        // train: fully labelled, one answer outside the table; nominival: partly labelled, one unknown image
        write("vqa/train.json", "[{\"img_id\": \"COCO_1\", \"label\": {\"yes\": 1, \"perhaps\": 0.3}, \"question_id\": 1, \"sent\": \"a\"},"
                + "{\"img_id\": \"COCO_2\", \"label\": {\"no\": 1}, \"question_id\": 2, \"sent\": \"b\"}]");
        write("vqa/nominival.json", "[{\"img_id\": \"COCO_5\", \"question_id\": 3, \"sent\": \"c\"},"
                + "{\"img_id\": \"COCO_5\", \"label\": {\"2\": 0.6, \"yes\": 0.3}, \"question_id\": 4, \"sent\": \"d\"},"
                + "{\"img_id\": \"COCO_5\", \"question_id\": 5, \"sent\": \"e\"},"
                + "{\"img_id\": \"COCO_404\", \"label\": {\"no\": 1}, \"question_id\": 6, \"sent\": \"f\"}]");
        tsv("mscoco_imgfeat/train2014_obj36.tsv", "COCO_1", "COCO_2");
        tsv("mscoco_imgfeat/val2014_obj36.tsv", "COCO_5");
        try (QaDataset d = QaDataset.load(QaTask.VQA, DataOptions.of(root), "train,nominival")) {
            assertEquals(List.of(new QaDataset.SplitStats("train", 2, 0, 2, 2, 1, 1),
                    new QaDataset.SplitStats("nominival", 4, 1, 3, 1, 0, 0)), d.stats());
            assertFalse(d.stats().get(0).partlyLabelled());
            assertTrue(d.stats().get(1).partlyLabelled());
            assertEquals("vqa train: 2 questions, all with image features; 1 gold answer (of 1 question) not in the answer "
                    + "table, left out of the targets; all labelled", d.summary().get(0));
            assertTrue(d.summary().get(1).endsWith("PARTLY LABELLED: 1 of 3 questions have answers (accuracy is over those 1)"),
                    d.summary().get(1));
            lxmert.tasks.QaData qd = new lxmert.tasks.QaData(d, new lxmert.text.SentenceEncoder(
                    lxmert.text.BertTokenizer.fromVocabFile(vocab()), 8), 8);
            assertTrue(qd.labelled(), "labelled when any question is, not decided by the first");
            assertEquals(3, qd.labelledCount());
            assertFalse(qd.labelled(2));
            // batches build the targets through the same path as target(): 'perhaps' skipped
            lxmert.tasks.HostBatch b = qd.fill(qd.allocate(5), new int[]{0, 1, 2, 3, 4});
            for (int r = 0; r < 5; r++) {
                float[] want = d.data().get(r).label() == null ? new float[4] : d.target(d.data().get(r));
                assertArrayEquals(want, java.util.Arrays.copyOfRange(b.targets, r * 4, r * 4 + 4), "row " + r);
            }
            // accuracy over the labelled questions only: predict 'yes' (label 1) everywhere
            // q1: yes=1 -> 1, q2: no -> 0, q4: yes=0.3 -> 0.3; q3, q5 unlabelled are not counted: (1 + 0 + 0.3) / 3
            assertEquals(1.3 / 3, lxmert.tasks.TaskData.accuracy(qd, new int[]{1, 1, 1, 1, 1}), 1e-12);
        }
    }

    private Path vocab() throws Exception {
        Path v = root.resolve("vocab.txt");
        StringBuilder sb = new StringBuilder();
        for (String t : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d", "e", "f")) sb.append(t).append('\n');
        Files.writeString(v, sb.toString());
        return v;
    }

    @Test
    void minivalIsTheFirst5000Val2014ImagesAndTestIsTest2015() throws Exception {
        vqaTables();
        write("vqa/minival.json", "[{\"img_id\": \"V1\", \"label\": {}, \"question_id\": 1, \"sent\": \"a\"}]");
        write("vqa/test.json", "[{\"img_id\": \"T1\", \"question_id\": 2, \"sent\": \"b\"}]");
        tsv("mscoco_imgfeat/val2014_obj36.tsv", "V1", "V2");
        tsv("mscoco_imgfeat/test2015_obj36.tsv", "T1");
        try (QaDataset d = QaDataset.load(QaTask.VQA, DataOptions.of(root).withCacheDir(root.resolve("cache")), "minival,test")) {
            assertEquals(2, d.data().size());
            List<FeatureStore> st = d.features().stores();
            assertTrue(st.get(0).path().toString().contains("val2014_obj36.tsv") && st.get(0).path().toString().endsWith(".top5000.lxfs"), st.get(0).path().toString());
            assertTrue(st.get(1).path().toString().contains("test2015_obj36.tsv") && st.get(1).path().toString().endsWith(".all.lxfs"));
            assertNull(d.get("2").label());
        }
        try (QaDataset d = QaDataset.load(QaTask.VQA, DataOptions.of(root).withSize(DataOptions.Size.TINY), "test")) {
            assertTrue(d.features().stores().get(0).path().toString().endsWith(".top512.lxfs"));
        }
    }

    @Test
    void gqaSkipsUnknownAnswersAndUsesTheTestdevFile() throws Exception {
        write("gqa/trainval_ans2label.json", "{\"left\": 0, \"right\": 1}");
        write("gqa/trainval_label2ans.json", "[\"left\", \"right\"]");
        write("gqa/train.json", "[{\"img_id\": \"1\", \"label\": {\"right\": 1.0, \"up\": 1.0}, \"question_id\": \"007\", \"sent\": \"Where?\"}]");
        write("gqa/testdev.json", "[{\"img_id\": \"n5\", \"label\": {\"left\": 1.0}, \"question_id\": \"008\", \"sent\": \"Where?\"},"
                + "{\"img_id\": \"1\", \"label\": {\"left\": 1.0}, \"question_id\": \"009\", \"sent\": \"Where?\"}]");
        tsv("vg_gqa_imgfeat/vg_gqa_obj36.tsv", "1");
        tsv("vg_gqa_imgfeat/gqa_testdev_obj36.tsv", "n5");
        try (QaDataset d = QaDataset.load(QaTask.GQA, DataOptions.of(root), "train")) {
            assertEquals("007", d.data().get(0).questionId());
            assertArrayEquals(new float[]{0, 1}, d.target(d.data().get(0)));
        }
        try (QaDataset d = QaDataset.load(QaTask.GQA, DataOptions.of(root), "testdev")) {
            assertEquals(1, d.data().size());
            assertEquals(1, d.dropped(), "testdev loads only gqa_testdev_obj36.tsv");
        }
    }

    @Test
    void malformedJsonNamesFileAndKey() throws Exception {
        vqaTables();
        write("vqa/train.json", "[{\"img_id\": \"a\", \"question_id\": 1, \"sent\": \"x\"}, {\"img_id\": \"b\", \"sent\": \"y\"}]");
        var e = assertThrows(DataFormatException.class, () -> QaDataset.loadQuestions(QaTask.VQA, root, "train"));
        assertTrue(e.getMessage().contains("train.json") && e.getMessage().contains("index 1") && e.getMessage().contains("'question_id'"), e.getMessage());
        write("vqa/train.json", "[{\"img_id\": \"a\", \"question_id\": 1, \"sent\": \"x\", \"label\": {\"yes\": \"high\"}}]");
        e = assertThrows(DataFormatException.class, () -> QaDataset.loadQuestions(QaTask.VQA, root, "train"));
        assertTrue(e.getMessage().contains("answer 'yes'") && e.getMessage().contains("question_id 1"), e.getMessage());
        write("vqa/train.json", "[{\"img_id\": \"a\",");
        e = assertThrows(DataFormatException.class, () -> QaDataset.loadQuestions(QaTask.VQA, root, "train"));
        assertTrue(e.getMessage().contains("train.json") && e.getMessage().contains("malformed JSON") && e.getMessage().contains("line 1"), e.getMessage());
        write("vqa/train.json", "[{\"img_id\": \"a\", \"question_id\": \"1\", \"sent\": \"x\"}]");
        e = assertThrows(DataFormatException.class, () -> QaDataset.loadQuestions(QaTask.VQA, root, "train"));
        assertTrue(e.getMessage().contains("expected an integer"), e.getMessage());
    }

    @Test
    void nlvr2NeedsBothImages() throws Exception {
        write("nlvr2/valid.json", "[{\"identifier\": \"dev-1-0-0\", \"img0\": \"dev-1-0-img0\", \"img1\": \"dev-1-0-img1\", \"label\": 1, \"sent\": \"s\", \"uid\": \"nlvr2_valid_0\"},"
                + "{\"identifier\": \"dev-1-1-0\", \"img0\": \"dev-1-1-img0\", \"img1\": \"dev-1-1-img1\", \"label\": 0, \"sent\": \"s\", \"uid\": \"nlvr2_valid_1\"}]");
        tsv("nlvr2_imgfeat/valid_obj36.tsv", "dev-1-0-img0", "dev-1-0-img1", "dev-1-1-img0");
        try (Nlvr2Dataset d = Nlvr2Dataset.load(DataOptions.of(root), "valid")) {
            assertEquals(1, d.data().size());
            assertEquals(1, d.dropped());
            assertEquals(1, d.get("nlvr2_valid_0").label());
        }
        write("nlvr2/valid.json", "[{\"identifier\": \"x\", \"img0\": \"a\", \"img1\": \"b\", \"label\": 2, \"sent\": \"s\", \"uid\": \"u\"}]");
        var e = assertThrows(DataFormatException.class, () -> Nlvr2Dataset.loadStatements(root, "valid"));
        assertTrue(e.getMessage().contains("index 0, key 'label'") && e.getMessage().contains("expected 0 or 1"), e.getMessage());
    }

    @Test
    void pretrainingFlattensAndNormalisesAnswers() throws Exception {
        write("lxmert/all_ans.json", "[{\"ans\": \"2\", \"dsets\": [\"vqa\"]}, {\"ans\": \"man\", \"dsets\": [\"vqa\", \"gqa\"]}, {\"ans\": \"cat\", \"dsets\": [\"gqa\"]}]");
        write("lxmert/mscoco_minival.json", "[{\"img_id\": \"V1\", \"sentf\": {\"mscoco\": [\"a cap\", \"b cap\"], \"vqa\": [\"how many?\", \"who?\"]},"
                + " \"labelf\": {\"vqa\": [{\"Two\": 0.9, \"three\": 0.3}, {\"the man\": 1, \"man\": 0.6, \"cat\": 0.3}]}},"
                + "{\"img_id\": \"V9\", \"sentf\": {\"mscoco\": [\"c\"]}, \"labelf\": {}}]");
        tsv("mscoco_imgfeat/val2014_obj36.tsv", "V1");
        var tokenizer = new BertTokenizer(Vocab.fromLines("t", List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")));
        try (PretrainCorpus c = PretrainCorpus.load(DataOptions.of(root), "mscoco_minival", List.of("vqa"), -1, tokenizer, 20)) {
            assertEquals(1, c.droppedRecords());
            assertEquals(List.of("V1_mscoco_000", "V1_mscoco_001", "V1_vqa_000", "V1_vqa_001"),
                    IntStream.range(0, c.size()).mapToObj(c::uid).toList());
            assertFalse(c.labelled(0));
            assertEquals("vqa", c.category(3));
            assertEquals(Map.of("2", (double) 0.9f), label(c, 2), "'Two' -> '2'; 'three' -> '3' is not in the table");
            // 'the man' -> 'man' overwrites the later 'man' entry with its own score (label[new] = label.pop(ans));
            // 'cat' is gqa-only
            assertEquals(Map.of("man", 1.0), label(c, 3));
        }
        try (PretrainCorpus c = PretrainCorpus.load(DataOptions.of(root), "mscoco_minival", null, -1, tokenizer, 20)) {
            assertEquals(Map.of("man", 1.0, "cat", (double) 0.3f), label(c, 3));
        }
    }

    private static Map<String, Double> label(PretrainCorpus c, int example) {
        Map<String, Double> m = new HashMap<>();
        for (int k = 0; k < c.numAnswers(example); k++) m.put(c.answerTable().answers().get(c.answer(example, k)), (double) c.score(example, k));
        return m;
    }
}
