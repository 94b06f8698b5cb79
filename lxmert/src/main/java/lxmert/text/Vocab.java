package lxmert.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece vocabulary as read by the original {@code load_vocab}: a UTF-8 text file with one token
 * per line, the id of a token being its (0-based) line index. As in Python's text mode, a line ends at
 * {@code \n}, {@code \r\n} or {@code \r}, and each line is stripped with Python {@code str.strip()}.
 *
 * <p>Unlike the original (where a later duplicate silently overwrites an earlier id), a duplicate token
 * or an empty file is an error naming the file and line(s). Immutable and thread-safe.
 */
public final class Vocab {

    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";

    private final String source;
    private final List<String> tokens;
    private final Map<String, Integer> ids;

    private Vocab(String source, List<String> tokens, Map<String, Integer> ids) {
        this.source = source;
        this.tokens = tokens;
        this.ids = ids;
    }

    /** Loads {@code file}; errors name the file and the offending line (1-based). */
    public static Vocab load(Path file) throws IOException {
        String problem = lxmert.util.Check.fileProblem(file); // an IOException, as every other read failure here
        if (problem != null) throw new java.io.FileNotFoundException("vocab file: " + problem);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("vocab file " + file + ": cannot read (" + e + ")", e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("vocab file " + file + ": not valid UTF-8 (" + e + ")", e);
        }
        // A leading BOM stays part of the first token, as with Python's "utf-8" codec.
        return fromLines(file.toString(), splitLines(text));
    }

    /**
     * Builds a vocabulary from tokens in id order; {@code source} names where they came from in error
     * messages. Each token is stripped as the original does.
     */
    public static Vocab fromLines(String source, List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("vocab " + source + ": empty (expected one token per line)");
        }
        List<String> toks = new ArrayList<>(lines.size());
        Map<String, Integer> map = new HashMap<>(lines.size() * 2);
        for (int i = 0; i < lines.size(); i++) {
            String tok = PythonStrings.strip(lines.get(i));
            Integer prev = map.putIfAbsent(tok, i);
            if (prev != null) {
                throw new IllegalArgumentException("vocab " + source + ": line " + (i + 1) + ": token '"
                        + tok + "' duplicates line " + (prev + 1) + " (expected unique tokens)");
            }
            toks.add(tok);
        }
        return new Vocab(source, Collections.unmodifiableList(toks), map);
    }

    /** Splits like Python's universal-newline {@code readline}: terminators \n, \r\n, \r. */
    private static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                start = i + 1;
            }
        }
        if (start < n) lines.add(text.substring(start));
        return lines;
    }

    /** Where this vocabulary came from (file path), for messages. */
    public String source() {
        return source;
    }

    /** Number of tokens (lines). */
    public int size() {
        return tokens.size();
    }

    /** True when {@code token} is in the vocabulary. */
    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The id of {@code token}, or -1 when absent. */
    public int find(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** The id of {@code token}; like the original's {@code vocab[token]} it fails when absent. */
    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("vocab " + source + ": no token '" + token + "'");
        }
        return id;
    }

    /** The token with id {@code id}. */
    public String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IndexOutOfBoundsException("vocab " + source + ": id " + id + " outside [0, "
                    + tokens.size() + ")");
        }
        return tokens.get(id);
    }

    /** All tokens in id order (unmodifiable). */
    public List<String> tokens() {
        return tokens;
    }

    public int padId() {
        return id(PAD);
    }

    public int unkId() {
        return id(UNK);
    }

    public int clsId() {
        return id(CLS);
    }

    public int sepId() {
        return id(SEP);
    }

    public int maskId() {
        return id(MASK);
    }

    @Override
    public String toString() {
        return "Vocab[" + source + ", " + tokens.size() + " tokens]";
    }
}
