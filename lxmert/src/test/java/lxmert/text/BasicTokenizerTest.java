package lxmert.text;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Edge cases of the original BasicTokenizer, expectations worked out by hand from its algorithm. */
class BasicTokenizerTest {

    private final BasicTokenizer basic = new BasicTokenizer();

    private void check(String text, String... expected) {
        assertEquals(List.of(expected), basic.tokenize(text), "tokenize(" + escape(text) + ")");
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp >= 0x20 && cp < 0x7F) sb.appendCodePoint(cp);
            else sb.append(String.format("\\u{%04X}", cp));
        });
        return sb.append('"').toString();
    }

    @Test
    void lowerCasesAndStripsAccents() {
        check("\u00C5ngstr\u00F6m", "angstrom");          // Å -> a + ring (Mn), ö -> o + diaeresis (Mn)
        check("CAF\u00C9 cafe\u0301", "cafe", "cafe");     // precomposed and combining forms agree
        check("\u0130stanbul", "istanbul");              // İ lower -> i + U+0307 (Mn) -> i
        check("stra\u00DFe", "stra\u00DFe");              // ß has no NFD decomposition, stays
        check("\uFB01ne", "\uFB01ne");                   // ﬁ ligature: compatibility only, NFD keeps it
        check("a \u0301 b", "a", "b");                   // a lone combining mark becomes an empty token, dropped
    }

    @Test
    void greekFinalSigmaFollowsPythonLower() {
        check("\u039F\u0394\u039F\u03A3", "\u03BF\u03B4\u03BF\u03C2"); // ΟΔΟΣ -> οδος (final ς)
        check("\u03A3\u0391", "\u03C3\u03B1");                         // ΣΑ -> σα (not final)
        check("\u03A3", "\u03C3");                                     // alone: not preceded by a cased letter
        check("\u0391\u03A3.", "\u03B1\u03C2", ".");                   // '.' is case-ignorable: still final
    }

    @Test
    void neverSplitTokensAreKeptOnlyWhenExact() {
        check("[CLS] [SEP] [MASK] [PAD] [UNK]", "[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]");
        check("[cls]", "[", "cls", "]");
        check("[CLS],", "[", "cls", "]", ",");
        check("[Mask]", "[", "mask", "]");
    }

    @Test
    void withoutLowerCasingKeepsCaseAndAccents() {
        BasicTokenizer cased = new BasicTokenizer(false, BasicTokenizer.DEFAULT_NEVER_SPLIT);
        assertEquals(List.of("Caf\u00E9", "HOT", "-", "DOG"), cased.tokenize("Caf\u00E9 HOT-DOG"));
        BasicTokenizer custom = new BasicTokenizer(true, Set.of("<X-Y>"));
        assertEquals(List.of("<X-Y>", "<", "x", "-", "y", ">"), custom.tokenize("<X-Y> <x-y>"));
    }

    @Test
    void spacesCjkIdeographsIncludingOutsideBmp() {
        check("a\u4E2Db", "a", "\u4E2D", "b");
        check("x\uD840\uDC00y", "x", "\uD840\uDC00", "y");   // U+20000, CJK extension B
        // hiragana is not in the CJK ranges (one token); が = か + U+3099 (Mn) under NFD, so it loses its dakuten
        check("\u3072\u3089\u304C\u306A", "\u3072\u3089\u304B\u306A");
        // hangul likewise; NFD turns the syllables into conjoining jamo (category Lo, so they are kept)
        check("\uD55C\uAD6D", "\u1112\u1161\u11AB\u1100\u116E\u11A8");
        // CJK compatibility ideograph: spaced, then NFD maps it to its canonical singleton U+8C48
        check("\uF900x", "\u8C48", "x");
    }

    @Test
    void dropsControlFormatPrivateUseAndReplacementCharacters() {
        check("do\u0007g", "dog");           // Cc
        check("\u00ADsoft", "soft");         // soft hyphen, Cf
        check("zero\u200Bwidth", "zerowidth"); // Cf
        check("a\uFEFFb", "ab");             // BOM, Cf
        check("a\uE000b", "ab");             // private use, Co
        check("a\uFFFDb", "ab");             // replacement character
        check("a\u0000b", "ab");             // NUL
        check("a\uD800b", "ab");             // lone surrogate, Cs
        check("a\u0378b", "ab");             // unassigned, Cn
        // \v, \f, \x1c and U+0085 are Python whitespace but category Cc: dropped, not turned into spaces
        check("a\u000Bb a\u000Cb a\u001Cb a\u0085b", "ab", "ab", "ab", "ab");
    }

    @Test
    void whitespaceVariants() {
        check(" \t a\nb\r\nc ", "a", "b", "c");
        check("a\u00A0b\u3000c\u2003d", "a", "b", "c", "d"); // Zs -> space
        check("a\u2028b\u2029c", "a", "b", "c");             // kept by cleaning, split by str.split()
        check("");
        check(" \t\n ");
    }

    @Test
    void splitsPunctuation() {
        check("\u00BFQu\u00E9?", "\u00BF", "que", "?");     // ¿ is Po
        check("$5 \u20AC5", "$", "5", "\u20AC5");            // $ in the ASCII range; € is Sc: not split
        check("a^b`c~d_e", "a", "^", "b", "`", "c", "~", "d", "_", "e");
        check("a\u2014b\u2026c\u00ABd\u00BB", "a", "\u2014", "b", "\u2026", "c", "\u00AB", "d", "\u00BB");
        check("...", ".", ".", ".");
        check("it\u2019s", "it", "\u2019", "s");
        check("a\uD83D\uDE00b \uD83D\uDE00!", "a\uD83D\uDE00b", "\uD83D\uDE00", "!"); // emoji is So: not split
    }

    @Test
    void characterClassesMatchTheOriginalDefinitions() {
        assertTrue(BasicTokenizer.isPunctuation('`'));
        assertFalse(BasicTokenizer.isPunctuation('\u20AC'));
        assertFalse(BasicTokenizer.isPunctuation(0x1F31F)); // GLOWING STAR, So
        assertTrue(BasicTokenizer.isPunctuation(0x10100)); // AEGEAN WORD SEPARATOR LINE, Po, outside the BMP
        assertFalse(BasicTokenizer.isControl('\t'));
        assertTrue(BasicTokenizer.isControl(0x1D173));     // MUSICAL SYMBOL BEGIN BEAM, Cf
        assertTrue(BasicTokenizer.isWhitespace(0x202F));
        assertFalse(BasicTokenizer.isWhitespace(0x2028));
        assertTrue(BasicTokenizer.isChineseChar(0x2A6DF));
        assertFalse(BasicTokenizer.isChineseChar(0x2A6E0));
    }
}
