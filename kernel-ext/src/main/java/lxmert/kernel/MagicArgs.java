package lxmert.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a magic's argument string like a POSIX shell does for simple cases: words separated by blanks,
 * {@code "double"} and {@code 'single'} quotes group words, a backslash escapes the next character outside single
 * quotes. {@code %lxmert finetune --out "snap/my run"} gives {@code [finetune, --out, snap/my run]}.
 */
public final class MagicArgs {
    private MagicArgs() {
    }

    /** The words of {@code line}; throws naming the position of an unterminated quote. */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        int quoteStart = -1;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') quote = 0;
                else cur.append(c);
            } else if (quote == '"') {
                if (c == '"') quote = 0;
                else if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                    cur.append(line.charAt(++i));
                } else cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                quoteStart = i;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + quote + " quote starting at column " + (quoteStart + 1)
                    + " of: " + line.strip());
        }
        if (inWord) words.add(cur.toString());
        return words;
    }
}
