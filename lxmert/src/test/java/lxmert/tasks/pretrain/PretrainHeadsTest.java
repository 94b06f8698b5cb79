package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.TorchReader;
import lxmert.data.DataOptions;
import lxmert.data.synth.SynthWorld;
import lxmert.model.LxmertPretraining;
import lxmert.train.BertAdam;
import lxmert.train.Grad;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;

/**
 * Disabled pretraining tasks as the original (LXRTPretraining.__init__, modeling.py:888-920; BertAdam's
 * {@code if p.grad is None: continue}): no head for a task that does not run (no parameter, no checkpoint key),
 * a checkpoint with more heads loads with the extra keys reported (strict=False), and parameters that no backward
 * reaches are neither updated nor decayed.
 */
class PretrainHeadsTest {
    @TempDir static Path shared;
    static Path data;

    static final PretrainTasks MLM_ONLY = new PretrainTasks(true, false, false, false, Set.of("obj", "attr", "feat"), 0.15, 0.15);

    @BeforeAll
    static void world() throws Exception {
        data = shared.resolve("data");
        new SynthWorld(new SynthWorld.Config(11, 0.3, 16, 8)).write(data);
    }

    static PretrainOptions options(Path out, PretrainTasks tasks) {
        return PretrainOptions.defaults(data, out).withConfig(PretrainerTest.small(0.0)).withVocab(data.resolve("synth-vocab.txt"))
                .withData(DataOptions.of(data).withSize(DataOptions.Size.TINY)).withSplits("mscoco_train", "")
                .withBatchSize(16).withEpochs(1).withLr(1e-3).withSeed(3).withTasks(tasks);
    }

    static Set<String> prefixes(Set<String> keys) {
        Set<String> out = new TreeSet<>();
        for (String k : keys) {
            if (k.startsWith("obj_predict_head.")) out.add(k.replaceAll("^(obj_predict_head\\.(decoder_dict\\.)?[^.]+)\\..*", "$1"));
            else if (k.startsWith("answer_head.")) out.add("answer_head");
        }
        return out;
    }

    @Test
    void headsFollowTheTasks() {
        try (NDManager m = NDManager.newBaseManager()) {
            var c = PretrainerTest.small(0.1);
            Set<String> all = LxmertPretraining.create(m, c, PretrainTasks.all().heads(), 1).namedParameters().keySet();
            assertEquals(Set.of("answer_head", "obj_predict_head.transform", "obj_predict_head.decoder_dict.obj",
                    "obj_predict_head.decoder_dict.attr", "obj_predict_head.decoder_dict.feat"), prefixes(all));
            // --task-mask-lm / --task-matched change nothing in the model: cls (MLM + matched heads) and the pooler always exist
            Set<String> mlm = LxmertPretraining.create(m, c, MLM_ONLY.heads(), 1).namedParameters().keySet();
            assertEquals(Set.of(), prefixes(mlm));
            assertTrue(mlm.contains("cls.seq_relationship.weight") && mlm.contains("bert.pooler.dense.weight")
                    && mlm.contains("cls.predictions.bias"), "cls and the pooler always exist");
            PretrainTasks objOnly = new PretrainTasks(false, true, false, false, Set.of("obj"), 0.15, 0.15);
            Set<String> obj = LxmertPretraining.create(m, c, objOnly.heads(), 1).namedParameters().keySet();
            assertEquals(Set.of("obj_predict_head.transform", "obj_predict_head.decoder_dict.obj"), prefixes(obj));
            // the shared parameters are initialised alike whatever heads follow them (heads come last)
            assertEquals(all.stream().filter(mlm::contains).toList(), new ArrayList<>(mlm));
        }
    }

    @Test
    void replicasAndTasksMustFitTheModel() {
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = LxmertPretraining.create(m, PretrainerTest.small(0.1), MLM_ONLY.heads(), 1);
            PretrainTask t = new PretrainTask(model, MLM_ONLY);
            LxmertPretraining copy = (LxmertPretraining) t.replicate(m).model();
            assertEquals(model.namedParameters().keySet(), copy.namedParameters().keySet());
            assertThrows(IllegalArgumentException.class, () -> new PretrainTask(model, PretrainTasks.all()));
        }
    }

    /** BertAdam on two parameters, only one of them in the loss: the other is not updated, not even decayed. */
    @Test
    void bertAdamSkipsParametersWithoutGradient() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray used = m.create(new float[] {1f, -2f}), unused = m.create(new float[] {3f, 4f});
            used.setRequiresGradient(true);
            unused.setRequiresGradient(true);
            Map<String, NDArray> ps = new LinkedHashMap<>();
            ps.put("used", used);
            ps.put("unused", unused);
            BertAdam opt = new BertAdam(ps, 0.1, 0.0, -1);
            for (int step = 0; step < 2; step++) {
                try (NDManager s = m.newSubManager(); Grad.Mode g = Grad.enable()) {
                    NDArray loss = used.square().sum();
                    ai.djl.pytorch.jni.JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) loss,
                            (ai.djl.pytorch.engine.PtNDArray) loss.onesLike(), false, false);
                }
                try (NDManager s = m.newSubManager()) {
                    assertTrue(Grad.gradient(used, s) != null);
                    assertEquals(null, Grad.gradient(unused, s), "no backward reached it");
                }
                BertAdam.clipGradNorm(ps.values(), 1.0);
                opt.step();
                opt.zeroGrad();
            }
            assertArrayEquals(new float[] {3f, 4f}, unused.toFloatArray(), 0f);
            assertFalse(used.toFloatArray()[0] == 1f, "the used parameter moved");
            try (NDManager s = m.newSubManager()) {
                assertArrayEquals(new float[] {0f, 0f}, Grad.gradient(used, s).toFloatArray(), 0f, "zeroing keeps it defined");
            }
            opt.close();
        }
    }

    /**
     * MLM only, through the pretraining loop: no object or answer head, the checkpoint has no key of theirs; the pooler,
     * the matching head and the last cross layer's visual branch (which the language output does not read) get no
     * gradient, so they keep their initial values exactly (no weight decay either), while the rest trains.
     */
    @Test
    void mlmOnlyTrainsOnlyWhatItsLossReaches() throws Exception {
        Path out = shared.resolve("mlm");
        StopSignal stop = new StopSignal();
        Map<String, float[]> before = new LinkedHashMap<>(), after = new LinkedHashMap<>();
        try (var run = Pretrainer.run(options(out, MLM_ONLY), List.of(new PretrainerTest.StopAfter(3, stop)), stop)) {
            Pretrainer p = (Pretrainer) run.recipe();
            assertEquals(Set.of(), prefixes(p.model().namedParameters().keySet()));
            p.model().namedParameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
            run.train();
            p.model().namedParameters().forEach((k, v) -> after.put(k, v.toFloatArray()));
        }
        Set<String> frozen = new TreeSet<>(), moved = new TreeSet<>();
        for (String k : before.keySet()) (java.util.Arrays.equals(before.get(k), after.get(k)) ? frozen : moved).add(k);
        Set<String> expected = new TreeSet<>();
        for (String k : before.keySet()) {
            if (k.startsWith("bert.pooler.") || k.startsWith("cls.seq_relationship.")
                    || k.matches("bert\\.encoder\\.x_layers\\.0\\.(visn_self_att|visn_inter|visn_output)\\..*")) expected.add(k);
        }
        assertEquals(expected, frozen, "exactly the parameters the MLM loss does not reach keep their values");
        assertTrue(moved.contains("cls.predictions.bias") && moved.contains("bert.encoder.visn_fc.visn_fc.weight"), "" + moved);
        Set<String> keys = TorchReader.read(out.resolve("LAST_LXRT.pth")).keySet();
        assertTrue(keys.contains("module.cls.seq_relationship.weight"), "" + keys);
        assertTrue(keys.stream().noneMatch(k -> k.contains("obj_predict_head") || k.contains("answer_head")), "" + keys);
    }

    /**
     * A checkpoint of every head loads into the MLM-only model as the original's load_lxmert (strict=False): the
     * shared weights are copied, the object head's keys are listed as "in loaded but not in model", nothing fails.
     */
    @Test
    void loadingACheckpointWithMoreHeadsReportsTheExtraKeys() throws Exception {
        Path dir = shared.resolve("full");
        java.nio.file.Files.createDirectories(dir);
        Map<String, float[]> saved = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining full = LxmertPretraining.create(m, PretrainerTest.small(0.0).toBuilder().numQaLabels(7).build(), 42);
            full.namedParameters().forEach((k, v) -> saved.put(k, v.toFloatArray()));
            PretrainCheckpoint.save(full, dir, "ALL");
        }
        List<String> messages = new ArrayList<>();
        TrainingListener log = new TrainingListener() {
            @Override public void onMessage(String s) { messages.add(s); }
        };
        PretrainOptions o = options(shared.resolve("loaded"), MLM_ONLY).withWeights(PretrainOptions.Weights.LXMERT, dir.resolve("ALL"));
        try (var run = Pretrainer.run(o, List.of(log), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            for (Map.Entry<String, NDArray> e : p.model().namedParameters().entrySet()) {
                assertArrayEquals(saved.get(e.getKey()), e.getValue().toFloatArray(), 0f, e.getKey());
            }
        }
        String report = String.join("\n", messages);
        String extra = report.substring(report.indexOf("in loaded but not in model"), report.indexOf("in model but not in loaded"));
        assertTrue(extra.contains("obj_predict_head.decoder_dict.feat.weight") && extra.contains("obj_predict_head.transform.dense.weight"), report);
        assertFalse(extra.contains("answer_head"), "answer keys are dropped before the comparison, as load_lxmert: " + report);
    }
}
