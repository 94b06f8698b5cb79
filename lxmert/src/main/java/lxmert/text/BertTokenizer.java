package lxmert.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The original {@code BertTokenizer}: {@link BasicTokenizer} then {@link WordpieceTokenizer} on each
 * basic token; token/id conversion through the {@link Vocab}. LXMERT uses
 * {@code BertTokenizer.from_pretrained("bert-base-uncased", do_lower_case=True)}, i.e.
 * {@code new BertTokenizer(Vocab.load(bert-base-uncased-vocab.txt))}. Immutable and thread-safe.
 */
public final class BertTokenizer {

    private final Vocab vocab;
    private final BasicTokenizer basic;
    private final WordpieceTokenizer wordpiece;

    /** Lower-casing tokenizer with the default never_split set. */
    public BertTokenizer(Vocab vocab) {
        this(vocab, true);
    }

    public BertTokenizer(Vocab vocab, boolean doLowerCase) {
        this(vocab, new BasicTokenizer(doLowerCase, BasicTokenizer.DEFAULT_NEVER_SPLIT), new WordpieceTokenizer(vocab));
    }

    public BertTokenizer(Vocab vocab, BasicTokenizer basic, WordpieceTokenizer wordpiece) {
        this.vocab = vocab;
        this.basic = basic;
        this.wordpiece = wordpiece;
    }

    /** Loads {@code vocabFile} and builds the lower-casing tokenizer. */
    public static BertTokenizer fromVocabFile(Path vocabFile) throws IOException {
        return new BertTokenizer(Vocab.load(vocabFile));
    }

    public Vocab vocab() {
        return vocab;
    }

    public BasicTokenizer basicTokenizer() {
        return basic;
    }

    public WordpieceTokenizer wordpieceTokenizer() {
        return wordpiece;
    }

    /** Word pieces of {@code text} (no [CLS]/[SEP], no truncation), as the original {@code tokenize}. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String token : basic.tokenize(text)) wordpiece.appendWord(token, out);
        return out;
    }

    /** Ids of {@code tokens}; fails naming the token when one is not in the vocabulary (as the original's KeyError). */
    public int[] convertTokensToIds(List<String> tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = vocab.id(tokens.get(i));
        return ids;
    }

    /** Tokens of {@code ids}. */
    public List<String> convertIdsToTokens(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) out.add(vocab.token(id));
        return out;
    }
}
