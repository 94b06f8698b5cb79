package lxmert.tasks.pretrain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import lxmert.data.AnswerTable;
import lxmert.data.DataFormatException;
import lxmert.data.DataOptions;
import lxmert.data.FeatureStore;
import lxmert.data.ImageFeatures;
import lxmert.text.BertTokenizer;

/**
 * The pretraining corpus ({@code LXMERTDataset} + {@code LXMERTTorchDataset}) packed into primitive arrays, so the
 * real corpus (9.18M sentences over 180K images) costs a few hundred MB of heap and no per-sentence Java objects.
 *
 * <p>One example is one (sentence, image) pair, in the original's order: sources in the order given, records in file
 * order, then for every {@code sentf} category (JSON order) its sentences. Records whose image has no features are
 * dropped. Per example it keeps: the image (an index into {@link #imageIds()}, with the feature store and row resolved
 * once), the word pieces of {@code tokenize(sent.strip())} truncated to {@code maxSeqLength - 2} (token ids, 16-bit
 * when the vocabulary fits), the category and sentence index (for the uid) and the QA label: answers converted by
 * {@link AnswerTable#convertAns}, dropped when not in the (optionally {@code --qa-sets}-filtered) table, as answer ids
 * with scores. A label whose answers were all dropped is kept as an empty label (the original keeps the empty dict).
 *
 * <p>The files are read with a streaming JSON parser: only one record is materialised at a time.
 */
public final class PretrainCorpus implements AutoCloseable {
    private final List<String> sources;
    private final AnswerTable answers;
    private final ImageFeatures features;
    private final int maxTokens;
    private final int vocabSize;
    // images
    private final String[] imageIds;
    private final int[] imageStore;   // index into features.stores(), -1 without features
    private final int[] imageRow;
    private final int[] imageBoxes;
    // examples
    private final int size;
    private final int[] exImage;
    private final int[] tokOffset;    // size + 1
    private final char[] tokens16;    // vocab <= 65536
    private final int[] tokens32;     // otherwise
    private final byte[] exCategory;
    private final int[] exSentIdx;
    private final BitSet labelled;
    private final int[] labOffset;    // size + 1
    private final int[] labAnswer;
    private final float[] labScore;
    private final String[] categories;
    private final int droppedRecords;
    private final int records;
    private final boolean fromCache;

    private PretrainCorpus(Builder b, ImageFeatures features) {
        this(List.copyOf(b.sources), b.answers, features, b.maxTokens, b.vocabSize, b.imageIds.toArray(new String[0]),
                Arrays.copyOf(b.imageStore.a, b.imageIds.size()), Arrays.copyOf(b.imageRow.a, b.imageIds.size()),
                Arrays.copyOf(b.imageBoxes.a, b.imageIds.size()), b.exImage.trim(), b.tokOffset.trim(),
                b.wide ? null : Arrays.copyOf(b.tok16, b.tokN), b.wide ? Arrays.copyOf(b.tok32, b.tokN) : null,
                Arrays.copyOf(b.exCategory, b.exImage.n), b.exSentIdx.trim(), b.labelled, b.labOffset.trim(), b.labAnswer.trim(),
                Arrays.copyOf(b.labScore, b.labAnswer.n), b.categories.toArray(new String[0]), b.dropped, b.records, false);
    }

    private PretrainCorpus(List<String> sources, AnswerTable answers, ImageFeatures features, int maxTokens, int vocabSize,
                           String[] imageIds, int[] imageStore, int[] imageRow, int[] imageBoxes, int[] exImage, int[] tokOffset,
                           char[] tokens16, int[] tokens32, byte[] exCategory, int[] exSentIdx, BitSet labelled, int[] labOffset,
                           int[] labAnswer, float[] labScore, String[] categories, int droppedRecords, int records, boolean fromCache) {
        this.sources = sources;
        this.answers = answers;
        this.features = features;
        this.maxTokens = maxTokens;
        this.vocabSize = vocabSize;
        this.imageIds = imageIds;
        this.imageStore = imageStore;
        this.imageRow = imageRow;
        this.imageBoxes = imageBoxes;
        this.size = exImage.length;
        this.exImage = exImage;
        this.tokOffset = tokOffset;
        this.tokens16 = tokens16;
        this.tokens32 = tokens32;
        this.exCategory = exCategory;
        this.exSentIdx = exSentIdx;
        this.labelled = labelled;
        this.labOffset = labOffset;
        this.labAnswer = labAnswer;
        this.labScore = labScore;
        this.categories = categories;
        this.droppedRecords = droppedRecords;
        this.records = records;
        this.fromCache = fromCache;
    }

    /** Source -> feature TSV relative to the data root ({@code lxmert_data.py Split2ImgFeatPath}). */
    public static final Map<String, String> SOURCE2TSV = Map.of(
            "mscoco_train", "mscoco_imgfeat/train2014_obj36.tsv",
            "mscoco_minival", "mscoco_imgfeat/val2014_obj36.tsv",
            "mscoco_nominival", "mscoco_imgfeat/val2014_obj36.tsv",
            "vgnococo", "vg_gqa_imgfeat/vg_gqa_obj36.tsv");

    // ------------------------------------------------------------------------------------------------ loading

    /**
     * Loads {@code sources} (comma-separated, e.g. {@code mscoco_train,mscoco_nominival,vgnococo}) from
     * {@code root/lxmert/<source>.json} with the images of each source's TSV ({@link #SOURCE2TSV}),
     * first {@code topK} rows of each ({@code <= 0}: all; the original uses 500 with --tiny, 5000 with --fast and for
     * the valid split).
     *
     * @param qaSets the {@code --qa-sets} filter of all_ans.json (null: all answers)
     */
    public static PretrainCorpus load(DataOptions opt, String sources, List<String> qaSets, int topK,
                                      BertTokenizer tokenizer, int maxSeqLength) throws IOException {
        List<String> src = splitSources(sources);
        List<Path> tsvs = new ArrayList<>();
        List<Integer> ks = new ArrayList<>();
        for (String s : src) {
            String rel = SOURCE2TSV.get(s);
            if (rel == null) {
                throw new IllegalArgumentException("unknown pretraining source '" + s + "', expected one of "
                        + new java.util.TreeSet<>(SOURCE2TSV.keySet()));
            }
            tsvs.add(opt.root().resolve(rel));
            ks.add(topK);
        }
        ImageFeatures f = ImageFeatures.open(opt, tsvs, ks);
        try {
            AnswerTable t = AnswerTable.load(opt.root().resolve("lxmert/all_ans.json"), qaSets);
            List<Path> files = new ArrayList<>();
            for (String s : src) files.add(opt.root().resolve("lxmert").resolve(s + ".json"));
            Path allAns = opt.root().resolve("lxmert/all_ans.json");
            String key = CorpusCache.key(files, allAns, qaSets, maxSeqLength, tokenizer, f);
            Path cache = CorpusCache.path(opt, src, key);
            PretrainCorpus cached = CorpusCache.read(cache, key, src, t, f);
            if (cached != null) return cached;
            PretrainCorpus c = load(files, src, t, f, tokenizer, maxSeqLength);
            CorpusCache.write(cache, key, c);
            return c;
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** topK of the training corpus: 500 with --tiny, 5000 with --fast, all otherwise (lxmert_data.py). */
    public static int trainTopK(DataOptions opt) { return opt.pretrainTopK(); }

    /** topK of the valid corpus: the original loads it with topk=5000 (500 with --tiny). */
    public static int validTopK(DataOptions opt) { return opt.size() == DataOptions.Size.TINY ? 500 : 5000; }

    /**
     * {@code --qa-sets vqa,gqa,visual7w} as the original parses it (lower-cased, stripped); null or blank: no filter.
     * (The original's docstring says unlabelled data are then removed; its code does not, nor does this.)
     */
    public static List<String> parseQaSets(String s) {
        if (s == null || s.isBlank()) return null;
        List<String> out = new ArrayList<>();
        for (String p : s.split(",")) out.add(p.toLowerCase(java.util.Locale.ROOT).strip());
        return out;
    }

    static List<String> splitSources(String sources) {
        List<String> out = new ArrayList<>();
        for (String s : sources.split(",")) if (!s.isBlank()) out.add(s.strip());
        if (out.isEmpty()) throw new IllegalArgumentException("no pretraining source given: '" + sources + "'");
        return out;
    }

    /**
     * Loads the given source files (named {@code sourceNames}) against {@code features} (null: keep every record, no
     * feature lookup; for tests and measurements of the text side alone).
     */
    public static PretrainCorpus load(List<Path> files, List<String> sourceNames, AnswerTable table, ImageFeatures features,
                                      BertTokenizer tokenizer, int maxSeqLength) throws IOException {
        if (maxSeqLength < 3) throw new IllegalArgumentException("max sequence length must be >= 3, got " + maxSeqLength);
        Builder b = new Builder(sourceNames, table, tokenizer, maxSeqLength - 2, features);
        JsonFactory jf = new JsonFactory();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file); JsonParser p = jf.createParser(in)) {
                new RecordReader(file, p, b).readAll();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new DataFormatException(file, "line " + e.getLocation().getLineNr(), "invalid JSON: " + e.getOriginalMessage());
            }
        }
        return new PretrainCorpus(b, features);
    }

    /** Streams {@code [ {img_id, sentf, labelf}, ... ]} one record at a time into the builder. */
    private static final class RecordReader {
        final Path file;
        final JsonParser p;
        final Builder b;
        int index;

        RecordReader(Path file, JsonParser p, Builder b) { this.file = file; this.p = p; this.b = b; }

        DataFormatException err(String what) {
            return new DataFormatException(file, "index " + index + " (line " + p.getCurrentLocation().getLineNr() + ")", what);
        }

        void readAll() throws IOException {
            if (p.nextToken() != JsonToken.START_ARRAY) throw new DataFormatException(file, "top level", "expected a list of records");
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() != JsonToken.START_OBJECT) throw err("expected an object, found " + p.currentToken());
                readRecord();
                index++;
            }
        }

        void readRecord() throws IOException {
            String img = null;
            Map<String, List<String>> sentf = null;
            Map<String, List<Map<String, Double>>> labelf = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String k = p.currentName();
                JsonToken t = p.nextToken();
                switch (k) {
                    case "img_id":
                        if (t != JsonToken.VALUE_STRING) throw err("key 'img_id': expected a string, found " + t);
                        img = p.getText();
                        break;
                    case "sentf":
                        sentf = readSentf();
                        break;
                    case "labelf":
                        labelf = readLabelf();
                        break;
                    default:
                        p.skipChildren();
                }
            }
            if (img == null) throw err("missing key 'img_id'");
            if (sentf == null) throw err("missing key 'sentf'");
            if (labelf == null) throw err("missing key 'labelf'");
            for (var e : labelf.entrySet()) {
                List<String> s = sentf.get(e.getKey());
                if (s != null && e.getValue().size() < s.size()) {
                    throw err("labelf['" + e.getKey() + "'] has " + e.getValue().size() + " labels for " + s.size() + " sentences");
                }
            }
            b.addRecord(img, sentf, labelf);
        }

        Map<String, List<String>> readSentf() throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) throw err("key 'sentf': expected an object");
            Map<String, List<String>> out = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String cat = p.currentName();
                if (p.nextToken() != JsonToken.START_ARRAY) throw err("sentf['" + cat + "']: expected a list");
                List<String> s = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() != JsonToken.VALUE_STRING) throw err("sentf['" + cat + "'][" + s.size() + "]: expected a string, found " + p.currentToken());
                    s.add(p.getText());
                }
                out.put(cat, s);
            }
            return out;
        }

        Map<String, List<Map<String, Double>>> readLabelf() throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) throw err("key 'labelf': expected an object");
            Map<String, List<Map<String, Double>>> out = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String cat = p.currentName();
                if (p.nextToken() != JsonToken.START_ARRAY) throw err("labelf['" + cat + "']: expected a list");
                List<Map<String, Double>> labels = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() != JsonToken.START_OBJECT) throw err("labelf['" + cat + "'][" + labels.size() + "]: expected an object");
                    Map<String, Double> m = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String ans = p.currentName();
                        JsonToken v = p.nextToken();
                        if (!v.isNumeric()) throw err("labelf['" + cat + "'][" + labels.size() + "]['" + ans + "']: expected a number, found " + v);
                        m.put(ans, p.getDoubleValue());
                    }
                    labels.add(m);
                }
                out.put(cat, labels);
            }
            return out;
        }
    }

    /**
     * Accumulates examples into growable primitive buffers. Public for generating corpora directly (benchmarks,
     * tests); {@link #load} uses it record by record.
     */
    public static final class Builder {
        final List<String> sources;
        final AnswerTable answers;
        final BertTokenizer tokenizer;
        final int maxTokens;
        final int vocabSize;
        final ImageFeatures features;
        final boolean wide;
        final List<String> imageIds = new ArrayList<>();
        final Map<String, Integer> imageIndex = new HashMap<>();
        final IntBuf imageStore = new IntBuf(), imageRow = new IntBuf(), imageBoxes = new IntBuf();
        final IntBuf exImage = new IntBuf(), tokOffset = new IntBuf(), exSentIdx = new IntBuf();
        final IntBuf labOffset = new IntBuf(), labAnswer = new IntBuf();
        float[] labScore = new float[1024];
        byte[] exCategory = new byte[1024];
        char[] tok16 = new char[1 << 16];
        int[] tok32;
        int tokN;
        final BitSet labelled = new BitSet();
        static final int WORD_CACHE = 1 << 20;
        final Map<String, int[]> wordCache = new HashMap<>();
        int[] pieces = new int[64];
        final List<String> categories = new ArrayList<>();
        int dropped, records;

        public Builder(List<String> sources, AnswerTable answers, BertTokenizer tokenizer, int maxTokens, ImageFeatures features) {
            this.sources = sources;
            this.answers = answers;
            this.tokenizer = tokenizer;
            this.maxTokens = maxTokens;
            this.vocabSize = tokenizer.vocab().size();
            this.features = features;
            this.wide = vocabSize > 65536;
            if (wide) { tok32 = new int[1 << 16]; tok16 = null; }
            tokOffset.add(0);
            labOffset.add(0);
        }

        /** Adds one record; returns false (and counts it dropped) when its image has no features. */
        public boolean addRecord(String imgId, Map<String, List<String>> sentf, Map<String, List<Map<String, Double>>> labelf) {
            records++;
            int img = image(imgId);
            if (img < 0) { dropped++; return false; }
            for (var e : sentf.entrySet()) {
                List<Map<String, Double>> labels = labelf.get(e.getKey());
                int cat = category(e.getKey());
                List<String> sents = e.getValue();
                for (int i = 0; i < sents.size(); i++) {
                    int[] ids = encode(sents.get(i).strip());
                    addExample(img, cat, i, ids, labels == null ? null : convertLabel(labels.get(i), answers));
                }
            }
            return true;
        }

        /** Word pieces of {@code text} as ids: {@code tokenize} word by word, each word's pieces cached. */
        int[] encode(String text) {
            List<String> words = tokenizer.basicTokenizer().tokenize(text);
            int n = 0;
            for (String w : words) {
                int[] p = wordCache.get(w);
                if (p == null) {
                    p = tokenizer.convertTokensToIds(tokenizer.wordpieceTokenizer().tokenize(w));
                    if (wordCache.size() < WORD_CACHE) wordCache.put(w, p);
                }
                if (n + p.length > pieces.length) pieces = Arrays.copyOf(pieces, Math.max(2 * pieces.length, n + p.length));
                System.arraycopy(p, 0, pieces, n, p.length);
                n += p.length;
                if (n >= maxTokens) break; // later pieces are truncated anyway
            }
            return Arrays.copyOf(pieces, n);
        }

        private int category(String c) {
            int i = categories.indexOf(c);
            if (i >= 0) return i;
            if (categories.size() == 127) throw new IllegalArgumentException("more than 127 sentence categories (sentf keys)");
            categories.add(c);
            return categories.size() - 1;
        }

        private int image(String imgId) {
            Integer i = imageIndex.get(imgId);
            if (i != null) return i;
            int store = -1, row = -1, boxes = 0;
            if (features != null) {
                List<FeatureStore> st = features.stores();
                for (int s = st.size() - 1; s >= 0 && store < 0; s--) {
                    int r = st.get(s).index(imgId);
                    if (r >= 0) { store = s; row = r; boxes = -1; } // box count read when first needed
                }
                if (store < 0) return -1;
            }
            imageIds.add(imgId);
            imageStore.add(store);
            imageRow.add(row);
            imageBoxes.add(boxes);
            imageIndex.put(imgId, imageIds.size() - 1);
            return imageIds.size() - 1;
        }

        /** Adds one example: word-piece ids (truncated here) and its converted label (null: unlabelled source). */
        public void addExample(int image, int category, int sentIdx, int[] ids, Map<String, Double> label) {
            int n = exImage.n;
            exImage.add(image);
            if (n == exCategory.length) exCategory = Arrays.copyOf(exCategory, n * 2);
            exCategory[n] = (byte) category;
            exSentIdx.add(sentIdx);
            int len = Math.min(ids.length, maxTokens);
            ensureTokens(tokN + len);
            for (int k = 0; k < len; k++) {
                if (wide) tok32[tokN++] = ids[k];
                else tok16[tokN++] = (char) ids[k];
            }
            tokOffset.add(tokN);
            if (label != null) {
                labelled.set(n);
                for (Map.Entry<String, Double> a : label.entrySet()) {
                    int id = answers.ans2id(a.getKey());
                    if (id < 0) continue;
                    if (labAnswer.n == labScore.length) labScore = Arrays.copyOf(labScore, labScore.length * 2);
                    labScore[labAnswer.n] = a.getValue().floatValue();
                    labAnswer.add(id);
                }
            }
            labOffset.add(labAnswer.n);
        }

        /** Adds a synthetic image (no feature store) and returns its index; for generated corpora. */
        public int addImage(String imgId) {
            if (features != null) throw new IllegalStateException("addImage is for corpora without features");
            return image(imgId);
        }

        private void ensureTokens(int need) {
            if (wide) { if (need > tok32.length) tok32 = Arrays.copyOf(tok32, grow(tok32.length, need)); }
            else if (need > tok16.length) tok16 = Arrays.copyOf(tok16, grow(tok16.length, need));
        }

        public PretrainCorpus build() { return new PretrainCorpus(this, features); }
    }

    /**
     * The original's in-place loop over {@code list(label.keys())}: a converted answer in the table replaces the
     * original key ({@code label[new] = label.pop(ans)}, so it moves to the end / overwrites), others are removed.
     */
    static Map<String, Double> convertLabel(Map<String, Double> label, AnswerTable table) {
        Map<String, Double> m = new LinkedHashMap<>(label);
        for (String ans : new ArrayList<>(label.keySet())) {
            String na = AnswerTable.convertAns(ans);
            if (table.used(na)) {
                if (!ans.equals(na)) m.put(na, m.remove(ans));
            } else {
                m.remove(ans);
            }
        }
        return m;
    }

    static int grow(int cur, int need) {
        long n = Math.max((long) need, cur + (cur >> 1) + 16L);
        if (n > Integer.MAX_VALUE - 8) {
            if (need > Integer.MAX_VALUE - 8) throw new IllegalStateException("corpus too large for one array: " + need);
            n = Integer.MAX_VALUE - 8;
        }
        return (int) n;
    }

    static final class IntBuf {
        int[] a = new int[1024];
        int n;

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, grow(a.length, n + 1));
            a[n++] = v;
        }

        int[] trim() { return Arrays.copyOf(a, n); }
    }

    // ------------------------------------------------------------------------------------------------ access

    /** Number of (sentence, image) examples. */
    public int size() { return size; }

    public int numImages() { return imageIds.length; }

    /** The source names given at load. */
    public List<String> sources() { return sources; }

    public AnswerTable answerTable() { return answers; }

    /** The feature stores (null for a text-only corpus). */
    public ImageFeatures features() { return features; }

    /** Records read and records dropped because their image has no features. */
    public int records() { return records; }

    public int droppedRecords() { return droppedRecords; }

    /** At most this many word pieces per example ({@code maxSeqLength - 2}). */
    public int maxTokens() { return maxTokens; }

    /** Size of the tokenizer's vocabulary (the range of the random-word replacement). */
    public int vocabSize() { return vocabSize; }

    /** The distinct img_ids, in order of first use. */
    public List<String> imageIds() { return Arrays.asList(imageIds); }

    public int image(int example) { return exImage[example]; }

    public String imgId(int example) { return imageIds[exImage[example]]; }

    /**
     * Number of boxes of image {@code image} (0 without features). Read from the feature store on first use, so
     * loading touches no feature record: the store's pages come into memory only as batches need them.
     */
    public int imageBoxes(int image) {
        int n = imageBoxes[image];
        if (n < 0) {
            n = store(image).numBoxes(imageRow[image]);
            imageBoxes[image] = n; // benign race: every thread computes the same value
        }
        return n;
    }

    /** The feature store holding image {@code image} and its row there. */
    public FeatureStore store(int image) { return features.stores().get(imageStore[image]); }

    public int row(int image) { return imageRow[image]; }

    /**
     * Boxes per image in a batch: the most boxes of any image of the feature stores (from their headers, as the task
     * loaders), or of the corpus's images when it has no features.
     */
    public int maxBoxes() {
        int m = 0;
        if (features != null) {
            for (FeatureStore s : features.stores()) m = Math.max(m, s.maxBoxes());
            return m;
        }
        for (int b : imageBoxes) m = Math.max(m, b);
        return m;
    }

    public int numTokens(int example) { return tokOffset[example + 1] - tokOffset[example]; }

    /** Copies the word-piece ids of {@code example} into {@code dst} and returns how many. */
    public int tokens(int example, int[] dst) {
        int a = tokOffset[example], n = tokOffset[example + 1] - a;
        for (int k = 0; k < n; k++) dst[k] = tokens16 != null ? tokens16[a + k] : tokens32[a + k];
        return n;
    }

    /** The sentence category ({@code sentf} key, the original's {@code dset}). */
    public String category(int example) { return categories[exCategory[example]]; }

    /** The original's uid {@code <img_id>_<dset>_<%03d sentence index>}. */
    public String uid(int example) {
        return String.format("%s_%s_%03d", imgId(example), category(example), exSentIdx[example]);
    }

    /** Whether the example's source has QA labels (its label may still be empty after the answer filter). */
    public boolean labelled(int example) { return labelled.get(example); }

    /** Number of (answer id, score) pairs of the example's label. */
    public int numAnswers(int example) { return labOffset[example + 1] - labOffset[example]; }

    public int answer(int example, int k) { return labAnswer[labOffset[example] + k]; }

    public float score(int example, int k) { return labScore[labOffset[example] + k]; }

    /** The label's score of answer id {@code ans} (0 when absent); the QA accuracy of predicting it. */
    public double scoreOf(int example, int ans) {
        for (int k = labOffset[example]; k < labOffset[example + 1]; k++) if (labAnswer[k] == ans) return labScore[k];
        return 0;
    }

    /** Whether this corpus was read from its packed cache file rather than parsed and tokenised. */
    public boolean fromCache() { return fromCache; }

    /** The packed arrays, in {@link CorpusCache}'s order. */
    Object[] arrays() {
        return new Object[] {imageStore, imageRow, imageBoxes, exImage, tokOffset, tokens16 != null ? tokens16 : tokens32, exCategory,
                exSentIdx, labelled.toLongArray(), labOffset, labAnswer, labScore};
    }

    String[] imageIdArray() { return imageIds; }

    String[] categoryArray() { return categories; }

    static PretrainCorpus fromArrays(List<String> sources, AnswerTable answers, ImageFeatures features, int maxTokens, int vocabSize,
                                     String[] imageIds, String[] categories, int droppedRecords, int records, Object[] a) {
        return new PretrainCorpus(sources, answers, features, maxTokens, vocabSize, imageIds, (int[]) a[0], (int[]) a[1], (int[]) a[2],
                (int[]) a[3], (int[]) a[4], a[5] instanceof char[] ? (char[]) a[5] : null, a[5] instanceof int[] ? (int[]) a[5] : null,
                (byte[]) a[6], (int[]) a[7], BitSet.valueOf((long[]) a[8]), (int[]) a[9], (int[]) a[10], (float[]) a[11], categories,
                droppedRecords, records, true);
    }

    /** Approximate bytes held by the packed arrays (excluding the image id strings). */
    public long packedBytes() {
        long b = 4L * (exImage.length + tokOffset.length + exSentIdx.length + labOffset.length + labAnswer.length + labScore.length
                + imageStore.length + imageRow.length + imageBoxes.length) + exCategory.length;
        b += tokens16 != null ? 2L * tokens16.length : 4L * tokens32.length;
        return b;
    }

    @Override
    public void close() { if (features != null) features.close(); }

    @Override
    public String toString() {
        return "PretrainCorpus[" + sources + ": " + size + " examples, " + imageIds.length + " images, " + records + " records ("
                + droppedRecords + " without features), answer table " + (answers == null ? 0 : answers.size()) + "]";
    }
}
