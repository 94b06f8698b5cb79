package lxmert.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import lxmert.bench.Timing.Memory;
import lxmert.data.DataOptions;
import lxmert.data.FeatureStore;
import lxmert.data.ObjTsvRow;
import lxmert.data.ObjTsvWriter;
import lxmert.tasks.pretrain.Masking;
import lxmert.tasks.pretrain.PretrainBatch;
import lxmert.tasks.pretrain.PretrainBatcher;
import lxmert.tasks.pretrain.PretrainCorpus;
import lxmert.tasks.pretrain.PretrainTasks;
import lxmert.text.BertTokenizer;
import lxmert.text.Vocab;

import static lxmert.bench.Timing.Memory.mb;

/**
 * {@code bench pretrain-data}: generates a pretraining corpus of the real size in the original layout (by default
 * 9.18M sentences over 180K images, the released corpus's counts), loads it with {@link PretrainCorpus} and reports
 * load time, heap and RSS after loading, then builds batches through the memory-mapped feature stores.
 *
 * <p>Generated data (kept in the directory and reused while the parameters match): {@code lxmert/all_ans.json} with
 * 9500 answers; per source ({@code mscoco_train} for 1 feature file, plus {@code vgnococo} for 2, plus
 * {@code mscoco_nominival} for 3) a JSON list of records, one per image, each with ~sentences/images sentences of
 * 5-14 random whole words of the vocabulary split into a caption category ({@code mscoco}) and a QA category
 * ({@code vqa}, 40% of the sentences) whose labels have 1-3 answers with scores; and the source's obj36 feature TSV
 * (random features of {@code --feat-dim} dims, {@code --boxes} boxes, detector labels/confidences) converted once into
 * its feature store. The words come from {@code --vocab} (e.g. BERT's) or from a generated 30522-entry vocabulary.
 */
public final class PretrainDataBenchmark {
    public record Options(Path dir, int images, long sentences, int featureFiles, int featDim, int boxes, int batches,
                          int batchSize, Path vocab) {}

    private PretrainDataBenchmark() {}

    private static final List<String> ORDER = List.of("mscoco_train", "vgnococo", "mscoco_nominival");

    private static List<String> sources(int featureFiles) {
        if (featureFiles < 1 || featureFiles > 3) throw new IllegalArgumentException("--feature-files must be 1, 2 or 3, got " + featureFiles);
        return ORDER.subList(0, featureFiles);
    }

    /** Runs the benchmark, printing progress and results to {@code out}; returns the final one-line JSON. */
    public static String run(Options o, PrintStream out) throws IOException {
        if (o.sentences() > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("--sentences at most " + (Integer.MAX_VALUE - 8));
        List<String> src = sources(o.featureFiles());
        Files.createDirectories(o.dir());
        Path vocabFile = o.vocab() != null ? o.vocab() : o.dir().resolve("bench-vocab.txt");
        String params = String.format(Locale.ROOT, "images=%d sentences=%d files=%d dim=%d boxes=%d vocab=%s", o.images(), o.sentences(),
                o.featureFiles(), o.featDim(), o.boxes(), vocabFile.toAbsolutePath());
        Path marker = o.dir().resolve("bench-params.txt");
        double genSeconds = 0;
        if (!Files.isRegularFile(marker) || !Files.readString(marker).equals(params)) {
            long t0 = System.nanoTime();
            Files.deleteIfExists(marker);
            if (o.vocab() == null) writeVocab(vocabFile);
            generate(o, src, Vocab.load(vocabFile), out);
            Files.writeString(marker, params);
            genSeconds = Timing.since(t0);
            out.printf(Locale.ROOT, "generated %s in %.1f s%n", params, genSeconds);
        } else {
            out.println("reusing generated data in " + o.dir() + " (" + params + ")");
        }
        BertTokenizer tok = BertTokenizer.fromVocabFile(vocabFile);
        Memory m0 = Memory.afterGc();
        long t1 = System.nanoTime();
        PretrainCorpus c = PretrainCorpus.load(DataOptions.of(o.dir()), String.join(",", src), null, -1, tok, 20);
        double loadSeconds = Timing.since(t1);
        Memory m1 = Memory.afterGc();
        out.printf(Locale.ROOT, "loaded %s%s in %.1f s (packed arrays %.1f MiB)%n", c, c.fromCache() ? " from its cache file" : "", loadSeconds, mb(c.packedBytes()));
        out.println("before loading: " + m0);
        out.println("after loading:  " + m1);
        PretrainBatcher b = new PretrainBatcher(c, c, PretrainTasks.all(), Masking.Specials.of(tok.vocab()), 20, 9595);
        PretrainBatch batch = b.allocate(o.batchSize());
        SplittableRandom r = new SplittableRandom(1);
        int[] idx = new int[o.batchSize()];
        long t2 = System.nanoTime();
        for (int s = 0; s < o.batches(); s++) {
            for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt(c.size());
            b.fill(batch, idx, 0);
        }
        double batchMs = Timing.since(t2) * 1e3 / Math.max(1, o.batches());
        Memory m2 = Memory.afterGc();
        out.printf(Locale.ROOT, "%d random batches of %d: %.1f ms per batch (host side: masking, matching, feature reads)%n",
                o.batches(), o.batchSize(), batchMs);
        out.println("after batches:  " + m2);
        String json = String.format(Locale.ROOT, "{\"examples\": %d, \"images\": %d, \"feature_files\": %d, \"from_cache\": %s, \"load_seconds\": %.2f, "
                        + "\"generate_seconds\": %.1f, \"heap_used_mb\": %.1f, \"heap_used_before_mb\": %.1f, \"rss_mb\": %.1f, "
                        + "\"rss_anon_mb\": %.1f, \"rss_file_mb\": %.1f, \"packed_mb\": %.1f, \"batch_ms\": %.2f, "
                        + "\"rss_anon_after_batches_mb\": %.1f, \"rss_file_after_batches_mb\": %.1f}",
                c.size(), c.numImages(), o.featureFiles(), c.fromCache(), loadSeconds, genSeconds, mb(m1.heap()), mb(m0.heap()), mb(m1.rss()),
                mb(m1.anon()), mb(m1.file()), mb(c.packedBytes()), batchMs, mb(m2.anon()), mb(m2.file()));
        c.close();
        return json;
    }

    static void writeVocab(Path f) throws IOException {
        List<String> v = new ArrayList<>();
        v.add("[PAD]");
        for (int i = 0; i < 99; i++) v.add("[unused" + i + "]");
        v.addAll(List.of("[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = v.size(); i < 30522; i++) v.add(letters(i));
        Files.writeString(f, String.join("\n", v) + "\n", StandardCharsets.UTF_8);
    }

    /** {@code i} in base 26 with letters (the generated vocabulary's whole words). */
    static String letters(int i) {
        StringBuilder b = new StringBuilder("w");
        for (int x = i; x > 0; x /= 26) b.append((char) ('a' + x % 26));
        return b.toString();
    }

    static void generate(Options o, List<String> src, Vocab vocab, PrintStream out) throws IOException {
        List<String> words = new ArrayList<>();
        for (String t : vocab.tokens()) {
            if (!t.startsWith("[") && !t.startsWith("##") && t.chars().allMatch(Character::isLetter)) words.add(t);
        }
        if (words.size() < 100) throw new IllegalArgumentException("vocabulary " + vocab.source() + " has only " + words.size() + " whole words");
        Path root = o.dir();
        JsonFactory jf = new JsonFactory();
        Files.createDirectories(root.resolve("lxmert"));
        try (JsonGenerator g = jf.createGenerator(root.resolve("lxmert/all_ans.json").toFile(), JsonEncoding.UTF8)) {
            g.writeStartArray();
            for (int a = 0; a < 9500; a++) {
                g.writeStartObject();
                g.writeStringField("ans", "answer " + a);
                g.writeArrayFieldStart("dsets");
                g.writeString("vqa");
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        SplittableRandom r = new SplittableRandom(42);
        int files = src.size();
        long sentLeft = o.sentences();
        int imgLeft = o.images();
        StringBuilder sb = new StringBuilder();
        for (int f = 0; f < files; f++) {
            String s = src.get(f);
            int nImg = imgLeft / (files - f);
            long nSent = sentLeft / (files - f);
            imgLeft -= nImg;
            sentLeft -= nSent;
            List<String> ids = new ArrayList<>(nImg);
            for (int i = 0; i < nImg; i++) ids.add(String.format("%s_%09d", s, i));
            try (OutputStream os = Files.newOutputStream(root.resolve("lxmert/" + s + ".json"));
                 JsonGenerator g = jf.createGenerator(os, JsonEncoding.UTF8)) {
                g.writeStartArray();
                for (int i = 0; i < nImg; i++) {
                    long per = nSent / nImg + (i < nSent % nImg ? 1 : 0);
                    int qa = (int) Math.round(per * 0.4);
                    g.writeStartObject();
                    g.writeStringField("img_id", ids.get(i));
                    g.writeObjectFieldStart("labelf");
                    g.writeArrayFieldStart("vqa");
                    for (int q = 0; q < qa; q++) {
                        g.writeStartObject();
                        int k = 1 + r.nextInt(3);
                        for (int a = 0; a < k; a++) g.writeNumberField("answer " + r.nextInt(9500), 0.3 + 0.7 * r.nextDouble());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                    g.writeObjectFieldStart("sentf");
                    g.writeArrayFieldStart("mscoco");
                    for (long q = qa; q < per; q++) g.writeString(sentence(r, words, sb, '.'));
                    g.writeEndArray();
                    g.writeArrayFieldStart("vqa");
                    for (int q = 0; q < qa; q++) g.writeString(sentence(r, words, sb, '?'));
                    g.writeEndArray();
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            Path tsv = root.resolve(PretrainCorpus.SOURCE2TSV.get(s));
            writeTsv(tsv, ids, o.boxes(), o.featDim(), r);
            long t = System.nanoTime();
            try (FeatureStore st = FeatureStore.open(tsv, null, -1, o.featDim())) {
                out.printf(Locale.ROOT, "%s: %d images, %d sentences; feature store %s (%.1f MiB) in %.1f s%n", s, nImg, nSent, st.path(),
                        mb(Files.size(st.path())), Timing.since(t));
            }
        }
    }

    static String sentence(SplittableRandom r, List<String> words, StringBuilder sb, char end) {
        sb.setLength(0);
        int n = 5 + r.nextInt(10);
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(' ');
            sb.append(words.get(r.nextInt(words.size())));
        }
        return sb.append(end).toString();
    }

    static void writeTsv(Path tsv, List<String> ids, int n, int d, SplittableRandom r) throws IOException {
        Files.createDirectories(tsv.getParent());
        long[] obj = new long[n], attr = new long[n];
        float[] oc = new float[n], ac = new float[n], boxes = new float[4 * n], feats = new float[n * d];
        try (ObjTsvWriter w = new ObjTsvWriter(tsv)) {
            for (String id : ids) {
                for (int b = 0; b < n; b++) {
                    obj[b] = r.nextInt(1600);
                    attr[b] = r.nextInt(400);
                    oc[b] = (float) r.nextDouble();
                    ac[b] = (float) r.nextDouble();
                    float x = (float) (r.nextDouble() * 300), y = (float) (r.nextDouble() * 200);
                    boxes[4 * b] = x; boxes[4 * b + 1] = y; boxes[4 * b + 2] = x + 100; boxes[4 * b + 3] = y + 100;
                }
                for (int k = 0; k < feats.length; k++) feats[k] = (float) r.nextDouble();
                w.write(new ObjTsvRow(id, 480, 640, n, d, obj, oc, attr, ac, boxes, feats));
            }
        }
    }
}
