package lxmert.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every case of the two tokenizer fixtures produced by the original code:
 * {@code shared/fixtures/tokenizer-bert-base-uncased.json} (real vocabulary) and
 * {@code shared/fixtures/lxrt-small/tokenizer_fixture.json} (toy vocabulary; also has BasicTokenizer
 * output). Skipped when {@code shared/} is absent.
 */
class TokenizerFixturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Fixture(String name, Path vocabFile, int maxSeqLength, List<JsonNode> cases) {}

    private static Fixture load(String relative, String vocabDir) throws IOException {
        Path shared = SharedDir.find().orElse(null);
        assumeTrue(shared != null, "shared/ reference directory not found above " + System.getProperty("user.dir")
                + "; skipping tokenizer fixture tests");
        Path file = shared.resolve(relative);
        assumeTrue(Files.isRegularFile(file), "fixture " + file + " absent; skipping");
        JsonNode root = JSON.readTree(file.toFile());
        Path vocab = shared.resolve(vocabDir).resolve(root.get("vocab_file").asText());
        assertTrue(Files.isRegularFile(vocab), "vocab file named by " + file + " not found: " + vocab);
        assertTrue(root.get("do_lower_case").asBoolean(), file + ": expected do_lower_case true");
        List<JsonNode> cases = new ArrayList<>();
        root.get("cases").forEach(cases::add);
        return new Fixture(file.toString(), vocab, root.get("max_seq_length").asInt(), cases);
    }

    private static Fixture realVocab() throws IOException {
        return load("fixtures/tokenizer-bert-base-uncased.json", "vocab");
    }

    private static Fixture toyVocab() throws IOException {
        return load("fixtures/lxrt-small/tokenizer_fixture.json", "fixtures/lxrt-small");
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }

    private static Stream<DynamicTest> cases(Fixture fx) throws IOException {
        BertTokenizer tok = BertTokenizer.fromVocabFile(fx.vocabFile());
        SentenceEncoder cached = new SentenceEncoder(tok, fx.maxSeqLength());
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < fx.cases().size(); i++) {
            JsonNode c = fx.cases().get(i);
            String sent = c.get("sent").asText();
            String label = fx.name() + " case " + i + " " + JSON.valueToTree(sent);
            tests.add(DynamicTest.dynamicTest(label, () -> checkCase(c, sent, tok, cached, fx, label)));
        }
        return tests.stream();
    }

    private static void checkCase(JsonNode c, String sent, BertTokenizer tok, SentenceEncoder cached, Fixture fx,
                                  String label) {
        if (c.has("basic")) {
            assertEquals(strings(c.get("basic")), tok.basicTokenizer().tokenize(sent), label + ": basic tokens");
        }
        List<String> pieces = strings(c.get("wordpieces"));
        assertEquals(pieces, tok.tokenize(PythonStrings.strip(sent)), label + ": word pieces");

        int len = fx.maxSeqLength();
        List<String> expectTokens = new ArrayList<>();
        expectTokens.add("[CLS]");
        expectTokens.addAll(pieces.subList(0, Math.min(pieces.size(), len - 2)));
        expectTokens.add("[SEP]");

        InputFeatures f = SentenceEncoder.convert(sent, len, tok);
        assertEquals(expectTokens, f.tokens(), label + ": [CLS] tokens [SEP]");
        assertArrayEquals(ints(c.get("input_ids")), f.inputIds(), label + ": input_ids");
        assertArrayEquals(ints(c.get("input_mask")), f.inputMask(), label + ": input_mask");
        assertArrayEquals(ints(c.get("segment_ids")), f.segmentIds(), label + ": segment_ids");
        assertEquals(expectTokens, tok.convertIdsToTokens(Arrays.copyOf(f.inputIds(), expectTokens.size())),
                label + ": ids map back to the tokens");

        assertEquals(f, cached.encode(sent), label + ": cached encoder, first call");
        assertEquals(f, cached.encode(sent), label + ": cached encoder, second call");
    }

    @TestFactory
    Stream<DynamicTest> realVocabularyCases() throws IOException {
        return cases(realVocab());
    }

    @TestFactory
    Stream<DynamicTest> toyVocabularyCases() throws IOException {
        return cases(toyVocab());
    }

    /** The batch forms fill [B, L] exactly like the per-sentence conversion, for all cases at once. */
    @Test
    void batchFormsMatchFixtures() throws IOException {
        for (Fixture fx : List.of(realVocab(), toyVocab())) {
            BertTokenizer tok = BertTokenizer.fromVocabFile(fx.vocabFile());
            int len = fx.maxSeqLength();
            int b = fx.cases().size();
            List<String> sents = new ArrayList<>();
            fx.cases().forEach(c -> sents.add(c.get("sent").asText()));
            long[] ids = new long[b * len];
            long[] mask = new long[b * len];
            long[] seg = new long[b * len];
            Arrays.fill(seg, 9);
            SentenceEncoder.convertBatch(sents, len, tok, ids, mask, seg);
            long[] ids2 = new SentenceEncoder(tok, len).encodeBatchIds(sents);
            for (int i = 0; i < b; i++) {
                JsonNode c = fx.cases().get(i);
                String where = fx.name() + " case " + i + " (batch row " + i + ")";
                assertArrayEquals(toLong(ints(c.get("input_ids"))), Arrays.copyOfRange(ids, i * len, (i + 1) * len), where + ": input_ids");
                assertArrayEquals(toLong(ints(c.get("input_mask"))), Arrays.copyOfRange(mask, i * len, (i + 1) * len), where + ": input_mask");
                assertArrayEquals(toLong(ints(c.get("segment_ids"))), Arrays.copyOfRange(seg, i * len, (i + 1) * len), where + ": segment_ids");
                assertArrayEquals(toLong(ints(c.get("input_ids"))), Arrays.copyOfRange(ids2, i * len, (i + 1) * len), where + ": encodeBatchIds");
            }
        }
    }

    /** Special ids are looked up by token in both vocabularies and agree with the fixtures' [CLS]/[SEP]/[UNK] ids. */
    @Test
    void specialIdsFromVocabularies() throws IOException {
        for (Fixture fx : List.of(realVocab(), toyVocab())) {
            Vocab v = Vocab.load(fx.vocabFile());
            List<String> lines = Files.readAllLines(fx.vocabFile());
            assertEquals(lines.size(), v.size(), fx.vocabFile() + ": size");
            for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
                assertEquals(lines.indexOf(special), v.id(special), fx.vocabFile() + ": id of " + special);
            }
            assertEquals(v.clsId(), ints(fx.cases().get(0).get("input_ids"))[0], "first id is [CLS]");
            assertEquals(lines.indexOf("[PAD]"), v.padId());
            assertEquals(lines.indexOf("[MASK]"), v.maskId());
            assertEquals(lines.indexOf("[SEP]"), v.sepId());
            assertEquals(lines.indexOf("[UNK]"), v.unkId());
            assertEquals(lines.get(lines.size() - 1), v.token(v.size() - 1));
        }
    }

    private static long[] toLong(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }
}
