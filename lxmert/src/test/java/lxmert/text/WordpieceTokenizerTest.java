package lxmert.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Greedy longest-match-first word pieces on a small hand-made vocabulary. */
class WordpieceTokenizerTest {

    private static final String SMILE = "\uD83D\uDE00"; // U+1F600: one code point, two Java chars

    private static final Vocab VOCAB = Vocab.fromLines("test-vocab", List.of(
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "un", "##aff", "##able", "a", "##a", "ab", "##c", "##bc", "abc" + "d", SMILE, "##" + SMILE));

    private final WordpieceTokenizer wp = new WordpieceTokenizer(VOCAB);

    @Test
    void splitsIntoContinuationPieces() {
        assertEquals(List.of("un", "##aff", "##able"), wp.tokenize("unaffable"));
        assertEquals(List.of("un", "##aff", "##able", "a"), wp.tokenize(" unaffable \t a "));
    }

    @Test
    void prefersTheLongestPrefix() {
        // "abc" is not a piece: "ab" (longest) then "##c", never "a" + "##bc"
        assertEquals(List.of("ab", "##c"), wp.tokenize("abc"));
        assertEquals(List.of("abcd"), wp.tokenize("abcd"));
    }

    @Test
    void unmatchableWordIsOneUnknown() {
        assertEquals(List.of("[UNK]"), wp.tokenize("unx"));   // "un" matches but "##x" cannot: whole word [UNK]
        assertEquals(List.of("a", "[UNK]", "un"), wp.tokenize("a zzz un"));
    }

    @Test
    void wordLengthLimitCountsCodePoints() {
        String hundred = String.join("", Collections.nCopies(100, "a"));
        List<String> expect = new ArrayList<>(List.of("a"));
        expect.addAll(Collections.nCopies(99, "##a"));
        assertEquals(expect, wp.tokenize(hundred));
        assertEquals(List.of("[UNK]"), wp.tokenize(hundred + "a"));

        String smiles = String.join("", Collections.nCopies(100, SMILE)); // 200 chars, 100 code points
        List<String> expectSmiles = new ArrayList<>(List.of(SMILE));
        expectSmiles.addAll(Collections.nCopies(99, "##" + SMILE));
        assertEquals(expectSmiles, wp.tokenize(smiles));
        assertEquals(List.of("[UNK]"), wp.tokenize(smiles + SMILE));
    }

    @Test
    void customUnknownAndLimit() {
        WordpieceTokenizer small = new WordpieceTokenizer(VOCAB, "[MASK]", 3);
        assertEquals(List.of("a", "##a", "##a"), small.tokenize("aaa"));
        assertEquals(List.of("[MASK]"), small.tokenize("aaaa"));
        assertEquals(List.of("[MASK]"), small.tokenize("q"));
    }
}
