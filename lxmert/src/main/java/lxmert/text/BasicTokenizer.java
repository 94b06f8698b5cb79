package lxmert.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The original {@code BasicTokenizer} (src/lxrt/tokenization.py): cleaning, CJK spacing, whitespace
 * splitting, lower-casing with accent stripping, punctuation splitting.
 *
 * <ol>
 *   <li>Clean: drop U+0000, U+FFFD and every character whose category starts with "C" (Cc, Cf, Cs, Co, Cn;
 *       the original's {@code _is_control} tests {@code cat.startswith("C")}) except \t \n \r; map
 *       " ", \t, \n, \r and Zs characters to a space.</li>
 *   <li>Surround each CJK ideograph (the original's 8 code point ranges) with spaces.</li>
 *   <li>Split with Python {@code str.split()}.</li>
 *   <li>When lower-casing, every token not in never_split is {@code lower()}ed, NFD-normalised and
 *       stripped of Mn characters.</li>
 *   <li>Split each token (unless in never_split) so that every punctuation character (ASCII 33-47, 58-64,
 *       91-96, 123-126 or category P*) is a token of its own.</li>
 *   <li>Re-split the result on whitespace (dropping empty tokens).</li>
 * </ol>
 * Character properties are the JDK's (Unicode 13.0 on Java 17): characters first assigned in a later
 * Unicode version are unassigned (Cn) here and therefore dropped, where a newer Python would keep them.
 * Immutable and thread-safe.
 */
public final class BasicTokenizer {

    /** The original's default never_split tuple. */
    public static final Set<String> DEFAULT_NEVER_SPLIT =
            Set.of(Vocab.UNK, Vocab.SEP, Vocab.PAD, Vocab.CLS, Vocab.MASK);

    private final boolean doLowerCase;
    private final Set<String> neverSplit;

    /** Lower-casing tokenizer with the default never_split set (as LXMERT uses it). */
    public BasicTokenizer() {
        this(true, DEFAULT_NEVER_SPLIT);
    }

    public BasicTokenizer(boolean doLowerCase, Set<String> neverSplit) {
        this.doLowerCase = doLowerCase;
        this.neverSplit = Set.copyOf(neverSplit);
    }

    public boolean doLowerCase() {
        return doLowerCase;
    }

    public Set<String> neverSplit() {
        return neverSplit;
    }

    /** Tokenizes {@code text} into basic tokens. */
    public List<String> tokenize(String text) {
        String cleaned = cleanAndSpaceCjk(text);
        List<String> orig = PythonStrings.split(cleaned);
        List<String> out = new ArrayList<>(orig.size() + 4);
        for (String token : orig) {
            if (doLowerCase && !neverSplit.contains(token)) {
                token = stripAccents(PythonStrings.lower(token));
            }
            splitOnPunctuation(token, out);
        }
        // whitespace_tokenize(" ".join(split_tokens)): drops empty pieces, splits any inner whitespace
        boolean needsResplit = false;
        for (String t : out) {
            if (t.isEmpty() || PythonStrings.containsSpace(t)) { needsResplit = true; break; }
        }
        if (!needsResplit) return out;
        List<String> resplit = new ArrayList<>(out.size());
        for (String t : out) PythonStrings.splitInto(t, resplit);
        return resplit;
    }

    /** {@code _clean_text} followed by {@code _tokenize_chinese_chars}, in one pass over code points. */
    static String cleanAndSpaceCjk(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) continue;
            if (isWhitespace(cp)) {
                sb.append(' ');
            } else if (isChineseChar(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    /** {@code _run_strip_accents}: NFD, then drop Mn (non-spacing mark) characters. */
    static String stripAccents(String text) {
        boolean ascii = true;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) { ascii = false; break; }
        }
        if (ascii) return text; // ASCII is NFD-stable and has no Mn
        String nfd = Normalizer.normalize(text, Normalizer.Form.NFD);
        StringBuilder sb = new StringBuilder(nfd.length());
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.getType(cp) != Character.NON_SPACING_MARK) sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** {@code _run_split_on_punc}, appending the pieces to {@code out}. */
    void splitOnPunctuation(String text, List<String> out) {
        if (neverSplit.contains(text)) {
            out.add(text);
            return;
        }
        int wordStart = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isPunctuation(cp)) {
                if (wordStart >= 0) { out.add(text.substring(wordStart, i)); wordStart = -1; }
                out.add(text.substring(i, next));
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i = next;
        }
        if (wordStart >= 0) out.add(text.substring(wordStart));
    }

    /** The original's {@code _is_whitespace}: space, \t, \n, \r or category Zs. */
    public static boolean isWhitespace(int cp) {
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
        return Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** The original's {@code _is_control}: category C* except \t, \n, \r. */
    public static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') return false;
        return PythonStrings.isOtherCategory(cp);
    }

    /** The original's {@code _is_punctuation}: non-alphanumeric printable ASCII, or category P*. */
    public static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        if (cp < 0x80) return false;
        return PythonStrings.isPunctuationCategory(cp);
    }

    /** The original's {@code _is_chinese_char}: the CJK Unified Ideographs blocks it lists. */
    public static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
