package lxmert.data.synth;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import lxmert.data.DataOptions;
import lxmert.data.Nlvr2Dataset;
import lxmert.data.Nlvr2Example;
import lxmert.data.QaDataset;
import lxmert.data.QaExample;
import lxmert.data.QaTask;
import lxmert.tasks.pretrain.PretrainCorpus;
import lxmert.text.BertTokenizer;

class SynthWorldTest {
    static final String PRETRAIN_SOURCES = "mscoco_train,mscoco_nominival,mscoco_minival,vgnococo";
    @TempDir static Path tmp;
    static Path world;

    @BeforeAll
    static void writeWorld() throws Exception {
        world = tmp.resolve("world");
        new SynthWorld(new SynthWorld.Config(9595, 3.0, 4)).write(world);
    }

    private static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherWorld() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), c = tmp.resolve("c");
        new SynthWorld(new SynthWorld.Config(5, 0.3, 8)).write(a);
        new SynthWorld(new SynthWorld.Config(5, 0.3, 8)).write(b);
        new SynthWorld(new SynthWorld.Config(6, 0.3, 8)).write(c);
        Map<String, byte[]> fa = files(a), fb = files(b), fc = files(c);
        assertEquals(fa.keySet(), fb.keySet());
        assertTrue(fa.size() >= 30, "files: " + fa.keySet());
        for (String k : fa.keySet()) assertArrayEquals(fa.get(k), fb.get(k), k);
        assertFalse(java.util.Arrays.equals(fa.get("vqa/train.json"), fc.get("vqa/train.json")));
        assertFalse(java.util.Arrays.equals(fa.get("mscoco_imgfeat/train2014_obj36.tsv"), fc.get("mscoco_imgfeat/train2014_obj36.tsv")));
    }

    @Test
    void everyLoaderReadsTheWorldWithoutDrops() throws Exception {
        DataOptions opt = DataOptions.of(world).withExpectedDim(4).withCacheDir(tmp.resolve("cache"));
        for (String s : new String[]{"train", "nominival", "minival", "test"}) {
            try (QaDataset d = QaDataset.load(QaTask.VQA, opt, s)) {
                assertTrue(d.data().size() > 20, s);
                assertEquals(0, d.dropped(), s);
                assertEquals(0, d.stats().get(0).answersNotInTable(), s + ": every answer is in the table");
                if (!s.equals("test")) for (QaExample e : d.data()) assertNotNull(e.questionType());
            }
        }
        for (String s : new String[]{"train", "valid", "testdev", "submit"}) {
            try (QaDataset d = QaDataset.load(QaTask.GQA, opt, s)) {
                assertTrue(d.data().size() > 10, s);
                assertEquals(0, d.dropped(), s);
            }
        }
        for (String s : new String[]{"train", "valid", "test"}) {
            try (Nlvr2Dataset d = Nlvr2Dataset.load(opt, s)) {
                assertEquals(0, d.dropped(), s);
                long trues = d.data().stream().filter(e -> e.label() == 1).count();
                assertTrue(trues > 0 && trues < d.data().size(), s + " has both labels");
            }
        }
        try (PretrainCorpus c = PretrainCorpus.load(opt, PRETRAIN_SOURCES, null, -1,
                BertTokenizer.fromVocabFile(world.resolve("synth-vocab.txt")), 20)) {
            assertEquals(0, c.droppedRecords());
            assertTrue(IntStream.range(0, c.size()).anyMatch(i -> c.labelled(i) && c.numAnswers(i) > 0));
            assertTrue(IntStream.range(0, c.size()).anyMatch(i -> c.category(i).equals("vg")));
        }
    }

    /** Text-only baseline: question string -> most frequent (best-scored) train answer, vs the global majority answer. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"VQA, minival", "GQA, testdev", "GQA, valid"})
    void questionsNeedTheImage(QaTask task, String split) throws Exception {
        List<QaExample> train = QaDataset.readSplits(task, world, "train");
        List<QaExample> minival = QaDataset.readSplits(task, world, split);
        Map<String, Integer> global = new HashMap<>();
        Map<String, Map<String, Integer>> byQuestion = new HashMap<>();
        for (QaExample e : train) {
            String best = best(e);
            global.merge(best, 1, Integer::sum);
            byQuestion.computeIfAbsent(e.sent(), k -> new HashMap<>()).merge(best, 1, Integer::sum);
        }
        String majority = argmax(global);
        double maj = 0, text = 0;
        for (QaExample e : minival) {
            maj += e.label().getOrDefault(majority, 0.0);
            Map<String, Integer> h = byQuestion.get(e.sent());
            text += e.label().getOrDefault(h == null ? majority : argmax(h), 0.0);
        }
        maj = 100 * maj / minival.size();
        text = 100 * text / minival.size();
        System.out.printf("synth %s %s (%d questions): majority answer '%s' %.2f%%, text-only %.2f%%%n", task, split,
                minival.size(), majority, maj, text);
        assertTrue(minival.size() > 100, "enough questions for a stable estimate: " + minival.size());
        assertTrue(text - maj <= 10.0, task + " " + split + ": text-only " + text + " vs majority " + maj);
        assertTrue(maj < 60, "no single answer dominates: " + maj);
    }

    private static String best(QaExample e) {
        String best = null;
        double s = -1;
        for (var a : e.label().entrySet()) if (a.getValue() > s) { s = a.getValue(); best = a.getKey(); }
        return best;
    }

    private static String argmax(Map<String, Integer> h) {
        return h.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey())).get().getKey();
    }

    @Test
    void vocabularyIsBertShapedAndCoversEverySentence() throws Exception {
        List<String> vocab = Files.readAllLines(world.resolve("synth-vocab.txt"));
        assertEquals("[PAD]", vocab.get(0));
        assertEquals("[UNK]", vocab.get(100));
        assertEquals("[CLS]", vocab.get(101));
        assertEquals("[SEP]", vocab.get(102));
        assertEquals("[MASK]", vocab.get(103));
        assertEquals(vocab.size(), new java.util.HashSet<>(vocab).size(), "no duplicate tokens");
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i), i);
        List<String> sents = new ArrayList<>();
        for (String s : new String[]{"train", "nominival", "minival", "test"}) for (QaExample e : QaDataset.readSplits(QaTask.VQA, world, s)) sents.add(e.sent());
        for (String s : new String[]{"train", "valid", "testdev", "submit"}) for (QaExample e : QaDataset.readSplits(QaTask.GQA, world, s)) sents.add(e.sent());
        for (String s : new String[]{"train", "valid", "test"}) for (Nlvr2Example e : Nlvr2Dataset.readSplits(world, s)) sents.add(e.sent());
        for (String source : PRETRAIN_SOURCES.split(",")) {
            for (JsonNode r : new ObjectMapper().readTree(world.resolve("lxmert/" + source + ".json").toFile())) {
                r.get("sentf").forEach(category -> category.forEach(sent -> sents.add(sent.textValue())));
            }
        }
        assertTrue(sents.size() > 1000);
        for (String s : sents) {
            for (String piece : wordPiece(s, ids)) {
                assertNotEquals("[UNK]", piece, "sentence: " + s);
                assertFalse(piece.startsWith("##"), "every word of the world is a whole token: '" + piece + "' in " + s);
            }
        }
    }

    /** BERT basic tokenisation (lower case, whitespace, punctuation) + greedy longest-match WordPiece. */
    static List<String> wordPiece(String text, Map<String, Integer> vocab) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (char ch : text.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            boolean punct = (ch >= 33 && ch <= 47) || (ch >= 58 && ch <= 64) || (ch >= 91 && ch <= 96) || (ch >= 123 && ch <= 126);
            if (Character.isWhitespace(ch) || punct) {
                if (cur.length() > 0) words.add(cur.toString());
                cur.setLength(0);
                if (punct) words.add(String.valueOf(ch));
            } else cur.append(ch);
        }
        if (cur.length() > 0) words.add(cur.toString());
        List<String> out = new ArrayList<>();
        for (String w : words) {
            int start = 0;
            List<String> pieces = new ArrayList<>();
            while (start < w.length()) {
                int end = w.length();
                String found = null;
                while (start < end) {
                    String sub = (start > 0 ? "##" : "") + w.substring(start, end);
                    if (vocab.containsKey(sub)) { found = sub; break; }
                    end--;
                }
                if (found == null) { pieces = List.of("[UNK]"); break; }
                pieces.add(found);
                start = end;
            }
            out.addAll(pieces);
        }
        return out;
    }
}
