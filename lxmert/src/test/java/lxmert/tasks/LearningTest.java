package lxmert.tasks;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.data.QaDataset;
import lxmert.data.QaExample;
import lxmert.data.QaTask;
import lxmert.data.synth.SynthWorld;

/**
 * Fine-tuning learns, and it learns from the image. On a small synthetic world, a model fine-tuned from scratch
 * ({@code synth} preset) answers the image-only question families (the colour of a named object, the shape of an
 * object of a named colour) far above their text-only prior; evaluated with the features shuffled between images,
 * or with one constant image for every question (text only), the same model falls back to at most that prior.
 *
 * <p>The margins are statistical, not tuned: the text-only prior p of a family is measured on the evaluated splits
 * (for each question string, the answer most often right in the training split), and "far" means several binomial
 * standard errors sqrt(p(1-p)/n) of that family's n questions (for the gap between two accuracies, the standard
 * error of the difference). A pipeline that paired questions with the wrong image's features, or ignored the
 * features, could not pass.
 *
 * <p>The setup spends the budget on what the test is about: a world that asks only the two image-only families
 * ({@link SynthWorld.Config#withVqaFamilies}), scenes of 2-3 objects and as many boxes
 * ({@link SynthWorld.Config#withMaxObjects}), the preset's embedding table cut to the world's vocabulary, training
 * on {@code train} and evaluating on both validation halves. lr 1e-4 (the VQA default): from scratch, 3e-4 and more
 * stayed at the prior for 8 epochs in trials, 1e-3 collapsed to one answer. System properties {@code learning.seed},
 * {@code learning.scale}, {@code learning.epochs}, {@code learning.lr}, {@code learning.batch}, {@code learning.objects},
 * {@code learning.boxes} change the setup for experiments.
 */
@Tag("learning")
class LearningTest {
    /** How many binomial standard errors count as "far". */
    static final double K = 3;
    static final Map<String, String> IMAGE_ONLY = Map.of("what color is the", "colour", "what is the", "shape");
    /** Trained on {@code train}; evaluated on both validation halves (more questions, smaller standard errors). */
    static final String TRAIN = "train", EVAL = "minival,nominival";

    @TempDir Path tmp;

    @Test
    void imageOnlyFamiliesUseTheImage() throws Exception {
        long seed = Long.getLong("learning.seed", 2024);
        Path world = tmp.resolve("world");
        // a world that asks only the image-only families: the minute of training goes to what the test is about
        int maxObjects = Integer.getInteger("learning.objects", 3);
        new SynthWorld(new SynthWorld.Config(seed, Double.parseDouble(System.getProperty("learning.scale", "24")), 64,
                Integer.getInteger("learning.boxes", maxObjects)).withVqaFamilies("colour", "shape").withMaxObjects(maxObjects)).write(world);
        Path vocab = world.resolve("synth-vocab.txt");
        // the synth preset; its embedding table cut to the world's vocabulary (30522 rows would cost Adam time only)
        LxmertConfig config = LxmertConfig.synth().toBuilder().vocabSize(lxmert.text.Vocab.load(vocab).size()).build();
        Path out = tmp.resolve("run");
        FinetuneOptions o = FinetuneOptions.defaults(Task.VQA, world, out).withConfig(config)
                .withData(DataOptions.of(world)).withVocab(vocab)
                .withSplits("train", "")
                .withEpochs(Integer.getInteger("learning.epochs", 10)).withBatchSize(Integer.getInteger("learning.batch", 32))
                .withLr(Double.parseDouble(System.getProperty("learning.lr", "1e-4"))).withSeed(seed).withEvalBatchSize(256);
        long t0 = System.nanoTime();
        TrainingListenerPrinter printer = new TrainingListenerPrinter();
        // one intra-op thread: this small model gains little from two, and loses much when the cores are shared
        ai.djl.engine.Engine.getEngine("PyTorch");
        int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
        try (Finetuner f = new Finetuner(o, List.of(printer), null)) {
            f.train();
        } finally {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        double trainSecs = (System.nanoTime() - t0) / 1e9;

        Map<String, Double> prior = textOnlyPrior(world);
        Map<String, Integer> n = new LinkedHashMap<>();
        Map<String, Double> correct = familyAccuracy(out, world, world, n);
        Path shuffled = remapImages(world, tmp.resolve("shuffled"), false, seed);
        Map<String, Double> shuffledAcc = familyAccuracy(out, world, shuffled, null);
        Path constant = remapImages(world, tmp.resolve("constant"), true, seed);
        Map<String, Double> constantAcc = familyAccuracy(out, world, constant, null);
        double allSecs = (System.nanoTime() - t0) / 1e9;

        StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "seed %d, trained %.0f s (%.0f s with evaluation); ",
                seed, trainSecs, allSecs));
        for (String fam : IMAGE_ONLY.values()) {
            double p = prior.get(fam);
            double se = Math.sqrt(p * (1 - p) / n.get(fam));
            report.append(String.format(Locale.ROOT, "%s n=%d: prior %.3f (SE %.3f), image %.3f, shuffled %.3f, constant %.3f; ", fam,
                    n.get(fam), p, se, correct.get(fam), shuffledAcc.get(fam), constantAcc.get(fam)));
        }
        System.out.println("LearningTest: " + report);
        for (String fam : IMAGE_ONLY.values()) {
            double p = prior.get(fam);
            double se = Math.sqrt(p * (1 - p) / n.get(fam));
            assertTrue(n.get(fam) >= 200, fam + ": enough questions for a stable estimate; " + report);
            assertTrue(correct.get(fam) > p + K * se, fam + ": far above the text-only prior with the right image; " + report);
            assertTrue(shuffledAcc.get(fam) < p + K * se, fam + ": not above the prior with another image's features; " + report);
            assertTrue(constantAcc.get(fam) < p + K * se, fam + ": not above the prior with one constant image; " + report);
            double c = correct.get(fam);
            for (double other : new double[]{shuffledAcc.get(fam), constantAcc.get(fam)}) {
                double seDiff = Math.sqrt((c * (1 - c) + other * (1 - other)) / n.get(fam));
                assertTrue(other < c - K * seDiff,
                        fam + ": far below the trained level when the features do not belong to the question's image; " + report);
            }
        }
    }

    /** The world options the test relies on: only the asked families are written; bad values are named. */
    @Test
    void worldOptionsAskOnlyTheGivenFamilies() throws Exception {
        Path world = tmp.resolve("small");
        new SynthWorld(new SynthWorld.Config(5, 0.5, 8, 3).withVqaFamilies("colour", "shape").withMaxObjects(3)).write(world);
        List<QaExample> qs = QaDataset.readSplits(QaTask.VQA, world, "train,nominival,minival");
        assertTrue(qs.size() > 20, "questions: " + qs.size());
        for (QaExample e : qs) assertTrue(IMAGE_ONLY.containsKey(e.questionType()), e.questionType());
        assertEquals(2, qs.stream().map(QaExample::questionType).distinct().count());
        var bad = assertThrows(IllegalArgumentException.class,
                () -> new SynthWorld.Config(5, 1, 8).withVqaFamilies("colour", "weight"));
        assertTrue(bad.getMessage().contains("\"weight\""), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SynthWorld.Config(5, 1, 8).withMaxObjects(8));
        // fewer boxes than the most objects of a scene
        assertThrows(IllegalArgumentException.class, () -> new SynthWorld(new SynthWorld.Config(5, 1, 8, 3)));
        new SynthWorld(new SynthWorld.Config(5, 1, 8, 3).withMaxObjects(3));
    }

    /** One line per epoch on stdout (time, loss, train accuracy): what the test spent its minute on. */
    static final class TrainingListenerPrinter implements lxmert.train.TrainingListener {
        @Override
        public void onEpoch(EpochEvent e) {
            System.out.printf(Locale.ROOT, "LearningTest epoch %d: %.1f s, loss %.4f, train %.3f%n", e.epoch() + 1,
                    e.epochSeconds(), e.meanLoss(), e.trainAccuracy());
        }
    }

    /**
     * Per image-only family, the soft accuracy on the evaluated splits of the best text-only rule learnt from the training split:
     * for each question string the answer with the highest total score in training (the family's overall best for
     * strings never seen in training).
     */
    static Map<String, Double> textOnlyPrior(Path world) throws IOException {
        Map<String, Map<String, Double>> bySent = new HashMap<>();
        Map<String, Map<String, Double>> byFamily = new HashMap<>();
        for (QaExample e : QaDataset.readSplits(QaTask.VQA, world, TRAIN)) {
            String fam = IMAGE_ONLY.get(e.questionType());
            if (fam == null) continue;
            for (var a : e.label().entrySet()) {
                bySent.computeIfAbsent(e.sent(), k -> new HashMap<>()).merge(a.getKey(), a.getValue(), Double::sum);
                byFamily.computeIfAbsent(fam, k -> new HashMap<>()).merge(a.getKey(), a.getValue(), Double::sum);
            }
        }
        Map<String, Double> sum = new HashMap<>();
        Map<String, Integer> n = new HashMap<>();
        for (QaExample e : QaDataset.readSplits(QaTask.VQA, world, EVAL)) {
            String fam = IMAGE_ONLY.get(e.questionType());
            if (fam == null) continue;
            Map<String, Double> h = bySent.getOrDefault(e.sent(), byFamily.get(fam));
            String best = h.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            sum.merge(fam, e.label().getOrDefault(best, 0.0), Double::sum);
            n.merge(fam, 1, Integer::sum);
        }
        Map<String, Double> out = new HashMap<>();
        sum.forEach((k, v) -> out.put(k, v / n.get(k)));
        return out;
    }

    /** Soft accuracy per image-only family of the run's LAST snapshot on {@code data}'s evaluated splits; counts into {@code n}. */
    static Map<String, Double> familyAccuracy(Path run, Path world, Path data, Map<String, Integer> n) throws IOException {
        Map<String, Double> sum = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        try (Tester t = new Tester(Task.VQA, run.resolve("LAST"), null, Task.VQA.recipe().numAnswers(world),
                world.resolve("synth-vocab.txt"), "cpu")) {
            Tester.Result r = t.test(DataOptions.of(data), EVAL, null, 256);
            for (Tester.Row row : r.rows()) {
                String fam = IMAGE_ONLY.get(row.questionType());
                if (fam == null) continue;
                sum.merge(fam, row.label().getOrDefault(row.predicted(), 0.0), Double::sum);
                count.merge(fam, 1, Integer::sum);
            }
        }
        if (n != null) n.putAll(count);
        Map<String, Double> out = new HashMap<>();
        sum.forEach((k, v) -> out.put(k, v / count.get(k)));
        return out;
    }

    /**
     * A data root like {@code world} whose evaluated questions are paired with other images: a random derangement of
     * the evaluated images (each question sees another image's features: features shuffled between images), or one
     * image for every question ({@code constant}: the features carry nothing about the question).
     */
    static Path remapImages(Path world, Path dir, boolean constant, long seed) throws IOException {
        List<String> evalFiles = new ArrayList<>();
        for (String split : EVAL.split(",")) evalFiles.add(split + ".json");
        Files.createDirectories(dir.resolve("vqa"));
        try (var s = Files.list(world)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!p.getFileName().toString().equals("vqa")) Files.createSymbolicLink(dir.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        try (var s = Files.list(world.resolve("vqa"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!evalFiles.contains(p.getFileName().toString())) {
                    Files.createSymbolicLink(dir.resolve("vqa").resolve(p.getFileName()), p.toAbsolutePath());
                }
            }
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, ArrayNode> splits = new LinkedHashMap<>();
        TreeSet<String> imgs = new TreeSet<>();
        for (String f : evalFiles) {
            ArrayNode qs = (ArrayNode) json.readTree(world.resolve("vqa").resolve(f).toFile());
            splits.put(f, qs);
            for (JsonNode q : qs) imgs.add(q.get("img_id").asText());
        }
        // a random derangement: shuffle, then map each image to the next one in the shuffled cycle
        List<String> order = new ArrayList<>(imgs);
        java.util.Collections.shuffle(order, new Random(seed));
        Map<String, String> to = new HashMap<>();
        for (int i = 0; i < order.size(); i++) to.put(order.get(i), constant ? order.get(0) : order.get((i + 1) % order.size()));
        for (var e : splits.entrySet()) {
            for (JsonNode q : e.getValue()) ((ObjectNode) q).put("img_id", to.get(q.get("img_id").asText()));
            json.writeValue(dir.resolve("vqa").resolve(e.getKey()).toFile(), e.getValue());
        }
        return dir;
    }
}
