package lxmert.text;

import java.util.ArrayList;
import java.util.List;

/**
 * The original {@code WordpieceTokenizer}: greedy longest-match-first over code points, continuation
 * pieces prefixed with "##". A word longer than {@code maxInputCharsPerWord} code points (100 in the
 * original), or one that cannot be fully covered by vocabulary pieces, becomes the unknown token.
 * Immutable and thread-safe.
 */
public final class WordpieceTokenizer {

    public static final int DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;

    private final Vocab vocab;
    private final String unkToken;
    private final int maxInputCharsPerWord;

    /** As LXMERT builds it: unk token "[UNK]", 100 characters per word. */
    public WordpieceTokenizer(Vocab vocab) {
        this(vocab, Vocab.UNK, DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    }

    public WordpieceTokenizer(Vocab vocab, String unkToken, int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    /** Word pieces of {@code text}, which is split on (Python) whitespace first. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String word : PythonStrings.split(text)) appendWord(word, out);
        return out;
    }

    /** Appends the word pieces of one whitespace-free {@code word} to {@code out}. */
    void appendWord(String word, List<String> out) {
        int[] cps = word.codePoints().toArray();
        int n = cps.length;
        if (n > maxInputCharsPerWord) {
            out.add(unkToken);
            return;
        }
        if (vocab.contains(word)) { // fast path: whole word is a piece
            out.add(word);
            return;
        }
        int mark = out.size();
        int start = 0;
        StringBuilder sb = new StringBuilder(word.length() + 2);
        while (start < n) {
            int end = n;
            String cur = null;
            while (start < end) {
                sb.setLength(0);
                if (start > 0) sb.append("##");
                for (int k = start; k < end; k++) sb.appendCodePoint(cps[k]);
                String sub = sb.toString();
                if (vocab.contains(sub)) { cur = sub; break; }
                end--;
            }
            if (cur == null) {
                while (out.size() > mark) out.remove(out.size() - 1);
                out.add(unkToken);
                return;
            }
            out.add(cur);
            start = end;
        }
    }
}
