package lxmert.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Python str semantics where Java's built-ins differ. */
class PythonStringsTest {

    @Test
    void isSpaceIsPythonsDefinition() {
        for (int cp : new int[] {' ', '\t', '\n', 0x0B, 0x0C, '\r', 0x1C, 0x1D, 0x1E, 0x1F, 0x85, 0xA0, 0x1680,
                0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}) {
            assertTrue(PythonStrings.isSpace(cp), "isspace U+" + Integer.toHexString(cp));
        }
        for (int cp : new int[] {0x00, 0x08, 0x0E, 0x1B, 0x200B, 0x180E, 0xFEFF, 'a', 0x1F600}) {
            assertFalse(PythonStrings.isSpace(cp), "not isspace U+" + Integer.toHexString(cp));
        }
    }

    @Test
    void stripAndSplit() {
        assertEquals("a b", PythonStrings.strip("\u00A0\u3000\u001F a b\u0085\u2029"));
        assertEquals("\u200Ba\u200B", PythonStrings.strip(" \u200Ba\u200B "), "ZWSP is not whitespace");
        assertEquals("", PythonStrings.strip(" \t\n"));
        assertEquals(List.of("a", "b", "c\uD83D\uDE00"), PythonStrings.split("  a\u00A0b\u2028\u2028c\uD83D\uDE00\u000B"));
        assertEquals(List.of(), PythonStrings.split(""));
    }

    @Test
    void lowerMatchesPython() {
        assertEquals("abc\u00E9", PythonStrings.lower("ABC\u00C9"));
        assertEquals("i\u0307stanbul", PythonStrings.lower("\u0130stanbul"), "full mapping of U+0130");
        assertEquals("\u03BF\u03B4\u03BF\u03C2", PythonStrings.lower("\u039F\u0394\u039F\u03A3"));
        assertEquals("\u03C3\u03B1", PythonStrings.lower("\u03A3\u0391"));
        assertEquals("\u03B1\u03C3\u03B2", PythonStrings.lower("\u0391\u03A3\u0392"), "medial sigma");
        assertEquals("\u03B1'\u03C3'\u03B2", PythonStrings.lower("\u0391'\u03A3'\u0392"), "apostrophes are case-ignorable");
        // '^' is case-ignorable (Sk) for Python; Java's word-boundary rule would give σ here
        assertEquals("\u03B1^\u03C2", PythonStrings.lower("\u0391^\u03A3"));
        assertEquals("1\u03C3", PythonStrings.lower("1\u03A3"), "digit is neither cased nor ignorable");
        assertEquals("\uD801\uDC28", PythonStrings.lower("\uD801\uDC00"), "Deseret capital long I outside the BMP");
        assertEquals("\u01C6", PythonStrings.lower("\u01C5"), "title-case digraph Dž");
        assertEquals("k", PythonStrings.lower("\u212A"), "Kelvin sign");
    }
}
