package lxmert.data.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import lxmert.data.ObjTsvRow;
import lxmert.data.ObjTsvWriter;
import lxmert.data.PyJson;

/**
 * The bundled synthetic world: a deterministic (per seed) set of scenes of coloured objects, written in exactly the
 * original data layout so every loader, the model and the CLI can run end to end without the real data.
 *
 * <p>Scenes hold 2-7 objects (8 classes x 8 colours x small/large) at grid positions. Each image has 36 detector boxes:
 * its objects plus clutter boxes; features are a noisy sum of class, colour and size embeddings (clutter: noise around
 * a clutter embedding), detector labels are class / colour ids with confidences. Questions are generated from the
 * scene and accepted only while their answer keeps the per-question-string answer histogram balanced, so the question
 * text alone says little beyond its template: the image is needed. Written files (under the data root):
 * <ul>
 * <li>{@code vqa/{train,nominival,minival,test}.json} (VQA format, soft scores of 10 simulated annotators; test without
 *     labels), {@code vqa/trainval_{ans2label,label2ans}.json}, {@code vqa/{train,nominival,minival}_annotations.json}
 *     (official VQA v2 annotation format, for the official metric);</li>
 * <li>{@code gqa/{train,valid,testdev,submit}.json}, {@code gqa/trainval_*};</li>
 * <li>{@code nlvr2/{train,valid,test}.json}: statements about image pairs, each sentence with a true and a false pair;</li>
 * <li>{@code lxmert/{mscoco_train,mscoco_nominival,mscoco_minival,vgnococo}.json} (captions + QA) and
 *     {@code lxmert/all_ans.json};</li>
 * <li>feature TSVs {@code mscoco_imgfeat/{train2014,val2014,test2015}_obj36.tsv},
 *     {@code vg_gqa_imgfeat/{vg_gqa,gqa_testdev}_obj36.tsv}, {@code nlvr2_imgfeat/{train,valid,test}_obj36.tsv};</li>
 * <li>{@code synth-vocab.txt}: a BERT-shaped WordPiece vocabulary ([PAD]=0, [unused*], [UNK]=100, [CLS]=101,
 *     [SEP]=102, [MASK]=103, punctuation, digits, letters and '##' letters, then every word of the world).</li>
 * </ul>
 */
public final class SynthWorld {
    /** The fewest boxes per image ({@code --boxes}): room for the most objects a scene holds. */
    public static final int MIN_BOXES = Scene.MAX_OBJECTS;

    /**
     * Seed, size multiplier (1.0 = a few hundred images), visual feature dim, boxes per image (the scene's
     * objects plus clutter boxes; 36 as the original obj36 files) and the VQA question families to ask
     * ({@link #VQA_FAMILIES}; a family listed twice is drawn twice as often; empty = the default mix, which the
     * bundled world and every other split keep) and the most objects in a scene (2..7; 7 by default).
     */
    public record Config(long seed, double scale, int featDim, int boxes, List<String> vqaFamilies, int maxObjects) {
        public Config {
            if (maxObjects < 2 || maxObjects > Scene.MAX_OBJECTS) {
                throw new IllegalArgumentException("max objects per scene must be in 2.." + Scene.MAX_OBJECTS + ": " + maxObjects);
            }
            vqaFamilies = vqaFamilies == null ? List.of() : List.copyOf(vqaFamilies);
            for (String f : vqaFamilies) {
                if (!VQA_FAMILIES.contains(f)) {
                    throw new IllegalArgumentException("unknown VQA question family \"" + f + "\"; known: " + VQA_FAMILIES);
                }
            }
        }

        public Config(long seed, double scale, int featDim, int boxes) {
            this(seed, scale, featDim, boxes, List.of(), Scene.MAX_OBJECTS);
        }

        public Config(long seed, double scale, int featDim) {
            this(seed, scale, featDim, BOXES);
        }

        /**
         * This world with only the given VQA families asked (e.g. {@code "colour", "shape"}: the questions only the
         * image answers); GQA, NLVR2, pretraining and the features are unchanged.
         */
        public Config withVqaFamilies(String... families) {
            return new Config(seed, scale, featDim, boxes, List.of(families), maxObjects);
        }

        /**
         * This world with scenes of 2..{@code max} objects (fewer objects: each question's object is a larger part of
         * the image; {@code boxes} may then be as few as {@code max}).
         */
        public Config withMaxObjects(int max) {
            return new Config(seed, scale, featDim, boxes, vqaFamilies, max);
        }

        /**
         * The bundled world: about 15k VQA / 9k GQA / 6k NLVR2 training examples, 64-dim features and 8 boxes
         * per image (small files; the {@code synth} model preset matches). On 2 CPU cores the {@code synth}
         * model learns to use the image within a few epochs.
         */
        public static Config defaults() { return new Config(9595, 40.0, 64, 8); }
    }

    /** What was written: file counts per split. */
    public record Summary(Path root, Map<String, Integer> counts) {
        @Override public String toString() { return "synthetic world in " + root + ": " + counts; }
    }

    static final String[] COLOURS = {"red", "green", "blue", "yellow", "purple", "white", "black", "orange"};
    static final String[] CLASSES = {"ball", "block", "cup", "cone", "ring", "star", "vase", "disk"};
    static final String[] PLURALS = {"balls", "blocks", "cups", "cones", "rings", "stars", "vases", "disks"};
    static final List<String> YES_NO = List.of("no", "yes");
    static final List<String> COUNTS = List.of("0", "1", "2", "3");
    /** Answers of "how many objects": a scene has 2..7 objects. */
    static final List<String> TOTALS = List.of("2", "3", "4", "5", "6", "7");
    static final int BOXES = 36;
    static final String PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private final Config cfg;
    private final float[][] clsEmb, colEmb, sizeEmb;
    private final float[] clutterEmb;
    private final TreeSet<String> words = new TreeSet<>();

    public SynthWorld(Config cfg) {
        if (cfg.featDim() < 1) throw new IllegalArgumentException("feat dim must be positive: " + cfg.featDim());
        if (cfg.boxes() < cfg.maxObjects()) {
            throw new IllegalArgumentException("boxes must be at least " + cfg.maxObjects() + " (the most objects in a scene): " + cfg.boxes());
        }
        if (!(cfg.scale() > 0)) throw new IllegalArgumentException("scale must be positive: " + cfg.scale());
        this.cfg = cfg;
        SplittableRandom r = new SplittableRandom(cfg.seed() * 7919 + 17);
        clsEmb = gauss(r, CLASSES.length, cfg.featDim());
        colEmb = gauss(r, COLOURS.length, cfg.featDim());
        sizeEmb = gauss(r, 2, cfg.featDim());
        clutterEmb = gauss(r, 1, cfg.featDim())[0];
    }

    private static float[][] gauss(SplittableRandom r, int n, int d) {
        float[][] a = new float[n][d];
        for (float[] row : a) for (int k = 0; k < d; k++) row[k] = (float) nextGaussian(r);
        return a;
    }

    static double nextGaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private int n(int base) { return Math.max(4, (int) Math.round(base * cfg.scale())); }

    record Img(String id, Scene scene) {}

    /** A generated question: template family, VQA question/answer type, text, answer and possible answers. */
    record Q(String family, String qtype, String atype, String sent, String answer, List<String> answers) {}

    /** Accepts a question only while its answer is not over-represented for that question string. */
    static final class Balancer {
        final Map<String, Map<String, Integer>> counts = new TreeMap<>();

        final Map<String, Map<String, Integer>> families = new TreeMap<>();

        /** Accepts if the answer is not over-represented for the question string nor for its template family. */
        boolean accept(Q q) {
            Map<String, Integer> c = counts.computeIfAbsent(q.sent(), k -> new TreeMap<>());
            Map<String, Integer> f = families.computeIfAbsent(q.family(), k -> new TreeMap<>());
            if (!ok(c, q) || !ok(f, q)) return false;
            c.merge(q.answer(), 1, Integer::sum);
            f.merge(q.answer(), 1, Integer::sum);
            return true;
        }

        private static boolean ok(Map<String, Integer> c, Q q) {
            int total = 0;
            for (int v : c.values()) total += v;
            return c.getOrDefault(q.answer(), 0) <= total / q.answers().size();
        }
    }

    // ------------------------------------------------------------------------------------------ writing

    public Summary write(Path root) throws IOException {
        SplittableRandom r = new SplittableRandom(cfg.seed());
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<Img> cocoTrain = images(r, "COCO_train2014_%012d", 100000, n(100));
        List<Img> cocoVal = images(r, "COCO_val2014_%012d", 200000, n(40));
        List<Img> cocoTest = images(r, "COCO_test2015_%012d", 300000, n(20));
        List<Img> vg = images(r, "%d", 2300000, n(100));
        List<Img> testdev = images(r, "n%d", 4000000, n(20));
        int half = cocoVal.size() / 2;
        List<Img> minival = cocoVal.subList(0, half), nominival = cocoVal.subList(half, cocoVal.size());

        // ---- VQA
        Map<String, List<Map<String, Object>>> vqa = new LinkedHashMap<>();
        TreeSet<String> vqaAnswers = new TreeSet<>();
        Map<String, List<List<Map<String, Object>>>> perImageVqa = new LinkedHashMap<>();
        for (var e : List.of(Map.entry("train", cocoTrain), Map.entry("nominival", nominival),
                Map.entry("minival", minival), Map.entry("test", cocoTest))) {
            boolean labelled = !e.getKey().equals("test");
            List<Map<String, Object>> anns = new ArrayList<>();
            List<List<Map<String, Object>>> perImage = new ArrayList<>();
            vqa.put(e.getKey(), vqaSplit(r, e.getValue(), labelled, anns, perImage, vqaAnswers));
            perImageVqa.put(e.getKey(), perImage);
            if (labelled) writeJson(root.resolve("vqa/" + e.getKey() + "_annotations.json"), Map.of("annotations", anns), -1);
        }
        for (var e : vqa.entrySet()) {
            writeJson(root.resolve("vqa/" + e.getKey() + ".json"), e.getValue(), 4);
            counts.put("vqa/" + e.getKey(), e.getValue().size());
        }
        writeAnswerTables(root.resolve("vqa"), vqaAnswers);

        // ---- GQA
        int vgTrain = (int) Math.round(vg.size() * 0.7), vgValid = (int) Math.round(vg.size() * 0.85);
        TreeSet<String> gqaAnswers = new TreeSet<>();
        int[] gqaId = {0};
        Map<String, List<Map<String, Object>>> gqa = new LinkedHashMap<>();
        List<List<Map<String, Object>>> vgQuestions = new ArrayList<>();
        gqa.put("train", gqaSplit(r, vg.subList(0, vgTrain), true, gqaId, gqaAnswers, vgQuestions));
        gqa.put("valid", gqaSplit(r, vg.subList(vgTrain, vgValid), true, gqaId, gqaAnswers, vgQuestions));
        gqa.put("testdev", gqaSplit(r, testdev, true, gqaId, new TreeSet<>(), new ArrayList<>()));
        gqa.put("submit", gqaSplit(r, vg.subList(vgValid, vg.size()), false, gqaId, new TreeSet<>(), new ArrayList<>()));
        for (var e : gqa.entrySet()) {
            writeJson(root.resolve("gqa/" + e.getKey() + ".json"), e.getValue(), 4);
            counts.put("gqa/" + e.getKey(), e.getValue().size());
        }
        writeAnswerTables(root.resolve("gqa"), gqaAnswers);

        // ---- NLVR2
        for (String[] s : new String[][]{{"train", "train", "120"}, {"valid", "dev", "30"}, {"test", "test1", "20"}}) {
            List<Img> imgs = new ArrayList<>();
            List<Map<String, Object>> data = nlvr2Split(r, s[0], s[1], n(Integer.parseInt(s[2])) / 2, imgs);
            writeJson(root.resolve("nlvr2/" + s[0] + ".json"), data, 4);
            writeTsv(root.resolve("nlvr2_imgfeat/" + s[0] + "_obj36.tsv"), imgs);
            counts.put("nlvr2/" + s[0], data.size());
        }

        // ---- pretraining
        writeJson(root.resolve("lxmert/mscoco_train.json"), pretrain(r, cocoTrain, perImageVqa.get("train"), "mscoco", "vqa"), 4);
        writeJson(root.resolve("lxmert/mscoco_minival.json"), pretrain(r, minival, perImageVqa.get("minival"), "mscoco", "vqa"), 4);
        writeJson(root.resolve("lxmert/mscoco_nominival.json"), pretrain(r, nominival, perImageVqa.get("nominival"), "mscoco", "vqa"), 4);
        List<List<Map<String, Object>>> vgQ = new ArrayList<>(vgQuestions);
        while (vgQ.size() < vg.size()) vgQ.add(List.of());
        writeJson(root.resolve("lxmert/vgnococo.json"), pretrain(r, vg, vgQ, "vg", "gqa"), 4);
        TreeMap<String, TreeSet<String>> all = new TreeMap<>();
        for (String a : vqaAnswers) all.computeIfAbsent(a, k -> new TreeSet<>()).add("vqa");
        for (String a : gqaAnswers) all.computeIfAbsent(a, k -> new TreeSet<>()).add("gqa");
        List<Map<String, Object>> allAns = new ArrayList<>();
        for (var e : all.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ans", e.getKey());
            m.put("dsets", new ArrayList<>(e.getValue()));
            allAns.add(m);
        }
        writeJson(root.resolve("lxmert/all_ans.json"), allAns, 4);

        // ---- features
        writeTsv(root.resolve("mscoco_imgfeat/train2014_obj36.tsv"), cocoTrain);
        writeTsv(root.resolve("mscoco_imgfeat/val2014_obj36.tsv"), cocoVal);
        writeTsv(root.resolve("mscoco_imgfeat/test2015_obj36.tsv"), cocoTest);
        writeTsv(root.resolve("vg_gqa_imgfeat/vg_gqa_obj36.tsv"), vg);
        writeTsv(root.resolve("vg_gqa_imgfeat/gqa_testdev_obj36.tsv"), testdev);
        counts.put("images", cocoTrain.size() + cocoVal.size() + cocoTest.size() + vg.size() + testdev.size());

        // ---- vocabulary
        List<String> vocab = vocabulary(words);
        Files.writeString(root.resolve("synth-vocab.txt"), String.join("\n", vocab) + "\n", StandardCharsets.UTF_8);
        counts.put("vocab", vocab.size());
        return new Summary(root, counts);
    }

    private List<Img> images(SplittableRandom r, String fmt, int base, int n) {
        List<Img> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Img(String.format(fmt, base + i), Scene.random(r, CLASSES.length, COLOURS.length, cfg.maxObjects())));
        return out;
    }

    // ------------------------------------------------------------------------------------------ VQA

    /**
     * The VQA question families: {@code colour} (the colour of a named object), {@code shape} (the class of the
     * object of a named colour), {@code count}, {@code exists}, {@code left}, {@code size}, {@code total}.
     */
    public static final List<String> VQA_FAMILIES = List.of("colour", "shape", "count", "exists", "left", "size", "total");

    /** Template families with their sampling weights (yes/no-heavy, so a text-only prior gains little). */
    static final String[] VQA_TEMPLATES = {"colour", "colour", "shape", "shape", "count",
            "exists", "exists", "exists", "exists", "left", "left", "left", "left", "size", "size", "size",
            "total", "total", "total", "total", "total"};

    /** A random candidate question of the given template family, or null if the scene cannot support it. */
    static Q vqaCandidate(SplittableRandom r, Scene s, String family) {
        int c = r.nextInt(CLASSES.length), col = r.nextInt(COLOURS.length);
        switch (family) {
            case "colour": {
                Scene.Obj o = s.unique(c);
                if (o == null) return null;
                return new Q(family, "what color is the", "other", "What color is the " + CLASSES[c] + "?", COLOURS[o.colour()], List.of(COLOURS));
            }
            case "shape": {
                Scene.Obj o = s.uniqueColour(col);
                if (o == null) return null;
                return new Q(family, "what is the", "other", "What is the " + COLOURS[col] + " object?", CLASSES[o.cls()], List.of(CLASSES));
            }
            case "count": {
                if (r.nextBoolean()) {
                    int k = s.count(c);
                    if (k > 3) return null;
                    return new Q(family, "how many", "number", "How many " + PLURALS[c] + " are there?", Integer.toString(k), COUNTS);
                }
                int k = s.countColour(col);
                if (k > 3) return null;
                return new Q(family, "how many", "number", "How many " + COLOURS[col] + " objects are there?", Integer.toString(k), COUNTS);
            }
            case "exists": {
                if (r.nextBoolean() && !s.objects().isEmpty()) { // bias candidates towards present objects
                    Scene.Obj o = s.objects().get(r.nextInt(s.objects().size()));
                    if (r.nextBoolean()) c = o.cls(); else col = o.colour();
                }
                String article = COLOURS[col].matches("[aeiou].*") ? "an " : "a ";
                return new Q(family, "is there a", "yes/no", "Is there " + article + COLOURS[col] + " " + CLASSES[c] + "?",
                        s.has(c, col) ? "yes" : "no", YES_NO);
            }
            case "left": {
                int c2 = r.nextInt(CLASSES.length);
                Scene.Obj a = s.unique(c), b = s.unique(c2);
                if (a == null || b == null || c == c2) return null;
                return new Q(family, "is the", "yes/no", "Is the " + CLASSES[c] + " left of the " + CLASSES[c2] + "?",
                        a.cx() < b.cx() ? "yes" : "no", YES_NO);
            }
            case "size": {
                Scene.Obj o = s.unique(c);
                if (o == null) return null;
                return new Q(family, "is the", "yes/no", "Is the " + CLASSES[c] + " large?", o.large() ? "yes" : "no", YES_NO);
            }
            case "total":
                return new Q(family, "how many", "number", "How many objects are there?", Integer.toString(s.objects().size()), TOTALS);
            default: throw new IllegalArgumentException(family);
        }
    }

    private List<Map<String, Object>> vqaSplit(SplittableRandom r, List<Img> imgs, boolean labelled,
                                               List<Map<String, Object>> anns, List<List<Map<String, Object>>> perImage,
                                               TreeSet<String> answers) {
        Balancer bal = new Balancer();
        String[] templates = cfg.vqaFamilies().isEmpty() ? VQA_TEMPLATES : cfg.vqaFamilies().toArray(String[]::new);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Img img : imgs) {
            long number = Long.parseLong(img.id().substring(img.id().lastIndexOf('_') + 1));
            List<Map<String, Object>> mine = new ArrayList<>();
            LinkedHashSet<String> asked = new LinkedHashSet<>();
            for (int attempt = 0; attempt < 60 && mine.size() < 8; attempt++) {
                Q q = vqaCandidate(r, img.scene(), templates[r.nextInt(templates.length)]);
                if (q == null || asked.contains(q.sent()) || !bal.accept(q)) continue;
                asked.add(q.sent());
                words(q.sent());
                long qid = number * 10 + mine.size();
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("img_id", img.id());
                d.put("question_id", qid);
                d.put("sent", q.sent());
                if (labelled) {
                    List<String> humans = annotators(r, q);
                    Map<String, Integer> cnt = new TreeMap<>();
                    for (String h : humans) cnt.merge(h, 1, Integer::sum);
                    Map<String, Object> label = new LinkedHashMap<>();
                    for (var c : cnt.entrySet()) {
                        int k = c.getValue();
                        label.put(c.getKey(), k >= 4 ? (Object) 1 : (Object) (k == 1 ? 0.3 : k == 2 ? 0.6 : 0.9));
                        answers.add(c.getKey());
                    }
                    d.put("label", label);
                    d.put("question_type", q.qtype());
                    d.put("answer_type", q.atype());
                    Map<String, Object> a = new LinkedHashMap<>();
                    a.put("question_type", q.qtype());
                    a.put("multiple_choice_answer", q.answer());
                    List<Map<String, Object>> ha = new ArrayList<>();
                    for (int i = 0; i < humans.size(); i++) {
                        Map<String, Object> h = new LinkedHashMap<>();
                        h.put("answer", humans.get(i));
                        h.put("answer_confidence", "yes");
                        h.put("answer_id", i + 1);
                        ha.add(h);
                    }
                    a.put("answers", ha);
                    a.put("image_id", number);
                    a.put("answer_type", q.atype());
                    a.put("question_id", qid);
                    anns.add(a);
                }
                mine.add(d);
            }
            out.addAll(mine);
            perImage.add(mine);
        }
        return out;
    }

    /** Ten simulated annotators: each gives the true answer with probability 0.85, else another possible answer. */
    private static List<String> annotators(SplittableRandom r, Q q) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(r.nextDouble() < 0.85 ? q.answer() : q.answers().get(r.nextInt(q.answers().size())));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ GQA

    private List<Map<String, Object>> gqaSplit(SplittableRandom r, List<Img> imgs, boolean labelled, int[] nextId,
                                               TreeSet<String> answers, List<List<Map<String, Object>>> perImage) {
        Balancer bal = new Balancer();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Img img : imgs) {
            Scene s = img.scene();
            List<Map<String, Object>> mine = new ArrayList<>();
            LinkedHashSet<String> asked = new LinkedHashSet<>();
            for (int attempt = 0; attempt < 60 && mine.size() < 6; attempt++) {
                Q q = gqaCandidate(r, s);
                if (q == null || asked.contains(q.sent()) || !bal.accept(q)) continue;
                asked.add(q.sent());
                words(q.sent());
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("img_id", img.id());
                if (labelled) {
                    Map<String, Object> label = new LinkedHashMap<>();
                    label.put(q.answer(), 1.0);
                    d.put("label", label);
                    answers.add(q.answer());
                }
                d.put("question_id", String.format("%08d", nextId[0]++));
                d.put("sent", q.sent());
                mine.add(d);
            }
            out.addAll(mine);
            perImage.add(mine);
        }
        return out;
    }

    static Q gqaCandidate(SplittableRandom r, Scene s) {
        int c = r.nextInt(CLASSES.length), c2 = r.nextInt(CLASSES.length), col = r.nextInt(COLOURS.length);
        // no left/right family: its two answers appear nowhere else, which gives a text-only reader a prior far
        // above the majority answer (the world's questions must need the image)
        switch (r.nextInt(4)) {
            case 1:
                return new Q("gqa-total", "", "", "How many objects are in the image?", Integer.toString(s.objects().size()), TOTALS);
            case 0: {
                Scene.Obj o = s.unique(c);
                if (o == null) return null;
                return new Q("gqa-colour", "", "", "What color is the " + (o.large() ? "large " : "small ") + CLASSES[c] + "?", COLOURS[o.colour()], List.of(COLOURS));
            }
            case 2: {
                if (c == c2) return null;
                return new Q("gqa-both", "", "", "Are there both " + PLURALS[c] + " and " + PLURALS[c2] + " in the image?",
                        s.count(c) > 0 && s.count(c2) > 0 ? "yes" : "no", YES_NO);
            }
            default: {
                Scene.Obj o = s.uniqueColour(col);
                if (o == null) return null;
                return new Q("gqa-kind", "", "", "Which kind of object is " + COLOURS[col] + "?", CLASSES[o.cls()], List.of(CLASSES));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ NLVR2

    /** A statement about a pair (left, right) and its truth. */
    interface Statement { boolean eval(Scene left, Scene right); }

    private List<Map<String, Object>> nlvr2Split(SplittableRandom r, String split, String idSplit, int sets, List<Img> imgs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int set = 0; set < sets; set++) {
            int c = r.nextInt(CLASSES.length), col = r.nextInt(COLOURS.length), k = 1 + r.nextInt(3);
            String sent;
            Statement st;
            switch (r.nextInt(5)) {
                case 4 -> {
                    sent = "The left image has more objects than the right image.";
                    st = (L, R) -> L.objects().size() > R.objects().size();
                }
                case 0 -> {
                    String article = COLOURS[col].matches("[aeiou].*") ? "an " : "a ";
                    sent = "The left image contains " + article + COLOURS[col] + " " + CLASSES[c] + ".";
                    st = (L, R) -> L.has(c, col);
                }
                case 1 -> {
                    sent = "There are exactly " + k + " " + (k == 1 ? CLASSES[c] : PLURALS[c]) + " in the two images.";
                    st = (L, R) -> L.count(c) + R.count(c) == k;
                }
                case 2 -> {
                    String article = CLASSES[c].matches("[aeiou].*") ? "an " : "a ";
                    sent = "Both images contain " + article + CLASSES[c] + ".";
                    st = (L, R) -> L.count(c) > 0 && R.count(c) > 0;
                }
                default -> {
                    sent = "The right image has more " + PLURALS[c] + " than the left image.";
                    st = (L, R) -> R.count(c) > L.count(c);
                }
            }
            words(sent);
            int pairs = 2 + r.nextInt(2);
            for (int pair = 0; pair < pairs; pair++) {
                boolean want = pair == 0 || (pair != 1 && r.nextBoolean());
                Scene L = null, R = null;
                for (int t = 0; t < 500; t++) {
                    L = Scene.random(r, CLASSES.length, COLOURS.length, cfg.maxObjects());
                    R = Scene.random(r, CLASSES.length, COLOURS.length, cfg.maxObjects());
                    if (st.eval(L, R) == want) break;
                }
                boolean label = st.eval(L, R);
                String stem = idSplit + "-" + set + "-" + pair;
                imgs.add(new Img(stem + "-img0", L));
                imgs.add(new Img(stem + "-img1", R));
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("identifier", stem + "-0");
                d.put("img0", stem + "-img0");
                d.put("img1", stem + "-img1");
                d.put("label", label ? 1 : 0);
                d.put("sent", sent);
                d.put("uid", "nlvr2_" + split + "_" + out.size());
                out.add(d);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ pretraining

    private List<Map<String, Object>> pretrain(SplittableRandom r, List<Img> imgs, List<List<Map<String, Object>>> questions,
                                               String captionSource, String qaSource) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < imgs.size(); i++) {
            Img img = imgs.get(i);
            Map<String, Object> sentf = new LinkedHashMap<>();
            Map<String, Object> labelf = new LinkedHashMap<>();
            sentf.put(captionSource, captions(r, img.scene()));
            List<Map<String, Object>> qs = i < questions.size() ? questions.get(i) : List.of();
            if (!qs.isEmpty()) {
                List<Object> sents = new ArrayList<>(), labels = new ArrayList<>();
                for (Map<String, Object> q : qs) {
                    if (!q.containsKey("label")) continue;
                    sents.add(q.get("sent"));
                    labels.add(q.get("label"));
                }
                if (!sents.isEmpty()) {
                    sentf.put(qaSource, sents);
                    labelf.put(qaSource, labels);
                }
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("img_id", img.id());
            d.put("labelf", labelf);
            d.put("sentf", sentf);
            out.add(d);
        }
        return out;
    }

    private List<String> captions(SplittableRandom r, Scene s) {
        List<String> out = new ArrayList<>();
        List<Scene.Obj> objs = s.objects();
        Scene.Obj a = objs.get(r.nextInt(objs.size())), b = objs.get(r.nextInt(objs.size()));
        out.add("A " + (a.large() ? "large " : "small ") + COLOURS[a.colour()] + " " + CLASSES[a.cls()] + ".");
        StringBuilder sb = new StringBuilder("There are " + objs.size() + " objects: ");
        for (int i = 0; i < objs.size(); i++) {
            if (i > 0) sb.append(i == objs.size() - 1 ? " and " : ", ");
            sb.append(COLOURS[objs.get(i).colour()]).append(' ').append(CLASSES[objs.get(i).cls()]);
        }
        out.add(sb.append('.').toString());
        if (a != b) {
            Scene.Obj left = a.cx() < b.cx() ? a : b, right = left == a ? b : a;
            out.add("The " + COLOURS[left.colour()] + " " + CLASSES[left.cls()] + " is left of the "
                    + COLOURS[right.colour()] + " " + CLASSES[right.cls()] + ".");
        }
        for (String c : out) words(c);
        return out;
    }

    // ------------------------------------------------------------------------------------------ features

    private void writeTsv(Path file, List<Img> imgs) throws IOException {
        int d = cfg.featDim();
        final int BOXES = cfg.boxes();
        try (ObjTsvWriter w = new ObjTsvWriter(file)) {
            for (Img img : imgs) {
                Scene s = img.scene();
                SplittableRandom r = new SplittableRandom(cfg.seed() * 1_000_003L + img.id().hashCode());
                int[] slot = new int[BOXES];
                for (int i = 0; i < BOXES; i++) slot[i] = i;
                for (int i = BOXES - 1; i > 0; i--) { int j = r.nextInt(i + 1); int t = slot[i]; slot[i] = slot[j]; slot[j] = t; }
                long[] obj = new long[BOXES], attr = new long[BOXES];
                float[] objc = new float[BOXES], attrc = new float[BOXES], boxes = new float[4 * BOXES], feats = new float[BOXES * d];
                boolean[] used = new boolean[BOXES];
                for (int k = 0; k < s.objects().size(); k++) {
                    Scene.Obj o = s.objects().get(k);
                    int b = slot[k];
                    used[b] = true;
                    obj[b] = o.cls();
                    attr[b] = o.colour();
                    objc[b] = 0.7f + 0.3f * (float) r.nextDouble();
                    attrc[b] = 0.6f + 0.4f * (float) r.nextDouble();
                    boxes[4 * b] = o.x1(); boxes[4 * b + 1] = o.y1(); boxes[4 * b + 2] = o.x2(); boxes[4 * b + 3] = o.y2();
                    float[] ce = clsEmb[o.cls()], co = colEmb[o.colour()], se = sizeEmb[o.large() ? 1 : 0];
                    for (int i = 0; i < d; i++) {
                        feats[b * d + i] = Math.max(0f, 0.5f + 0.5f * (ce[i] + co[i] + 0.5f * se[i]) + 0.3f * (float) nextGaussian(r));
                    }
                }
                for (int b = 0; b < BOXES; b++) {
                    if (used[b]) continue;
                    obj[b] = CLASSES.length;
                    attr[b] = COLOURS.length;
                    objc[b] = 0.05f + 0.25f * (float) r.nextDouble();
                    attrc[b] = 0.05f + 0.25f * (float) r.nextDouble();
                    float x1 = (float) Math.floor(r.nextDouble() * s.w() * 0.7), y1 = (float) Math.floor(r.nextDouble() * s.h() * 0.7);
                    boxes[4 * b] = x1;
                    boxes[4 * b + 1] = y1;
                    boxes[4 * b + 2] = Math.min(s.w() - 1, x1 + 10 + (float) Math.floor(r.nextDouble() * s.w() * 0.3));
                    boxes[4 * b + 3] = Math.min(s.h() - 1, y1 + 10 + (float) Math.floor(r.nextDouble() * s.h() * 0.3));
                    for (int i = 0; i < d; i++) {
                        feats[b * d + i] = Math.max(0f, 0.3f * clutterEmb[i] + 0.5f * (float) nextGaussian(r));
                    }
                }
                w.write(new ObjTsvRow(img.id(), s.h(), s.w(), BOXES, d, obj, objc, attr, attrc, boxes, feats));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ files and vocab

    private static void writeAnswerTables(Path dir, TreeSet<String> answers) throws IOException {
        Map<String, Object> a2l = new LinkedHashMap<>();
        List<String> l2a = new ArrayList<>(answers);
        for (int i = 0; i < l2a.size(); i++) a2l.put(l2a.get(i), i);
        writeJson(dir.resolve("trainval_ans2label.json"), a2l, 4);
        writeJson(dir.resolve("trainval_label2ans.json"), l2a, 4);
    }

    private static void writeJson(Path file, Object value, int indent) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, PyJson.dumps(value, indent, true), StandardCharsets.UTF_8);
    }

    /** Collects the lower-cased words and punctuation of a sentence (BERT basic tokenisation of ASCII text). */
    private void words(String sent) { words.addAll(basicTokens(sent)); }

    /** Lower-case, split on whitespace, split off every ASCII punctuation character (BERT BasicTokenizer on ASCII). */
    static List<String> basicTokens(String sent) {
        List<String> out = new ArrayList<>();
        for (String w : sent.toLowerCase(java.util.Locale.ROOT).trim().split("\\s+")) {
            StringBuilder cur = new StringBuilder();
            for (char ch : w.toCharArray()) {
                if (PUNCT.indexOf(ch) >= 0) {
                    if (cur.length() > 0) out.add(cur.toString());
                    cur.setLength(0);
                    out.add(String.valueOf(ch));
                } else cur.append(ch);
            }
            if (cur.length() > 0) out.add(cur.toString());
        }
        return out;
    }

    /** The BERT-shaped vocabulary: specials at the BERT ids, then punctuation, digits, letters, '##' pieces, words. */
    static List<String> vocabulary(TreeSet<String> worldWords) {
        List<String> v = new ArrayList<>();
        v.add("[PAD]");
        for (int i = 0; i < 99; i++) v.add("[unused" + i + "]");
        v.add("[UNK]");
        v.add("[CLS]");
        v.add("[SEP]");
        v.add("[MASK]");
        LinkedHashSet<String> rest = new LinkedHashSet<>();
        for (char c : PUNCT.toCharArray()) rest.add(String.valueOf(c));
        for (char c = '0'; c <= '9'; c++) rest.add(String.valueOf(c));
        for (char c = 'a'; c <= 'z'; c++) rest.add(String.valueOf(c));
        for (char c = '0'; c <= '9'; c++) rest.add("##" + c);
        for (char c = 'a'; c <= 'z'; c++) rest.add("##" + c);
        rest.add("##s");
        rest.addAll(worldWords);
        for (String w : COLOURS) rest.add(w);
        for (String w : CLASSES) rest.add(w);
        for (String w : PLURALS) rest.add(w);
        v.addAll(rest);
        return v;
    }
}
