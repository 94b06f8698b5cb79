package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.CheckpointException;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchWriter;
import lxmert.config.LxmertConfig;
import lxmert.model.LxmertPretraining;

/**
 * {@code --bert FILE}: a small HuggingFace-style BERT state dict (old TF-port names: LayerNorm gamma/beta, 3 layers)
 * written with the project's TorchWriter; its values must land in the right parameters and nothing else may change.
 */
class BertInitTest {
    @TempDir Path tmp;
    // vocab 400, hidden 32, 2 heads, FFN 64, max pos 64; l/x/r = 2/1/1, feat 16
    static final LxmertConfig CFG = LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2)
            .intermediateSize(64).maxPositionEmbeddings(64).lLayers(2).xLayers(1).rLayers(1).visualFeatDim(16)
            .numObjectLabels(16).numAttrLabels(8).numQaLabels(12).build();

    /** HF key -> tensor with values {@code id + 0.001 * i} so every tensor is distinguishable. */
    static Map<String, Tensor> hfBert(String prefix, int layers) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        int h = 32, ff = 64;
        shapes.put("embeddings.word_embeddings.weight", new long[] {400, h});
        shapes.put("embeddings.position_embeddings.weight", new long[] {64, h});
        shapes.put("embeddings.token_type_embeddings.weight", new long[] {2, h});
        shapes.put("embeddings.LayerNorm.gamma", new long[] {h});
        shapes.put("embeddings.LayerNorm.beta", new long[] {h});
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            for (String q : new String[] {"query", "key", "value"}) {
                shapes.put(p + "attention.self." + q + ".weight", new long[] {h, h});
                shapes.put(p + "attention.self." + q + ".bias", new long[] {h});
            }
            shapes.put(p + "attention.output.dense.weight", new long[] {h, h});
            shapes.put(p + "attention.output.dense.bias", new long[] {h});
            shapes.put(p + "attention.output.LayerNorm.gamma", new long[] {h});
            shapes.put(p + "attention.output.LayerNorm.beta", new long[] {h});
            shapes.put(p + "intermediate.dense.weight", new long[] {ff, h});
            shapes.put(p + "intermediate.dense.bias", new long[] {ff});
            shapes.put(p + "output.dense.weight", new long[] {h, ff});
            shapes.put(p + "output.dense.bias", new long[] {h});
            shapes.put(p + "output.LayerNorm.gamma", new long[] {h});
            shapes.put(p + "output.LayerNorm.beta", new long[] {h});
        }
        shapes.put("pooler.dense.weight", new long[] {h, h});
        shapes.put("pooler.dense.bias", new long[] {h});
        Map<String, Tensor> out = new LinkedHashMap<>();
        int id = 1;
        for (var e : shapes.entrySet()) out.put(prefix + e.getKey(), values(prefix + e.getKey(), e.getValue(), id++));
        if (!prefix.isEmpty()) {
            out.put("cls.predictions.bias", values("cls.predictions.bias", new long[] {400}, id++));
            out.put("cls.predictions.transform.dense.weight", values("a", new long[] {h, h}, id++));
            out.put("cls.predictions.transform.dense.bias", values("b", new long[] {h}, id++));
            out.put("cls.predictions.transform.LayerNorm.gamma", values("c", new long[] {h}, id++));
            out.put("cls.predictions.transform.LayerNorm.beta", values("d", new long[] {h}, id++));
            out.put("cls.predictions.decoder.weight", out.get(prefix + "embeddings.word_embeddings.weight"));
            out.put("cls.seq_relationship.weight", values("e", new long[] {2, h}, id++));
            out.put("cls.seq_relationship.bias", values("f", new long[] {2}, id++));
        }
        return out;
    }

    static Tensor values(String name, long[] shape, int id) {
        int n = 1;
        for (long s : shape) n *= (int) s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = id + 0.001f * (i % 997);
        return Tensor.ofFloats(name, shape, v);
    }

    static String hfName(String ours) {
        String k = ours.startsWith("bert.") ? ours : ours;
        if (k.endsWith("LayerNorm.weight")) return k.substring(0, k.length() - 6) + "gamma";
        if (k.endsWith("LayerNorm.bias")) return k.substring(0, k.length() - 4) + "beta";
        return k;
    }

    @Test
    void bertWeightsLandInTheLanguageSideAndTheRestKeepsItsInit() throws Exception {
        Map<String, Tensor> hf = hfBert("bert.", 3);
        Path f = tmp.resolve("pytorch_model.bin");
        TorchWriter.writeZip(f, hf);
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = LxmertPretraining.create(m, CFG, 3);
            Map<String, float[]> before = new LinkedHashMap<>();
            model.namedParameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
            BertInit.Result r = BertInit.load(model.namedParameters(), f);
            Map<String, NDArray> p = model.namedParameters();
            int loaded = 0;
            for (var e : p.entrySet()) {
                String k = e.getKey();
                Tensor t = hf.get(hfName(k));
                boolean fromBert = k.startsWith("bert.embeddings.") || k.startsWith("bert.encoder.layer.") || k.startsWith("bert.pooler.")
                        || k.startsWith("cls.");
                if (fromBert) {
                    assertTrue(t != null, "test file has " + k);
                    assertArrayEquals(t.toFloatArray(), e.getValue().toFloatArray(), 0f, k);
                    assertTrue(r.loaded().contains(k), k);
                    loaded++;
                } else {
                    assertArrayEquals(before.get(k), e.getValue().toFloatArray(), 0f, k + " keeps its initialisation");
                    assertTrue(r.notLoaded().contains(k), k);
                }
            }
            assertEquals(loaded, r.loaded().size());
            // 5 embeddings + 2 layers x 16 + 2 pooler + 5 MLM head + 2 matching head
            assertEquals(5 + 2 * 16 + 2 + 5 + 2, loaded);
            // the tied MLM decoder is the word embedding
            assertArrayEquals(hf.get("bert.embeddings.word_embeddings.weight").toFloatArray(),
                    model.stateDict().get("cls.predictions.decoder.weight").toFloatArray(), 0f);
            // layer 2 of the file has no place in a 2-layer language encoder
            assertEquals(16, r.unused().size(), r.unused().toString());
            assertTrue(r.unused().stream().allMatch(k -> k.startsWith("bert.encoder.layer.2.")));
            String log = r.describe();
            assertTrue(log.contains("loaded 46 tensors") && log.contains("bert.encoder.x_layers.*") && log.contains("obj_predict_head")
                    && log.contains("unused from the file: 16"), log);
        }
    }

    @Test
    void bareBertModelFileGetsTheBertPrefixAndOnlyTheEncoderLoadsIntoATaskEncoder() throws Exception {
        Map<String, Tensor> hf = hfBert("", 2);
        Path f = tmp.resolve("bare.bin");
        TorchWriter.writeZip(f, hf);
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = LxmertPretraining.create(m, CFG, 3);
            Map<String, NDArray> enc = new LinkedHashMap<>();
            model.namedParameters().forEach((k, v) -> { if (k.startsWith("bert.")) enc.put(k, v); });
            BertInit.Result r = BertInit.load(enc, f);
            assertEquals(5 + 2 * 16 + 2, r.loaded().size());
            assertTrue(r.unused().isEmpty(), r.unused().toString());
            assertArrayEquals(hf.get("pooler.dense.weight").toFloatArray(), enc.get("bert.pooler.dense.weight").toFloatArray(), 0f);
            assertFalse(r.notLoaded().isEmpty());
        }
    }

    /** A BERT folder as HuggingFace saves it now (model.safetensors) loads as the .bin does. */
    @Test
    void safetensorsFileAndFolderLoadLikeTheBin() throws Exception {
        Map<String, Tensor> hf = hfBert("bert.", 2);
        Path bin = tmp.resolve("b.bin"), dir = tmp.resolve("bert-base");
        TorchWriter.writeZip(bin, hf);
        java.nio.file.Files.createDirectories(dir);
        lxmert.checkpoint.Safetensors.write(dir.resolve("model.safetensors"), hf);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = LxmertPretraining.create(m, CFG, 3).namedParameters();
            Map<String, NDArray> b = LxmertPretraining.create(m, CFG, 4).namedParameters();
            Map<String, NDArray> c = LxmertPretraining.create(m, CFG, 5).namedParameters();
            BertInit.Result ra = BertInit.load(a, bin);
            BertInit.Result rb = BertInit.load(b, dir);
            BertInit.Result rc = BertInit.load(c, dir.resolve("model.safetensors"));
            assertEquals(ra.loaded(), rb.loaded());
            assertEquals(ra.loaded(), rc.loaded());
            for (String k : ra.loaded()) {
                assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0f, k);
                assertArrayEquals(a.get(k).toFloatArray(), c.get(k).toFloatArray(), 0f, k);
            }
        }
    }

    /** {@code finetune --bert FILE}: the task model's language side takes BERT's weights, the log says so. */
    @Test
    void finetuneBertInitialisesTheTaskEncoder() throws Exception {
        Path data = tmp.resolve("data");
        new lxmert.data.synth.SynthWorld(new lxmert.data.synth.SynthWorld.Config(7, 0.1, 16)).write(data);
        Map<String, Tensor> hf = hfBert("bert.", 2);
        Path f = tmp.resolve("pytorch_model.bin");
        TorchWriter.writeZip(f, hf);
        List<String> messages = new java.util.ArrayList<>();
        lxmert.train.TrainingListener l = new lxmert.train.TrainingListener() {
            @Override public void onMessage(String m) { messages.add(m); }
        };
        lxmert.tasks.FinetuneOptions o = lxmert.tasks.FinetuneOptions.defaults(lxmert.tasks.Task.VQA, data, tmp.resolve("ft")).withConfig(CFG)
                .withData(lxmert.data.DataOptions.of(data)).withVocab(data.resolve("synth-vocab.txt")).withBatchSize(8)
                .withWeights(lxmert.tasks.FinetuneOptions.Weights.BERT, f);
        try (lxmert.tasks.Finetuner ft = new lxmert.tasks.Finetuner(o, List.of(l), null)) {
            Map<String, NDArray> p = ft.net().module().namedParameters();
            assertArrayEquals(hf.get("bert.embeddings.word_embeddings.weight").toFloatArray(),
                    p.get("bert.embeddings.word_embeddings.weight").toFloatArray(), 0f);
            assertArrayEquals(hf.get("bert.encoder.layer.1.output.dense.weight").toFloatArray(),
                    p.get("bert.encoder.layer.1.output.dense.weight").toFloatArray(), 0f);
            assertArrayEquals(hf.get("bert.embeddings.LayerNorm.gamma").toFloatArray(), p.get("bert.embeddings.LayerNorm.weight").toFloatArray(), 0f);
        }
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("BERT weights from " + f + ": loaded ")), messages.toString());
    }

    @Test
    void aFileWithNothingUsableIsAnError() throws Exception {
        Path f = tmp.resolve("other.bin");
        TorchWriter.writeZip(f, Map.of("foo.weight", Tensor.ofFloats("foo.weight", new long[] {2}, new float[] {1, 2})));
        try (NDManager m = NDManager.newBaseManager()) {
            LxmertPretraining model = LxmertPretraining.create(m, CFG, 3);
            CheckpointException e = assertThrows(CheckpointException.class, () -> BertInit.load(model.namedParameters(), f));
            assertTrue(e.getMessage().contains("other.bin") && e.getMessage().contains("foo.weight"), e.getMessage());
        }
    }

    /**
     * {@code pretrain --bert FILE} end to end: the pretraining model starts from BERT's language side and MLM head
     * (the log says what was loaded), then trains an epoch on a small world with finite losses that move the weights.
     */
    @Test
    void pretrainFromBertLoadsThenTrains() throws Exception {
        Path data = tmp.resolve("data");
        new lxmert.data.synth.SynthWorld(new lxmert.data.synth.SynthWorld.Config(7, 0.2, 16, 8)).write(data);
        Map<String, Tensor> hf = hfBert("bert.", 2);
        Path f = tmp.resolve("pytorch_model.bin");
        TorchWriter.writeZip(f, hf);
        List<String> messages = new java.util.ArrayList<>();
        List<Double> losses = new java.util.ArrayList<>();
        lxmert.train.TrainingListener l = new lxmert.train.TrainingListener() {
            @Override public void onMessage(String m) { messages.add(m); }
            @Override public void onBatch(BatchEvent e) { losses.add(e.loss()); }
        };
        LxmertConfig cfg = LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2)
                .intermediateSize(64).maxPositionEmbeddings(64).lLayers(2).xLayers(1).rLayers(1).visualFeatDim(16)
                .numQaLabels(12).build();
        PretrainOptions o = PretrainOptions.defaults(data, tmp.resolve("pre")).withConfig(cfg).withVocab(data.resolve("synth-vocab.txt"))
                .withBatchSize(16).withEpochs(1).withLr(1e-3).withSplits("mscoco_train", "mscoco_minival")
                .withWeights(PretrainOptions.Weights.BERT, f);
        try (var run = Pretrainer.run(o, List.of(l), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            Map<String, NDArray> params = p.model().namedParameters();
            String[] loaded = {"bert.embeddings.word_embeddings.weight", "bert.encoder.layer.1.output.dense.weight",
                    "cls.predictions.transform.dense.weight", "cls.predictions.bias"};
            for (String k : loaded) assertArrayEquals(hf.get(k).toFloatArray(), params.get(k).toFloatArray(), 0f, k);
            float[] before = params.get("bert.encoder.layer.1.output.dense.weight").toFloatArray();
            run.train();
            float[] after = params.get("bert.encoder.layer.1.output.dense.weight").toFloatArray();
            double moved = 0;
            for (int i = 0; i < before.length; i++) moved = Math.max(moved, Math.abs(after[i] - before[i]));
            assertTrue(moved > 0, "training moved the BERT-initialised weights");
        }
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("BERT weights from " + f + ": loaded ")), messages.toString());
        assertFalse(losses.isEmpty());
        assertTrue(losses.stream().allMatch(x -> Double.isFinite(x)), losses.toString());
    }

    /**
     * {@code pretrain --bert FILE --from-scratch} as the original (BERT loaded, then every Linear/Embedding/LayerNorm
     * re-initialised): every weight is that of {@code --from-scratch} alone with the same seed, so none of BERT's
     * (embeddings, layers, MLM transform) remains, except the MLM output bias, which is BERT's (the command line:
     * {@code PretrainCommandTest.bertWithFromScratch}).
     */
    @Test
    void pretrainBertFromScratchKeepsOnlyBertsMlmBias() throws Exception {
        Path data = tmp.resolve("data");
        new lxmert.data.synth.SynthWorld(new lxmert.data.synth.SynthWorld.Config(7, 0.2, 16, 8)).write(data);
        Map<String, Tensor> hf = hfBert("bert.", 2);
        Path f = tmp.resolve("pytorch_model.bin");
        TorchWriter.writeZip(f, hf);
        LxmertConfig cfg = LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2).intermediateSize(64)
                .maxPositionEmbeddings(64).lLayers(2).xLayers(1).rLayers(1).visualFeatDim(16).numQaLabels(12).build();
        PretrainOptions o = PretrainOptions.defaults(data, tmp.resolve("pre")).withConfig(cfg).withVocab(data.resolve("synth-vocab.txt"))
                .withBatchSize(16).withSplits("mscoco_train", "").withSeed(5);
        Map<String, float[]> scratch = new LinkedHashMap<>(), both = new LinkedHashMap<>();
        try (var run = Pretrainer.run(o, List.of(), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            p.model().namedParameters().forEach((k, v) -> scratch.put(k, v.toFloatArray()));
        }
        List<String> messages = new java.util.ArrayList<>();
        lxmert.train.TrainingListener l = new lxmert.train.TrainingListener() {
            @Override public void onMessage(String m) { messages.add(m); }
        };
        try (var run = Pretrainer.run(o.withWeights(PretrainOptions.Weights.BERT_FROM_SCRATCH, f), List.of(l), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            p.model().namedParameters().forEach((k, v) -> both.put(k, v.toFloatArray()));
        }
        assertArrayEquals(hf.get("cls.predictions.bias").toFloatArray(), both.get("cls.predictions.bias"), 0f, "BERT's MLM bias");
        assertFalse(java.util.Arrays.equals(scratch.get("cls.predictions.bias"), both.get("cls.predictions.bias")));
        for (String k : scratch.keySet()) {
            if (k.equals("cls.predictions.bias")) continue;
            assertArrayEquals(scratch.get(k), both.get(k), 0f, k + " re-initialised as --from-scratch");
            Tensor t = hf.get(hfName(k));
            if (t != null) assertFalse(java.util.Arrays.equals(t.toFloatArray(), both.get(k)), k + " is not BERT's");
        }
        assertTrue(messages.stream().anyMatch(m -> m.contains("cls.predictions.bias keeps BERT's values")), messages.toString());
    }
}
