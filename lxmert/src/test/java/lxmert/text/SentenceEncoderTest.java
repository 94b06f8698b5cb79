package lxmert.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert_sents_to_features on a hand-made vocabulary: truncation, padding, batch and cache behaviour. */
class SentenceEncoderTest {

    // ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 w0=5 ... w9=14 ?=15 ##s=16
    private static final Vocab VOCAB;

    static {
        List<String> lines = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = 0; i < 10; i++) lines.add("w" + i);
        lines.add("?");
        lines.add("##s");
        VOCAB = Vocab.fromLines("encoder-test-vocab", lines);
    }

    private final BertTokenizer tok = new BertTokenizer(VOCAB);

    private static String words(int n) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < n; i++) w.add("W" + i);
        return String.join(" ", w);
    }

    /** Expected encoding written out independently: [CLS]=2, wi=5+i, [SEP]=3, then zeros. */
    private static int[] expectedIds(int kept, int len) {
        int[] ids = new int[len];
        ids[0] = 2;
        for (int i = 0; i < kept; i++) ids[1 + i] = 5 + i;
        ids[kept + 1] = 3;
        return ids;
    }

    private static int[] expectedMask(int kept, int len) {
        int[] m = new int[len];
        for (int i = 0; i < kept + 2; i++) m[i] = 1;
        return m;
    }

    @Test
    void fitsExactlyAtMaxLengthAndTruncatesOneBeyond() {
        int len = 8;
        InputFeatures exact = SentenceEncoder.convert(words(len - 2), len, tok);
        assertArrayEquals(expectedIds(len - 2, len), exact.inputIds());
        assertArrayEquals(expectedMask(len - 2, len), exact.inputMask());
        assertEquals(len, exact.tokens().size());
        assertEquals("[SEP]", exact.tokens().get(len - 1));

        InputFeatures over = SentenceEncoder.convert(words(len - 1), len, tok);
        assertArrayEquals(expectedIds(len - 2, len), over.inputIds(), "one word too many is cut");
        assertEquals(exact, over);

        InputFeatures shorter = SentenceEncoder.convert(words(3), len, tok);
        assertArrayEquals(expectedIds(3, len), shorter.inputIds());
        assertArrayEquals(expectedMask(3, len), shorter.inputMask());
        assertArrayEquals(new int[len], shorter.segmentIds());
        assertEquals(List.of("[CLS]", "w0", "w1", "w2", "[SEP]"), shorter.tokens());
    }

    @Test
    void truncationCountsWordPiecesNotWords() {
        // "w1s" -> w1 ##s: two pieces; with room for 3 pieces "w0 w1s w2" keeps w0 w1 ##s
        InputFeatures f = SentenceEncoder.convert("w0 w1s w2", 5, tok);
        assertEquals(List.of("[CLS]", "w0", "w1", "##s", "[SEP]"), f.tokens());
        assertArrayEquals(new int[] {2, 5, 6, 16, 3}, f.inputIds());
    }

    @Test
    void minimalLengthAndEmptySentence() {
        InputFeatures two = SentenceEncoder.convert("w0 w1", 2, tok);
        assertArrayEquals(new int[] {2, 3}, two.inputIds());
        assertArrayEquals(new int[] {1, 1}, two.inputMask());
        InputFeatures empty = SentenceEncoder.convert("  \u00A0 ", 4, tok);
        assertArrayEquals(new int[] {2, 3, 0, 0}, empty.inputIds());
        assertArrayEquals(new int[] {1, 1, 0, 0}, empty.inputMask());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SentenceEncoder.convert("w0", 1, tok));
        assertTrue(e.getMessage().contains("max_seq_length"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SentenceEncoder(tok, 0));
    }

    @Test
    void unknownWordsMapToUnk() {
        InputFeatures f = SentenceEncoder.convert("W0 zebra?", 6, tok);
        assertArrayEquals(new int[] {2, 5, 1, 15, 3, 0}, f.inputIds());
    }

    @Test
    void batchFillsRowsAndOverwritesOldContent() {
        int len = 6;
        List<String> sents = List.of(words(2), words(9), "", "w3?");
        long[] ids = new long[sents.size() * len + 3];
        long[] mask = new long[ids.length];
        long[] seg = new long[ids.length];
        Arrays.fill(ids, 77);
        Arrays.fill(mask, 77);
        Arrays.fill(seg, 77);
        SentenceEncoder enc = new SentenceEncoder(tok, len);
        enc.encodeBatch(sents, ids, mask, seg);
        for (int b = 0; b < sents.size(); b++) {
            InputFeatures f = SentenceEncoder.convert(sents.get(b), len, tok);
            for (int i = 0; i < len; i++) {
                assertEquals(f.inputIds()[i], ids[b * len + i], "row " + b + " col " + i);
                assertEquals(f.inputMask()[i], mask[b * len + i], "mask row " + b + " col " + i);
                assertEquals(0, seg[b * len + i], "segment row " + b + " col " + i);
            }
        }
        assertEquals(77, ids[sents.size() * len], "elements beyond B*L untouched");
        assertArrayEquals(new long[] {2, 8, 15, 3, 0, 0}, Arrays.copyOfRange(ids, 3 * len, 4 * len));

        long[] ids2 = new long[sents.size() * len];
        SentenceEncoder.convertBatch(sents, len, tok, ids2, null, null);
        assertArrayEquals(Arrays.copyOf(ids, ids2.length), ids2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> enc.encodeBatch(sents, new long[sents.size() * len - 1], null, null));
        assertTrue(e.getMessage().contains("inputIds") && e.getMessage().contains("24"), e.getMessage());
    }

    @Test
    void cacheReturnsEqualButIndependentResults() {
        SentenceEncoder enc = new SentenceEncoder(tok, 6, 2);
        InputFeatures a = enc.encode("w1 w2");
        a.inputIds()[1] = 999; // callers may scribble on what they get
        InputFeatures b = enc.encode("w1 w2");
        assertNotSame(a.inputIds(), b.inputIds());
        assertArrayEquals(new int[] {2, 6, 7, 3, 0, 0}, b.inputIds());
        assertEquals(1, enc.cacheSize());
        enc.encode("w3");
        enc.encode("w4");
        assertEquals(2, enc.cacheSize(), "capacity bounds the cache");
        assertEquals(SentenceEncoder.convert("w4", 6, tok), enc.encode("w4"), "uncached sentences still encode");

        SentenceEncoder none = new SentenceEncoder(tok, 6, 0);
        none.encode("w1");
        assertEquals(0, none.cacheSize());
        assertEquals(enc.encode(List.of("w1", "w2")), SentenceEncoder.convert(List.of("w1", "w2"), 6, tok));
    }

    @Test
    void stripsWithPythonSemanticsBeforeTokenizing() {
        String padded = "\u2003\u2028 w5 \u0085";
        assertEquals(SentenceEncoder.convert("w5", 4, tok), SentenceEncoder.convert(padded, 4, tok));
        String longSent = String.join(" ", Collections.nCopies(40, "w9"));
        InputFeatures f = SentenceEncoder.convert(longSent, 20, tok);
        assertEquals(20, f.tokens().size());
        for (int i = 1; i < 19; i++) assertEquals(14, f.inputIds()[i]);
    }
}
