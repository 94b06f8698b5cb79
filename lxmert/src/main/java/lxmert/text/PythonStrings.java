package lxmert.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Python 3 {@code str} semantics needed to reproduce the original tokenizer bit for bit, working on
 * Unicode code points (so characters outside the BMP count as one character, as in Python).
 *
 * <p>Java's own {@code String.trim}, {@code split("\\s+")}, {@code Character.isWhitespace} and
 * {@code String.toLowerCase} differ from Python's {@code strip}, {@code split}, {@code isspace} and
 * {@code lower} on several characters (e.g. U+00A0, U+001C..U+001F, U+0085, U+0130, final sigma in
 * non-word contexts), so they are not used.
 *
 * <p>Character properties come from the JDK's Unicode tables (Java 17: Unicode 13.0). Python 3.11 uses
 * Unicode 14.0; characters assigned only after Unicode 13 are "unassigned" (category Cn) here.
 */
public final class PythonStrings {

    private PythonStrings() {}

    /**
     * Python {@code str.isspace()} for one code point: bidirectional class WS, B or S, or category Zs.
     * That is U+0009..U+000D, U+001C..U+001F, U+0085 and the Zs, Zl (U+2028), Zp (U+2029) characters.
     */
    public static boolean isSpace(int cp) {
        if (cp < 0x80) {
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
        }
        if (cp == 0x85) return true;
        int t = Character.getType(cp);
        return t == Character.SPACE_SEPARATOR || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR;
    }

    /** Python {@code str.strip()} (no argument): removes leading and trailing {@link #isSpace} characters. */
    public static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end) {
            int cp = s.codePointAt(start);
            if (!isSpace(cp)) break;
            start += Character.charCount(cp);
        }
        while (end > start) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) break;
            end -= Character.charCount(cp);
        }
        return s.substring(start, end);
    }

    /** Python {@code str.split()} (no argument): runs of {@link #isSpace} separate, no empty strings. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        splitInto(s, out);
        return out;
    }

    /** Appends the pieces of Python {@code s.split()} to {@code out}. */
    static void splitInto(String s, List<String> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            while (i < n) {
                cp = s.codePointAt(i);
                if (isSpace(cp)) break;
                i += Character.charCount(cp);
            }
            out.add(s.substring(start, i));
        }
    }

    /** True when {@code s} contains a {@link #isSpace} character. */
    static boolean containsSpace(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) return true;
            i += Character.charCount(cp);
        }
        return false;
    }

    /**
     * Python {@code str.lower()}: the full lower-case mapping (U+0130 becomes "i\u0307", the only
     * unconditional multi-character lower-case mapping) and the Final_Sigma rule for U+03A3 exactly as
     * CPython's {@code handle_capital_sigma}: final form when preceded by a cased letter (skipping
     * case-ignorable characters) and not followed by one (skipping case-ignorable characters). This
     * differs from Java's {@code toLowerCase}, which uses word boundaries for the sigma context.
     */
    public static String lower(String s) {
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) { ascii = false; break; }
        }
        if (ascii) {
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 'A' && c <= 'Z') return asciiLower(s);
            }
            return s;
        }
        StringBuilder sb = new StringBuilder(n + 4);
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            if (cp == 0x130) {
                sb.append('i').append('\u0307');
            } else if (cp == 0x3A3) {
                sb.append(isFinalSigma(s, i) ? '\u03C2' : '\u03C3');
            } else {
                sb.appendCodePoint(Character.toLowerCase(cp));
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    private static String asciiLower(String s) {
        char[] a = s.toCharArray();
        for (int i = 0; i < a.length; i++) {
            if (a[i] >= 'A' && a[i] <= 'Z') a[i] = (char) (a[i] + 32);
        }
        return new String(a);
    }

    /** CPython's Final_Sigma test for the capital sigma at char index {@code i} of {@code s}. */
    private static boolean isFinalSigma(String s, int i) {
        int j = i;
        int c = -1;
        boolean found = false;
        while (j > 0) {
            c = s.codePointBefore(j);
            j -= Character.charCount(c);
            if (!isCaseIgnorable(c)) { found = true; break; }
        }
        if (!found || !isCased(c)) return false;
        int k = i + 1; // U+03A3 is one char
        while (k < s.length()) {
            c = s.codePointAt(k);
            if (!isCaseIgnorable(c)) return !isCased(c);
            k += Character.charCount(c);
        }
        return true;
    }

    /** Unicode derived property Cased (Lowercase, Uppercase or Lt). */
    static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /**
     * Unicode derived property Case_Ignorable: categories Mn, Me, Cf, Lm, Sk, or Word_Break
     * MidLetter / MidNumLet / Single_Quote.
     */
    static boolean isCaseIgnorable(int cp) {
        switch (cp) {
            case 0x0027: // Single_Quote
            case 0x002E: case 0x2018: case 0x2019: case 0x2024: case 0xFE52: case 0xFF07: case 0xFF0E: // MidNumLet
            case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4: case 0x2027: case 0xFE13:
            case 0xFE55: case 0xFF1A: // MidLetter
                return true;
            default:
                int t = Character.getType(cp);
                return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK
                        || t == Character.FORMAT || t == Character.MODIFIER_LETTER
                        || t == Character.MODIFIER_SYMBOL;
        }
    }

    /** True when the general category is one of C* (Cc, Cf, Cs, Co, Cn), as {@code category(c).startswith("C")}. */
    public static boolean isOtherCategory(int cp) {
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE
                || t == Character.PRIVATE_USE || t == Character.UNASSIGNED;
    }

    /** True when the general category is one of P* (Pc, Pd, Ps, Pe, Pi, Pf, Po). */
    public static boolean isPunctuationCategory(int cp) {
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }
}
