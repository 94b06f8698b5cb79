package lxmert.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The original {@code entry.convert_sents_to_features}: {@code tokenize(sent.strip())}, truncate to
 * max_seq_length - 2 word pieces, {@code ["[CLS]"] + pieces + ["[SEP]"]}, segment ids 0, mask 1, then
 * zero padding of ids, mask and segments to max_seq_length (the padding value is the literal 0, as in
 * the original, not the [PAD] id).
 *
 * <p>Use the static {@link #convert} methods for one-off encoding, or an instance, which fixes the
 * tokenizer and length and caches the encoding of sentences it has seen (questions repeat across
 * epochs). The cache is thread-safe and bounded: once it holds {@code cacheCapacity} sentences (a few
 * more under concurrent inserts), new sentences are encoded without being cached. Cached results are never handed out directly, so callers
 * may modify the arrays they receive.
 */
public final class SentenceEncoder {

    /**
     * Default number of cached sentences (an entry costs roughly 100-300 bytes: the sentence, its ids and
     * a token list whose strings are the vocabulary's own instances).
     */
    public static final int DEFAULT_CACHE_CAPACITY = 1 << 18;

    private final BertTokenizer tokenizer;
    private final int maxSeqLength;
    private final int cacheCapacity;
    private final Map<String, Encoded> cache;

    /** Encoding of one sentence without padding: tokens [CLS]..[SEP] and their ids. */
    private record Encoded(List<String> tokens, int[] ids) {}

    public SentenceEncoder(BertTokenizer tokenizer, int maxSeqLength) {
        this(tokenizer, maxSeqLength, DEFAULT_CACHE_CAPACITY);
    }

    /** @param cacheCapacity maximum number of cached sentences; 0 disables the cache */
    public SentenceEncoder(BertTokenizer tokenizer, int maxSeqLength, int cacheCapacity) {
        checkLength(maxSeqLength);
        if (cacheCapacity < 0) throw new IllegalArgumentException("cacheCapacity must be >= 0, found " + cacheCapacity);
        this.tokenizer = tokenizer;
        this.maxSeqLength = maxSeqLength;
        this.cacheCapacity = cacheCapacity;
        this.cache = new ConcurrentHashMap<>();
    }

    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    public int maxSeqLength() {
        return maxSeqLength;
    }

    /** Number of sentences currently cached. */
    public int cacheSize() {
        return cache.size();
    }

    /** Encodes one sentence (cached). */
    public InputFeatures encode(String sent) {
        return toFeatures(lookup(sent), maxSeqLength);
    }

    /** Encodes sentences (cached), in order. */
    public List<InputFeatures> encode(List<String> sents) {
        List<InputFeatures> out = new ArrayList<>(sents.size());
        for (String s : sents) out.add(encode(s));
        return out;
    }

    /**
     * Fills row-major [B, L] arrays (B = sents.size(), L = max_seq_length) with input ids, input mask and
     * segment ids; any of the arrays may be null to skip it. Each non-null array must have at least B*L
     * elements; the first B*L are overwritten.
     */
    public void encodeBatch(List<String> sents, long[] inputIds, long[] inputMask, long[] segmentIds) {
        checkBatchArrays(sents.size(), maxSeqLength, inputIds, inputMask, segmentIds);
        for (int b = 0; b < sents.size(); b++) {
            fillRow(lookup(sents.get(b)).ids, b * maxSeqLength, maxSeqLength, inputIds, inputMask, segmentIds);
        }
    }

    /** Input ids of a batch as a fresh row-major [B, L] array. */
    public long[] encodeBatchIds(List<String> sents) {
        long[] ids = new long[sents.size() * maxSeqLength];
        encodeBatch(sents, ids, null, null);
        return ids;
    }

    private Encoded lookup(String sent) {
        if (cacheCapacity == 0) return encodeUncached(sent, maxSeqLength, tokenizer);
        Encoded e = cache.get(sent);
        if (e != null) return e;
        e = encodeUncached(sent, maxSeqLength, tokenizer);
        if (cache.size() < cacheCapacity) cache.putIfAbsent(sent, e);
        return e;
    }

    // ---------------------------------------------------------------- static (uncached) forms

    /** {@code convert_sents_to_features([sent], maxSeqLength, tokenizer)[0]}. */
    public static InputFeatures convert(String sent, int maxSeqLength, BertTokenizer tokenizer) {
        checkLength(maxSeqLength);
        return toFeatures(encodeUncached(sent, maxSeqLength, tokenizer), maxSeqLength);
    }

    /** {@code convert_sents_to_features(sents, maxSeqLength, tokenizer)}. */
    public static List<InputFeatures> convert(List<String> sents, int maxSeqLength, BertTokenizer tokenizer) {
        checkLength(maxSeqLength);
        List<InputFeatures> out = new ArrayList<>(sents.size());
        for (String s : sents) out.add(toFeatures(encodeUncached(s, maxSeqLength, tokenizer), maxSeqLength));
        return out;
    }

    /** Uncached form of {@link #encodeBatch}. */
    public static void convertBatch(List<String> sents, int maxSeqLength, BertTokenizer tokenizer,
                                    long[] inputIds, long[] inputMask, long[] segmentIds) {
        checkLength(maxSeqLength);
        checkBatchArrays(sents.size(), maxSeqLength, inputIds, inputMask, segmentIds);
        for (int b = 0; b < sents.size(); b++) {
            fillRow(encodeUncached(sents.get(b), maxSeqLength, tokenizer).ids, b * maxSeqLength, maxSeqLength,
                    inputIds, inputMask, segmentIds);
        }
    }

    private static Encoded encodeUncached(String sent, int maxSeqLength, BertTokenizer tokenizer) {
        List<String> pieces = tokenizer.tokenize(PythonStrings.strip(sent));
        int keep = Math.min(pieces.size(), maxSeqLength - 2);
        List<String> tokens = new ArrayList<>(keep + 2);
        tokens.add(Vocab.CLS);
        tokens.addAll(pieces.subList(0, keep));
        tokens.add(Vocab.SEP);
        int[] ids = tokenizer.convertTokensToIds(tokens);
        // keep the vocabulary's string instances, not the freshly built ones (smaller cache entries)
        return new Encoded(List.copyOf(tokenizer.convertIdsToTokens(ids)), ids);
    }

    private static InputFeatures toFeatures(Encoded e, int maxSeqLength) {
        int n = e.ids.length;
        int[] ids = Arrays.copyOf(e.ids, maxSeqLength);
        int[] mask = new int[maxSeqLength];
        Arrays.fill(mask, 0, n, 1);
        return new InputFeatures(e.tokens, ids, mask, new int[maxSeqLength]);
    }

    private static void fillRow(int[] ids, int off, int len, long[] inputIds, long[] inputMask, long[] segmentIds) {
        int n = ids.length;
        if (inputIds != null) {
            for (int i = 0; i < n; i++) inputIds[off + i] = ids[i];
            Arrays.fill(inputIds, off + n, off + len, 0L);
        }
        if (inputMask != null) {
            Arrays.fill(inputMask, off, off + n, 1L);
            Arrays.fill(inputMask, off + n, off + len, 0L);
        }
        if (segmentIds != null) Arrays.fill(segmentIds, off, off + len, 0L);
    }

    private static void checkLength(int maxSeqLength) {
        if (maxSeqLength < 2) {
            throw new IllegalArgumentException("max_seq_length must be >= 2 (room for [CLS] and [SEP]), found "
                    + maxSeqLength);
        }
    }

    private static void checkBatchArrays(int batch, int len, long[]... arrays) {
        String[] names = {"inputIds", "inputMask", "segmentIds"};
        long need = (long) batch * len;
        for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] != null && arrays[i].length < need) {
                throw new IllegalArgumentException(names[i] + ": expected at least " + batch + "x" + len + "="
                        + need + " elements, found " + arrays[i].length);
            }
        }
    }
}
