package lxmert.tasks.pretrain;

import ai.djl.ndarray.NDArray;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.data.synth.SynthWorld;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pretraining loop on the synthetic world with small configs: it learns (losses fall, the overfit sanity run),
 * {@code --accumulate 4} at batch 8 makes the update of batch 32, resume is bit-exact, files and log lines as the
 * original.
 */
class PretrainerTest {
    @TempDir static Path shared;
    static Path data;

    @BeforeAll
    static void world() throws Exception {
        data = shared.resolve("data");
        new SynthWorld(new SynthWorld.Config(11, 0.3, 16, 8)).write(data);
    }

    /** A small model: hidden 32, 1 layer of each kind, 16-dim features (the world's). */
    static LxmertConfig small(double dropout) {
        return LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2).intermediateSize(64)
                .hiddenDropoutProb(dropout).attentionProbsDropoutProb(dropout).maxPositionEmbeddings(64).lLayers(1)
                .xLayers(1).rLayers(1).visualFeatDim(16).numQaLabels(10).build();
    }

    static PretrainOptions options(Path out) throws Exception {
        return PretrainOptions.defaults(data, out).withConfig(small(0.1)).withVocab(data.resolve("synth-vocab.txt"))
                .withBatchSize(32).withEpochs(2).withLr(1e-3).withSeed(3);
    }

    static Map<String, float[]> params(Pretrainer p) {
        Map<String, float[]> m = new LinkedHashMap<>();
        p.model().namedParameters().forEach((k, v) -> m.put(k, v.toFloatArray()));
        return m;
    }

    /**
     * The --tiny-style sanity run (airsplay#81): a few hundred examples, 8 epochs: the training loss falls far
     * (below 45% of the first epoch's), and the valid MLM, Obj, Attr and Feat losses go down.
     */
    @Test
    void overfitsAFewHundredExamplesAndValidLossesGoDown() throws Exception {
        Path out = shared.resolve("overfit");
        PretrainOptions o = options(out).withData(DataOptions.of(data).withSize(DataOptions.Size.TINY)).withEpochs(8)
                .withLr(5e-3).withSplits("mscoco_train", "mscoco_minival").withSaveSnapshots(false).withConfig(small(0.0));
        try (var run = Pretrainer.run(o, List.of(), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            int n = p.trainCorpus().size();
            assertTrue(n >= 100 && n <= 1000, "a few hundred examples: " + n);
            lxmert.train.Run.Result<Pretrainer.EpochRecord> r = run.train();
            Pretrainer.EpochRecord first = r.history().get(0), last = r.last();
            assertEquals(8, r.history().size());
            assertTrue(last.trainLoss() < 0.45 * first.trainLoss(), first.trainLoss() + " -> " + last.trainLoss());
            for (int i : new int[] {1, 3, 4, 5}) { // Mask_LM, Obj, Attr, Feat
                assertTrue(last.validLosses()[i] < first.validLosses()[i],
                        "valid " + lxmert.model.LxmertPretraining.LOSS_NAMES[i - 1] + ": " + first.validLosses()[i] + " -> " + last.validLosses()[i]);
            }
            assertTrue(Double.isFinite(last.validQa()) && last.validQa() >= 0 && last.validQa() <= 1, "qa " + last.validQa());
        }
    }

    /** --accumulate 4 at batch 8 makes the update of batch 32 (dropout off): same weights after two steps (the first step of the warm-up has lr 0). */
    @Test
    void accumulateFourOfEightEqualsOneBatchOf32() throws Exception {
        Map<String, float[]> big, acc;
        StopSignal s1 = new StopSignal(), s2 = new StopSignal(), s3 = new StopSignal();
        PretrainOptions o = options(shared.resolve("acc")).withData(DataOptions.of(data).withSize(DataOptions.Size.TINY))
                .withConfig(small(0.0)).withEpochs(1).withSplits("mscoco_train", "").withSaveSnapshots(false);
        try (var run = Pretrainer.run(o, List.of(new StopAfter(2, s1)), s1)) {
            Pretrainer p = (Pretrainer) run.recipe();
            Map<String, float[]> init = params(p);
            run.train();
            big = params(p);
            assertFalse(java.util.Arrays.equals(init.get("bert.embeddings.word_embeddings.weight"), big.get("bert.embeddings.word_embeddings.weight")), "trained");
        }
        try (var run = Pretrainer.run(o.withAccumulate(4), List.of(new StopAfter(2, s2)), s2)) {
            Pretrainer p = (Pretrainer) run.recipe();
            run.train();
            acc = params(p);
        }
        double worst = 0;
        for (String k : big.keySet()) {
            float[] a = big.get(k), b = acc.get(k);
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        // one BertAdam step moves a weight by about lr x warm-up (1e-3 x small); float summation order differs only
        assertTrue(worst < 1e-6, "max |difference| " + worst);
        // and a different batch composition does differ (the comparison can fail)
        try (var run = Pretrainer.run(o.withSeed(4), List.of(new StopAfter(2, s3)), s3)) {
            Pretrainer p = (Pretrainer) run.recipe();
            run.train();
            Map<String, float[]> other = params(p);
            double d = 0;
            for (String k : big.keySet()) {
                float[] a = big.get(k), b = other.get(k);
                for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
            }
            assertTrue(d > 1e-5, "another order's step differs by " + d);
        }
    }

    /**
     * Data parallel pretraining ({@code --device cpu,cpu}, and three replicas with uneven shards under
     * {@code --accumulate 2}) equals one device (dropout off) over three steps: every step's loss, six loss parts and
     * gradient norm, and the weights after. The losses divide by counts of masked words / QA rows / box slots, which
     * the shards hold unevenly, so this fails if a shard's loss is weighted by its share of examples only.
     */
    @Test
    void dataParallelEqualsOneDevice() throws Exception {
        PretrainOptions o = options(shared.resolve("dp")).withData(DataOptions.of(data).withSize(DataOptions.Size.TINY))
                .withConfig(small(0.0)).withEpochs(1).withSplits("mscoco_train", "").withSaveSnapshots(false);
        Run one = run(o.withDevice("cpu"), 3);
        Run two = run(o.withDevice("cpu,cpu"), 3);
        Run three = run(o.withDevice("cpu,cpu,cpu").withAccumulate(2), 3);
        Run oneAcc = run(o.withDevice("cpu").withAccumulate(2), 3);
        assertEquals(3, one.steps.size());
        double moved = maxDiff(one.init, one.params);
        assertTrue(moved > 1e-4, "trained: the weights moved by " + moved);
        for (Run r : List.of(two, three)) {
            Run ref = r == two ? one : oneAcc;
            assertEquals(ref.steps.size(), r.steps.size());
            for (int i = 0; i < ref.steps.size(); i++) {
                double[] a = ref.steps.get(i), b = r.steps.get(i);
                for (int j = 0; j < a.length; j++) {
                    assertEquals(a[j], b[j], 1e-5 * Math.max(1, Math.abs(a[j])), "step " + i + " value " + j + " (loss, grad norm, parts)");
                }
            }
            double worst = maxDiff(ref.params, r.params);
            assertTrue(worst < 1e-5, "max |weight difference| " + worst + " (the steps moved weights by up to " + moved + ")");
        }
    }

    /** One run's per-step {loss, grad norm, six loss parts}, and its weights before and after. */
    record Run(List<double[]> steps, Map<String, float[]> init, Map<String, float[]> params) {}

    static Run run(PretrainOptions o, int steps) throws Exception {
        StopSignal stop = new StopSignal();
        List<double[]> rows = new java.util.ArrayList<>();
        TrainingListener rec = new TrainingListener() {
            double[] pending;
            @Override public void onBatch(BatchEvent e) {
                pending = new double[] {e.loss(), e.gradNorm()};
                rows.add(pending);
            }
            @Override public void onLosses(LossesEvent e) {
                double[] row = new double[2 + lxmert.model.LxmertPretraining.LOSS_NAMES.length];
                row[0] = pending[0];
                row[1] = pending[1];
                for (int i = 0; i < lxmert.model.LxmertPretraining.LOSS_NAMES.length; i++) {
                    row[2 + i] = e.means().get(lxmert.model.LxmertPretraining.LOSS_NAMES[i]);
                }
                rows.set(rows.size() - 1, row);
            }
        };
        try (var run = Pretrainer.run(o, List.of(rec, new StopAfter(steps, stop)), stop)) {
            Pretrainer p = (Pretrainer) run.recipe();
            Map<String, float[]> init = params(p);
            run.train();
            for (double[] r : rows) assertEquals(8, r.length, "loss parts reported every step");
            return new Run(rows, init, params(p));
        }
    }

    static double maxDiff(Map<String, float[]> x, Map<String, float[]> y) {
        double d = 0;
        for (String k : x.keySet()) {
            float[] a = x.get(k), b = y.get(k);
            for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** A run stopped in the middle of epoch 1 and resumed ends with exactly the weights of the uninterrupted run. */
    @Test
    void resumeIsBitExact() throws Exception {
        PretrainOptions base = options(null).withData(DataOptions.of(data).withSize(DataOptions.Size.TINY)).withEpochs(2)
                .withSplits("mscoco_train", "mscoco_minival");
        Map<String, float[]> whole, resumed;
        lxmert.train.Run.Result<Pretrainer.EpochRecord> full;
        try (var run = Pretrainer.run(base.withOutput(shared.resolve("whole")), List.of(), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            full = run.train();
            whole = params(p);
        }
        Path out = shared.resolve("killed");
        StopSignal stop = new StopSignal();
        try (var run = Pretrainer.run(base.withOutput(out), List.of(new StopAfter(2, stop)), stop)) {
            lxmert.train.Run.Result<Pretrainer.EpochRecord> r = run.train();
            assertTrue(r.interrupted());
            assertTrue(r.history().isEmpty(), "stopped inside epoch 1");
        }
        assertTrue(Files.isRegularFile(out.resolve("LAST_LXRT.pth")));
        assertTrue(Files.isRegularFile(out.resolve("LAST.resume.pth")));
        lxmert.train.Run.Result<Pretrainer.EpochRecord> r;
        List<String> messages = new java.util.ArrayList<>();
        lxmert.train.TrainingListener capture = new lxmert.train.TrainingListener() {
            @Override public void onMessage(String m) { messages.add(m); }
        };
        try (var run = Pretrainer.run(base.withOutput(out).withResume(true), List.of(capture), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            r = run.train();
            resumed = params(p);
        }
        assertTrue(messages.contains("weights: from " + out.resolve("LAST.resume.pth") + " (--resume: model and optimizer state)"),
                "the resumed run says where its weights come from: " + messages);
        for (String k : whole.keySet()) assertArrayEquals(whole.get(k), resumed.get(k), 0f, k);
        assertEquals(full.last().validLoss(), r.last().validLoss(), 0.0);
        assertEquals(full.last().trainLoss(), r.last().trainLoss(), 0.0);
        // files as the original: every epoch, BEST_EVAL_LOSS, the log
        for (String f : new String[] {"Epoch01_LXRT.pth", "Epoch02_LXRT.pth", "BEST_EVAL_LOSS_LXRT.pth", "LAST_LXRT.pth", "log.log"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        String log = Files.readString(out.resolve("log.log"));
        assertEquals(Files.readString(shared.resolve("whole/log.log")), log, "the resumed run logs what the whole run logged");
        assertTrue(log.contains("The training loss for Epoch 0 is ") && log.contains("The training loss for Epoch 1 is "), log);
        assertTrue(log.contains("The valid loss is ") && log.contains("Overall Accu "), log);
        assertTrue(log.lines().anyMatch(l -> l.matches("The losses are Mask_LM: \\d+\\.\\d{4} Matched: \\d+\\.\\d{4} Obj: \\d+\\.\\d{4} "
                + "Attr: \\d+\\.\\d{4} Feat: \\d+\\.\\d{4} QA: \\d+\\.\\d{4} ")), log);
        // the epoch checkpoint is in the released layout (key set tested in PretrainCheckpointTest)
        assertTrue(lxmert.checkpoint.TorchReader.read(out.resolve("Epoch02_LXRT.pth")).keySet().stream().allMatch(k -> k.startsWith("module.")));
    }

    /**
     * Pretraining writes a run folder as fine-tuning does: {@code run.json} (task "pretrain", data, splits, config,
     * vocabulary and answer-table copies with their checksums, the training settings with the task set and QA sets),
     * and removes a killed run's temporary snapshot files on start (never a complete file). {@code --load-lxmert
     * OUT/BEST_EVAL_LOSS} does not take it for a fine-tuning run ({@code near} skips it); opening it as one is an error.
     */
    @Test
    void writesRunJsonAndRemovesStaleTemporaries() throws Exception {
        Path out = shared.resolve("folder");
        Files.createDirectories(out);
        Path stale = Files.writeString(out.resolve(".LAST_LXRT.pth.8617.tmp"), "half a checkpoint");
        Path staleResume = Files.writeString(out.resolve(".LAST.resume.pth.99.tmp"), "half a resume file");
        Path complete = Files.writeString(out.resolve("Epoch07_LXRT.pth"), "a complete file of an earlier run");
        PretrainOptions o = options(out).withData(DataOptions.of(data).withSize(DataOptions.Size.TINY)).withEpochs(1)
                .withSplits("mscoco_train", "mscoco_minival").withQaSets("vqa")
                .withTasks(new PretrainTasks(true, true, true, true, new java.util.LinkedHashSet<>(List.of("feat", "obj")), 0.15, 0.15));
        StopSignal stop = new StopSignal();
        List<String> answers;
        LxmertConfig config;
        try (var run = Pretrainer.run(o, List.of(new StopAfter(1, stop)), stop)) {
            Pretrainer p = (Pretrainer) run.recipe();
            answers = p.trainCorpus().answerTable().answers();
            config = p.config();
            assertTrue(run.train().interrupted());
        }
        assertFalse(Files.exists(stale), "stale temporary removed");
        assertFalse(Files.exists(staleResume), "stale temporary removed");
        assertEquals("a complete file of an earlier run", Files.readString(complete));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode j = json.readTree(out.resolve("run.json").toFile());
        assertEquals("pretrain", j.get("task").asText());
        assertEquals(data.toAbsolutePath().normalize().toString(), j.get("data").asText());
        assertEquals("mscoco_train", j.get("train").asText());
        assertEquals("mscoco_minival", j.get("valid").asText());
        assertEquals(config, LxmertConfig.load(out.resolve(j.get("config").asText())));
        assertTrue(answers.size() > 1 && answers.size() == config.num_qa_labels(), "answers " + answers.size());
        assertEquals(answers, List.of(json.readValue(out.resolve(j.get("answers").get("file").asText()).toFile(), String[].class)));
        assertEquals(answers.size(), j.get("answers").get("count").asInt());
        byte[] vocab = Files.readAllBytes(data.resolve("synth-vocab.txt"));
        assertArrayEquals(vocab, Files.readAllBytes(out.resolve(j.get("vocab").get("file").asText())));
        assertEquals(lxmert.train.Run.sha256(vocab), j.get("vocab").get("sha256").asText());
        com.fasterxml.jackson.databind.JsonNode t = j.get("training");
        assertEquals(1, t.get("epochs").asInt());
        assertEquals(32, t.get("batch_size").asInt());
        assertEquals(1e-3, t.get("lr").asDouble());
        assertEquals(3, t.get("seed").asLong());
        assertEquals("vqa", t.get("qa_sets").asText());
        assertEquals("FROM_SCRATCH", t.get("weights").asText());
        assertTrue(t.get("tasks").get("qa").asBoolean() && t.get("tasks").get("maskLm").asBoolean(), t.toString());
        assertEquals("[\"obj\",\"feat\"]", t.get("tasks").get("visualLosses").toString(), "in the fixed order obj, attr, feat");
        assertNull(lxmert.tasks.RunFolder.near(out.resolve("BEST_EVAL_LOSS")));
        assertNull(lxmert.tasks.RunFolder.near(out));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lxmert.tasks.RunFolder.open(out));
        assertTrue(e.getMessage().contains("is a pretraining run") && e.getMessage().contains("--load-lxmert"), e.getMessage());
    }

    /**
     * The task set's text (part of the resume identity) is the same in every JVM: visual losses in the order obj,
     * attr, feat whatever order they are given in ({@code Set.copyOf} iterates in a per-JVM random order).
     */
    @Test
    void taskSetTextIsFixed() {
        for (List<String> order : List.of(List.of("feat", "attr", "obj"), List.of("attr", "obj", "feat"), List.of("obj", "feat", "attr"))) {
            PretrainTasks t = new PretrainTasks(true, true, true, true, new java.util.LinkedHashSet<>(order), 0.15, 0.15);
            assertEquals(List.of("obj", "attr", "feat"), List.copyOf(t.visualLosses()));
            assertEquals(PretrainTasks.all().toString(), t.toString());
        }
    }

    /** Requests a stop after {@code steps} optimisation steps. */
    static final class StopAfter implements TrainingListener {
        final int steps;
        final StopSignal stop;
        StopAfter(int steps, StopSignal stop) { this.steps = steps; this.stop = stop; }
        @Override public void onBatch(BatchEvent e) {
            if (e.step() + 1 >= steps && stop != null) stop.request();
        }
    }

    static final class Printer implements TrainingListener {
        @Override public void onMessage(String m) { System.out.println(m); }
    }
}
