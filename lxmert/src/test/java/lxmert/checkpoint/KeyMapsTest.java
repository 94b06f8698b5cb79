package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyMapsTest {
    @TempDir Path tmp;

    @Test
    void detectsEachLayout() {
        assertEquals(KeyMaps.Layout.ORIGINAL, KeyMaps.detect(Set.of("module.bert.pooler.dense.weight", "module.cls.predictions.bias")));
        assertEquals(KeyMaps.Layout.CANONICAL, KeyMaps.detect(Set.of("bert.pooler.dense.weight", "cls.predictions.bias")));
        assertEquals(KeyMaps.Layout.ORIGINAL_TASK, KeyMaps.detect(Set.of("lxrt_encoder.model.bert.pooler.dense.weight", "logit_fc.0.weight")));
        assertEquals(KeyMaps.Layout.ORIGINAL_TASK, KeyMaps.detect(Set.of("lxrt_encoder.model.module.bert.pooler.dense.weight")));
        assertEquals(KeyMaps.Layout.HF, KeyMaps.detect(Set.of("lxmert.pooler.dense.weight", "cls.predictions.bias", "answer_head.logit_fc.0.weight")));
        // LxmertForQuestionAnswering: encoder and answer head only
        assertEquals(KeyMaps.Layout.HF_QA, KeyMaps.detect(Set.of("lxmert.pooler.dense.weight", "answer_head.logit_fc.0.weight")));
        // LxmertModel saved on its own: no prefix
        assertEquals(KeyMaps.Layout.HF_BASE, KeyMaps.detect(Set.of("embeddings.word_embeddings.weight", "encoder.layer.0.output.dense.bias",
                "pooler.dense.weight")));
        CheckpointException e = assertThrows(CheckpointException.class, () -> KeyMaps.detect(Set.of("encoder.foo.weight")));
        assertTrue(e.getMessage().contains("encoder.foo.weight"), e.getMessage());
    }

    /** Shuffled, the 473 keys of lxr955 and the 129 of the fixture sort back into the state dict's order. */
    @Test
    void modelOrderIsTheStateDictOrder() throws Exception {
        for (Path manifest : new Path[] {Fixtures.shared().resolve("fixtures/lxr955-manifest.json"), Fixtures.small().resolve("manifest.json")}) {
            List<String> keys = new ArrayList<>(Fixtures.shapes(Fixtures.json(manifest).get("state_dict").get("keys")).keySet());
            List<String> canonical = new ArrayList<>();
            for (String k : keys) canonical.add(KeyMaps.toCanonical(k, KeyMaps.Layout.ORIGINAL));
            List<String> shuffled = new ArrayList<>(canonical);
            java.util.Collections.shuffle(shuffled, new java.util.Random(7));
            assertTrue(!shuffled.equals(canonical));
            shuffled.sort(KeyMaps.MODEL_ORDER);
            assertEquals(canonical, shuffled, manifest.toString());
            List<String> alphabetical = new ArrayList<>(canonical);
            java.util.Collections.sort(alphabetical); // what the safetensors library writes
            alphabetical.sort(KeyMaps.MODEL_ORDER);
            assertEquals(canonical, alphabetical);
        }
        // a task model: encoder first, then the head; unknown names after known ones
        List<String> task = new ArrayList<>(List.of("logit_fc.3.bias", "zz.x", "logit_fc.0.weight", "bert.pooler.dense.bias",
                "logit_fc.10.weight", "bert.embeddings.LayerNorm.weight"));
        task.sort(KeyMaps.MODEL_ORDER);
        assertEquals(List.of("bert.embeddings.LayerNorm.weight", "bert.pooler.dense.bias", "logit_fc.0.weight", "logit_fc.3.bias",
                "logit_fc.10.weight", "zz.x"), task);
    }

    @Test
    void keyRules() {
        assertEquals("bert.encoder.layer.0.output.LayerNorm.weight",
                KeyMaps.toCanonical("module.bert.encoder.layer.0.output.LayerNorm.gamma", KeyMaps.Layout.ORIGINAL));
        assertEquals("bert.embeddings.LayerNorm.bias", KeyMaps.toCanonical("bert.embeddings.LayerNorm.beta", KeyMaps.Layout.CANONICAL));
        // GQA snapshot trained with --multiGPU: '.module' inside the name (gqa.py:167-173)
        assertEquals("bert.pooler.dense.weight",
                KeyMaps.toCanonical("lxrt_encoder.model.module.bert.pooler.dense.weight", KeyMaps.Layout.ORIGINAL_TASK));
        assertEquals("logit_fc.3.bias", KeyMaps.toCanonical("logit_fc.3.bias", KeyMaps.Layout.ORIGINAL_TASK));
        assertEquals("bert.encoder.x_layers.0.visual_attention.att.query.weight",
                KeyMaps.toCanonical("lxmert.encoder.x_layers.0.visual_attention.att.query.weight", KeyMaps.Layout.HF));
        assertEquals("answer_head.logit_fc.0.weight", KeyMaps.toCanonical("answer_head.logit_fc.0.weight", KeyMaps.Layout.HF));
        assertEquals("logit_fc.0.weight", KeyMaps.toCanonical("answer_head.logit_fc.0.weight", KeyMaps.Layout.HF_QA));
        assertEquals("answer_head.logit_fc.3.bias", KeyMaps.fromCanonical("logit_fc.3.bias", KeyMaps.Layout.HF_QA));
        assertEquals("lxmert.pooler.dense.bias", KeyMaps.fromCanonical("bert.pooler.dense.bias", KeyMaps.Layout.HF_QA));
        assertEquals("bert.encoder.r_layers.0.output.dense.bias", KeyMaps.toCanonical("encoder.r_layers.0.output.dense.bias", KeyMaps.Layout.HF_BASE));
        assertEquals("pooler.dense.bias", KeyMaps.fromCanonical("bert.pooler.dense.bias", KeyMaps.Layout.HF_BASE));
        assertEquals("lxrt_encoder.model.bert.pooler.dense.bias", KeyMaps.fromCanonical("bert.pooler.dense.bias", KeyMaps.Layout.ORIGINAL_TASK));
        assertEquals("lxmert.pooler.dense.bias", KeyMaps.fromCanonical("bert.pooler.dense.bias", KeyMaps.Layout.HF));
        assertEquals("cls.seq_relationship.bias", KeyMaps.fromCanonical("cls.seq_relationship.bias", KeyMaps.Layout.HF));
        assertEquals("module.obj_predict_head.transform.dense.weight",
                KeyMaps.fromCanonical("obj_predict_head.transform.dense.weight", KeyMaps.Layout.ORIGINAL));
    }

    @Test
    void collisionsAreReported() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("module.bert.x.gamma", Tensor.ofFloats("a", new long[] {1}, new float[] {1}));
        m.put("module.bert.x.weight", Tensor.ofFloats("b", new long[] {1}, new float[] {2}));
        CheckpointException e = assertThrows(CheckpointException.class, () -> KeyMaps.toCanonical(m, KeyMaps.Layout.ORIGINAL));
        assertTrue(e.getMessage().contains("module.bert.x.gamma") && e.getMessage().contains("bert.x.weight"), e.getMessage());
    }

    /** Every fixture key survives canonical -> layout -> file -> detect -> canonical unchanged, data shared. */
    @Test
    void roundTripThroughLayoutsAndFiles() throws Exception {
        StateDict orig = TorchReader.read(Fixtures.small().resolve("model_zip_LXRT.pth"));
        Map<String, Tensor> canon = KeyMaps.toCanonical(orig);
        assertEquals(orig.size(), canon.size());
        for (String k : canon.keySet()) assertTrue(!k.startsWith("module."), k);
        assertTrue(canon.containsKey("bert.embeddings.word_embeddings.weight"));
        assertTrue(canon.containsKey("answer_head.logit_fc.3.bias"));
        assertEquals(KeyMaps.Layout.ORIGINAL, KeyMaps.originalLayoutFor(canon.keySet()));
        for (KeyMaps.Layout layout : KeyMaps.Layout.values()) {
            // HF_QA spells task models (a pretraining dict in it is the HF spelling), HF_BASE the encoder alone
            if (layout == KeyMaps.Layout.HF_QA || layout == KeyMaps.Layout.HF_BASE) continue;
            Map<String, Tensor> out = KeyMaps.fromCanonical(canon, layout);
            Path f = tmp.resolve(layout + ".pth");
            TorchWriter.writeZip(f, out);
            StateDict back = TorchReader.read(f);
            KeyMaps.Layout detected = KeyMaps.detect(back.keySet());
            // a pretraining dict has no lxrt_encoder keys, so ORIGINAL_TASK spelling of it is the canonical spelling
            // of the heads plus 'lxrt_encoder.model.bert.*' and is detected as a task snapshot
            assertEquals(layout, detected, "layout written vs detected");
            Map<String, Tensor> again = KeyMaps.toCanonical(back);
            assertEquals(new ArrayList<>(canon.keySet()), new ArrayList<>(again.keySet()), layout.toString());
            for (String k : canon.keySet()) assertEquals(canon.get(k).data(), again.get(k).data(), layout + " " + k);
        }
        // renaming shares data: the tensor's bytes are the same buffer content, and names follow the map keys
        Tensor w = canon.get("bert.pooler.dense.weight");
        assertEquals("bert.pooler.dense.weight", w.name());
        assertSame(KeyMaps.Layout.HF, KeyMaps.detect(KeyMaps.fromCanonical(canon, KeyMaps.Layout.HF).keySet()));
    }

    /** A task model (VQA head + encoder) stays a task snapshot under the original layout. */
    @Test
    void taskSnapshotLayout() throws Exception {
        Path dir = Fixtures.small();
        Map<String, Tensor> canon = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : KeyMaps.toCanonical(TorchReader.read(dir.resolve("model_LXRT.pth"))).entrySet()) {
            if (e.getKey().startsWith("bert.")) canon.put(e.getKey(), e.getValue());
        }
        canon.putAll(KeyMaps.toCanonical(TorchReader.read(dir.resolve("vqa_logit_fc.pth"))));
        assertEquals(KeyMaps.Layout.ORIGINAL_TASK, KeyMaps.originalLayoutFor(canon.keySet()));
        Map<String, Tensor> task = KeyMaps.fromCanonical(canon, KeyMaps.Layout.ORIGINAL_TASK);
        // the names a fine-tuned VQA model's state_dict has in the original (manifest vqa_model_state_dict_keys)
        JsonNode m = Fixtures.json(dir.resolve("manifest.json"));
        Map<String, long[]> listed = Fixtures.shapes(m.get("vqa_model_state_dict_keys"));
        List<String> missing = new ArrayList<>();
        for (String k : listed.keySet()) if (!task.containsKey(k)) missing.add(k);
        assertEquals(List.of(), missing);
        for (String k : task.keySet()) {
            assertTrue(k.startsWith("lxrt_encoder.model.bert.") || k.startsWith("logit_fc."), k);
        }
    }
}
