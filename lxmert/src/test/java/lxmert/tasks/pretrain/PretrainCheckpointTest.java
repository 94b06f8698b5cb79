package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.StateDict;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchReader;
import lxmert.config.LxmertConfig;
import lxmert.data.AnswerTable;
import lxmert.data.DataOptions;
import lxmert.data.SharedFiles;
import lxmert.data.synth.SynthWorld;
import lxmert.model.LxmertPretraining;
import lxmert.model.Module;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.Finetuner;
import lxmert.tasks.Task;
import lxmert.verify.ReferenceVerifier;

/** The pretraining checkpoint has exactly the original's keys and shapes, and fine-tuning loads it. */
class PretrainCheckpointTest {
    @TempDir Path tmp;

    static Map<String, long[]> manifestKeys(JsonNode man) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (JsonNode k : man.get("state_dict").get("keys")) {
            long[] s = new long[k.get("shape").size()];
            for (int i = 0; i < s.length; i++) s[i] = k.get("shape").get(i).asLong();
            out.put(k.get("key").asText(), s);
        }
        return out;
    }

    static void sameKeysAndShapes(Map<String, long[]> want, Map<String, Tensor> got) {
        assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()), "keys, in the original's order");
        for (String k : want.keySet()) assertArrayEquals(want.get(k), got.get(k).shape(), k);
    }

    @Test
    void lxr955KeySetIsTheReleasedOne() throws Exception {
        Path f = SharedFiles.require("fixtures/lxr955-manifest.json");
        JsonNode man = new ObjectMapper().readTree(f.toFile());
        Map<String, long[]> want = manifestKeys(man);
        assertEquals(473, want.size());
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = new LxmertPretraining(Module.Init.forLoading(m), LxmertConfig.lxr955());
            sameKeysAndShapes(want, PretrainCheckpoint.originalTensors(model));
        }
    }

    @Test
    void smallFixtureRoundTripsExactly() throws Exception {
        Path dir = SharedFiles.require("fixtures/lxrt-small");
        JsonNode man = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        LxmertConfig cfg = ReferenceVerifier.configFrom(man, dir);
        StateDict orig = TorchReader.read(dir.resolve("model_LXRT.pth"));
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = LxmertPretraining.create(m, cfg, 0);
            assertTrue(ModelWeights.load(model.namedParameters(), KeyMaps.toCanonical(orig), k -> false).isClean());
            Path out = PretrainCheckpoint.save(model, tmp, "BEST_EVAL_LOSS");
            assertEquals(tmp.resolve("BEST_EVAL_LOSS_LXRT.pth"), out);
            StateDict back = TorchReader.read(out);
            sameKeysAndShapes(manifestKeys(man), back);
            assertEquals(orig.keySet(), back.keySet());
            for (String k : orig.keySet()) assertArrayEquals(orig.get(k).toFloatArray(), back.get(k).toFloatArray(), 0f, k);
            // the tied decoder is the word embeddings' storage, written once (129 keys, 128 storages), as torch does
            assertTrue(back.get("module.cls.predictions.decoder.weight").sharesDataWith(back.get("module.bert.embeddings.word_embeddings.weight")));
            try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(out.toFile())) {
                assertEquals(orig.size() - 1, java.util.Collections.list(z.entries()).stream().filter(e -> e.getName().contains("/data/")).count());
            }
            try (var files = Files.list(tmp)) {
                assertEquals(List.of(out), files.toList(), "no temporary file left behind");
            }
        }
    }

    @Test
    void resolveAcceptsTheOriginalsArgument() throws Exception {
        Path f = Files.writeString(tmp.resolve("Epoch03_LXRT.pth"), "x");
        assertEquals(f, PretrainCheckpoint.resolve(tmp.resolve("Epoch03")));
        assertEquals(f, PretrainCheckpoint.resolve(f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PretrainCheckpoint.resolve(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("nope_LXRT.pth"), e.getMessage());
    }

    /**
     * finetune --load-lxmert-qa OUTPUT/BEST_EVAL_LOSS (and --load-lxmert) loads what pretraining wrote, and the same
     * from it converted to a HuggingFace folder.
     */
    @Test
    void finetuneLoadsTheWrittenCheckpoint() throws Exception {
        Path data = tmp.resolve("data");
        new SynthWorld(new SynthWorld.Config(7, 0.1, 32)).write(data);
        int answers = AnswerTable.load(data.resolve("lxmert/all_ans.json"), null).size();
        LxmertConfig cfg = LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2)
                .intermediateSize(64).maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(32)
                .numObjectLabels(16).numAttrLabels(8).numQaLabels(answers).build();
        Path snap = tmp.resolve("pre");
        Map<String, float[]> written = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = new LxmertPretraining(new Module.Init(m, new Random(5), 0.5), cfg);
            PretrainCheckpoint.save(model, snap, "BEST_EVAL_LOSS");
            model.namedParameters().forEach((k, v) -> written.put(k, v.toFloatArray()));
        }
        // the same weights as a HuggingFace folder (LxmertForPreTraining, safetensors) load the same way
        Path hf = tmp.resolve("hf");
        var canonical = lxmert.checkpoint.Checkpoints.readCanonical(PretrainCheckpoint.file(snap, "BEST_EVAL_LOSS"), s -> {});
        lxmert.checkpoint.HfFolder.write(hf, canonical, cfg, true);
        for (Path source : List.of(snap.resolve("BEST_EVAL_LOSS"), hf))
        for (FinetuneOptions.Weights w : new FinetuneOptions.Weights[] {FinetuneOptions.Weights.LXMERT, FinetuneOptions.Weights.LXMERT_QA}) {
            FinetuneOptions o = FinetuneOptions.defaults(Task.VQA, data, tmp.resolve("ft")).withConfig(cfg).withData(DataOptions.of(data))
                    .withVocab(data.resolve("synth-vocab.txt")).withBatchSize(8).withWeights(w, source);
            try (Finetuner f = new Finetuner(o, List.of(), null)) {
                Map<String, NDArray> p = f.net().module().namedParameters();
                int enc = 0;
                for (var e : p.entrySet()) {
                    if (!e.getKey().startsWith("bert.")) continue;
                    assertArrayEquals(written.get(e.getKey()), e.getValue().toFloatArray(), 0f, e.getKey());
                    enc++;
                }
                assertTrue(enc > 20, "encoder parameters compared: " + enc);
                if (w == FinetuneOptions.Weights.LXMERT_QA) {
                    assertArrayEquals(written.get("answer_head.logit_fc.0.weight"), p.get("logit_fc.0.weight").toFloatArray(), 0f);
                    // surgery: a task answer's row comes from its all_ans row
                    AnswerTable all = AnswerTable.load(data.resolve("lxmert/all_ans.json"), null);
                    List<String> l2a = new ArrayList<>();
                    new ObjectMapper().readTree(data.resolve("vqa/trainval_label2ans.json").toFile()).forEach(n -> l2a.add(n.asText()));
                    float[] head = p.get("logit_fc.3.bias").toFloatArray(), src = written.get("answer_head.logit_fc.3.bias");
                    int checked = 0;
                    for (int i = 0; i < l2a.size(); i++) {
                        int row = all.ans2id(AnswerTable.convertAns(l2a.get(i)));
                        if (row >= 0) { assertEquals(src[row], head[i], 0f, l2a.get(i)); checked++; }
                    }
                    assertTrue(checked > 5, "answers mapped: " + checked);
                }
            }
        }
    }
}
