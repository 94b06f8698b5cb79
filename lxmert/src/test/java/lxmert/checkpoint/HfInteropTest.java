package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import lxmert.cli.Main;
import lxmert.config.LxmertConfig;
import lxmert.tasks.Snapshots;
import lxmert.tasks.pretrain.PretrainCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** HuggingFace folders in and out, against the lxrt-small fixture: layouts recognised, round trips bit exact, errors named. */
class HfInteropTest {
    @TempDir Path tmp;

    /** The fixture's config (manifest.json: bert_config + visual_config; 160 objects, 40 attributes). */
    static final String SMALL_CONFIG = "{\"vocab_size\":1000,\"hidden_size\":64,\"num_attention_heads\":4,\"intermediate_size\":256,"
            + "\"max_position_embeddings\":64,\"type_vocab_size\":2,\"l_layers\":2,\"x_layers\":1,\"r_layers\":1,\"visual_feat_dim\":128,"
            + "\"visual_pos_dim\":4,\"num_object_labels\":160,\"num_attr_labels\":40}";

    /** Rows of the fixture's pretraining answer head (module.answer_head.logit_fc.3.weight). */
    static final int PRETRAIN_ANSWERS = 16;

    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private Path smallConfig() throws Exception {
        Path c = tmp.resolve("small.json");
        Files.writeString(c, SMALL_CONFIG);
        return c;
    }

    private static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor a = actual.get(e.getKey());
            assertEquals(e.getValue().dtype(), a.dtype(), e.getKey());
            assertArrayEquals(e.getValue().shape(), a.shape(), e.getKey());
            assertEquals(e.getValue().data(), a.data(), e.getKey());
        }
    }

    private static int dataEntries(Path zip) throws Exception {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return (int) Collections.list(z.entries()).stream().filter(e -> e.getName().contains("/data/")).count();
        }
    }

    /** A task snapshot in the original's layout: the fixture's encoder and its VQA head (10 answers). */
    private Path taskSnapshot() {
        Map<String, Tensor> c = new LinkedHashMap<>();
        KeyMaps.toCanonical(TorchReader.read(Fixtures.small().resolve("model_LXRT.pth"))).forEach((k, v) -> {
            if (k.startsWith("bert.")) c.put(k, v);
        });
        c.putAll(KeyMaps.toCanonical(TorchReader.read(Fixtures.small().resolve("vqa_logit_fc.pth"))));
        Path p = tmp.resolve("task.pth");
        TorchWriter.writeZip(p, KeyMaps.fromCanonical(c, KeyMaps.Layout.ORIGINAL_TASK));
        return p;
    }

    @Test
    void tiedDecoderIsOneStorageInPth() throws Exception {
        Path src = Fixtures.small().resolve("model_LXRT.pth");
        StateDict sd = TorchReader.read(src);
        assertTrue(sd.get("module.cls.predictions.decoder.weight").sharesDataWith(sd.get("module.bert.embeddings.word_embeddings.weight")),
                "the fixture (torch) stores the decoder as a view of the word embeddings' storage");
        Path back = tmp.resolve("back.pth");
        assertEquals(0, run("convert", "--in", src.toString(), "--out", back.toString()), err.toString());
        assertEquals(128, dataEntries(back), "129 keys, 128 storages");
        StateDict b = TorchReader.read(back);
        assertSameTensors(sd, b);
        assertTrue(b.get("module.cls.predictions.decoder.weight").sharesDataWith(b.get("module.bert.embeddings.word_embeddings.weight")));
        // equal values are not shared data: two separate copies stay two storages
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.ofFloats("a", new long[] {2}, new float[] {1, 2}));
        m.put("b", Tensor.ofFloats("b", new long[] {2}, new float[] {1, 2}));
        m.put("c", m.get("a").withName("c"));
        Path f = tmp.resolve("abc.pth");
        TorchWriter.writeZip(f, m);
        assertEquals(2, dataEntries(f));
        assertSameTensors(m, TorchReader.read(f));
    }

    @Test
    void pretrainingToHfFolderAndBackIsBitExact() throws Exception {
        Path src = Fixtures.small().resolve("model_LXRT.pth");
        StateDict orig = TorchReader.read(src);
        for (String format : new String[] {"safetensors", "bin"}) {
            Path dir = tmp.resolve("hf-" + format);
            assertEquals(0, run("convert", "--in", src.toString(), "--out", dir.toString(), "--layout", "hf", "--format", format,
                    "--config", smallConfig().toString()), err.toString());
            assertTrue(out.toString().contains("LxmertForPreTraining"), out.toString());
            Path weights = dir.resolve(format.equals("bin") ? HfFolder.BIN : HfFolder.SAFETENSORS);
            assertTrue(HfFolder.is(dir));
            StateDict hf = Checkpoints.readFile(weights);
            assertEquals(format.equals("bin") ? StateDict.Format.ZIP : StateDict.Format.SAFETENSORS, hf.format());
            assertEquals(129, hf.size());
            assertSameTensors(KeyMaps.fromCanonical(KeyMaps.toCanonical(orig), KeyMaps.Layout.HF), hf);
            if (format.equals("bin")) assertEquals(128, dataEntries(weights));
            JsonNode cfg = Fixtures.json(dir.resolve(HfFolder.CONFIG));
            assertEquals("lxmert", cfg.get("model_type").asText());
            assertEquals("LxmertForPreTraining", cfg.get("architectures").get(0).asText());
            assertEquals(64, cfg.get("hidden_size").asInt());
            assertEquals(4, cfg.get("num_attention_heads").asInt());
            assertEquals(orig.get("module.answer_head.logit_fc.3.weight").shape()[0], cfg.get("num_qa_labels").asLong(), "from the answer head's rows");
            assertEquals(2, cfg.get("num_hidden_layers").get("language").asInt());
            assertTrue(cfg.get("task_qa").asBoolean() && cfg.get("visual_feat_loss").asBoolean());
            List<String> warnings = new ArrayList<>();
            assertEquals(LxmertConfig.fromJson(SMALL_CONFIG, "s").toBuilder().numQaLabels(PRETRAIN_ANSWERS).build(),
                    HfFolder.open(dir, warnings::add).config());
            assertEquals(List.of(), warnings);
            Path back = tmp.resolve("back-" + format + ".pth");
            assertEquals(0, run("convert", "--in", dir.toString(), "--out", back.toString()), err.toString());
            assertSameTensors(orig, TorchReader.read(back));
        }
    }

    /** HF folder to HF folder in the other format: same keys, order and bytes; the config carried over. */
    @Test
    void hfFolderToHfFolderChangesOnlyTheFormat() throws Exception {
        Path st = tmp.resolve("st"), bin = tmp.resolve("bin");
        assertEquals(0, run("convert", "--in", Fixtures.small().resolve("model_LXRT.pth").toString(), "--out", st.toString(),
                "--layout", "hf", "--config", smallConfig().toString()), err.toString());
        assertEquals(0, run("convert", "--in", st.toString(), "--out", bin.toString(), "--layout", "hf", "--format", "bin"), err.toString());
        assertSameTensors(Checkpoints.readFile(st.resolve(HfFolder.SAFETENSORS)), Checkpoints.readFile(bin.resolve(HfFolder.BIN)));
        assertEquals(Fixtures.json(st.resolve(HfFolder.CONFIG)), Fixtures.json(bin.resolve(HfFolder.CONFIG)));
        assertEquals("", err.toString());
    }

    @Test
    void hfFileWithoutTiedDecoderGetsIt() throws Exception {
        Map<String, Tensor> hf = new LinkedHashMap<>(KeyMaps.fromCanonical(
                KeyMaps.toCanonical(TorchReader.read(Fixtures.small().resolve("model_LXRT.pth"))), KeyMaps.Layout.HF));
        assertTrue(hf.remove("cls.predictions.decoder.weight") != null);
        Path dir = tmp.resolve("nodecoder");
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(HfFolder.SAFETENSORS), hf);
        Files.writeString(dir.resolve(HfFolder.CONFIG), SMALL_CONFIG.replace("{", "{\"model_type\":\"lxmert\",\"num_qa_labels\":16,"));
        Path back = tmp.resolve("orig.pth");
        assertEquals(0, run("convert", "--in", dir.toString(), "--out", back.toString()), err.toString());
        StateDict b = TorchReader.read(back);
        assertSameTensors(TorchReader.read(Fixtures.small().resolve("model_LXRT.pth")), b);
        assertEquals(128, dataEntries(back));
    }

    @Test
    void taskSnapshotBecomesQuestionAnsweringAndBack() throws Exception {
        Path task = taskSnapshot();
        StateDict t = TorchReader.read(task);
        Path dir = tmp.resolve("qa");
        assertEquals(0, run("convert", "--in", task.toString(), "--out", dir.toString(), "--layout", "hf",
                "--config", smallConfig().toString()), err.toString());
        StateDict hf = Checkpoints.readFile(dir.resolve(HfFolder.SAFETENSORS));
        assertEquals(KeyMaps.Layout.HF_QA, KeyMaps.detect(hf.keySet()));
        List<String> head = new ArrayList<>();
        for (String k : hf.keySet()) if (!k.startsWith("lxmert.")) head.add(k);
        assertEquals(List.of("answer_head.logit_fc.0.weight", "answer_head.logit_fc.0.bias", "answer_head.logit_fc.2.weight",
                "answer_head.logit_fc.2.bias", "answer_head.logit_fc.3.weight", "answer_head.logit_fc.3.bias"), head);
        JsonNode cfg = Fixtures.json(dir.resolve(HfFolder.CONFIG));
        assertEquals("LxmertForQuestionAnswering", cfg.get("architectures").get(0).asText());
        assertEquals(10, cfg.get("num_qa_labels").asInt());
        // read back: the project's task model
        Map<String, Tensor> c = Checkpoints.readCanonical(dir, s -> {});
        assertTrue(KeyMaps.isTaskModel(c.keySet()));
        assertTrue(c.containsKey("logit_fc.3.weight") && c.containsKey("bert.pooler.dense.bias"));
        Path back = tmp.resolve("task-back.pth");
        assertEquals(0, run("convert", "--in", dir.toString(), "--out", back.toString()), err.toString());
        assertSameTensors(t, TorchReader.read(back));
        // and --layout hf to a file keeps the HF QA names
        Path hfFile = tmp.resolve("qa.pth");
        assertEquals(0, run("convert", "--in", task.toString(), "--out", hfFile.toString(), "--layout", "hf"), err.toString());
        assertTrue(TorchReader.read(hfFile).containsKey("answer_head.logit_fc.3.bias"));
    }

    /** A safetensors file as the safetensors library writes it (tensors sorted by name) converts to the original's order. */
    @Test
    void sortedSafetensorsConvertInTheModelsOrder() throws Exception {
        StateDict orig = TorchReader.read(Fixtures.small().resolve("model_LXRT.pth"));
        Map<String, Tensor> hf = KeyMaps.fromCanonical(KeyMaps.toCanonical(orig), KeyMaps.Layout.HF);
        Map<String, Tensor> sorted = new java.util.TreeMap<>(hf);
        sorted.remove("cls.predictions.decoder.weight"); // the library drops the tied key too
        Path f = tmp.resolve("sorted.safetensors");
        Safetensors.write(f, new LinkedHashMap<>(sorted));
        assertEquals(new ArrayList<>(sorted.keySet()), new ArrayList<>(Safetensors.read(f).keySet()));
        Path back = tmp.resolve("sorted-back.pth");
        assertEquals(0, run("convert", "--in", f.toString(), "--out", back.toString()), err.toString());
        assertSameTensors(orig, TorchReader.read(back));
    }

    @Test
    void lxmertModelWithoutPrefixIsRecognised() throws Exception {
        Map<String, Tensor> base = new LinkedHashMap<>();
        KeyMaps.toCanonical(TorchReader.read(Fixtures.small().resolve("model_LXRT.pth"))).forEach((k, v) -> {
            if (k.startsWith("bert.")) base.put(k.substring("bert.".length()), v);
        });
        assertEquals(KeyMaps.Layout.HF_BASE, KeyMaps.detect(base.keySet()));
        Path f = tmp.resolve("base.safetensors");
        Safetensors.write(f, base);
        Map<String, Tensor> c = Checkpoints.readCanonical(f, s -> {});
        assertTrue(c.keySet().stream().allMatch(k -> k.startsWith("bert.")), c.keySet().toString());
        assertEquals(base.size(), c.size());
        assertSame(KeyMaps.Layout.HF_BASE, KeyMaps.hfLayoutFor(c.keySet()));
        Path dir = tmp.resolve("base");
        assertEquals(0, run("convert", "--in", f.toString(), "--out", dir.toString(), "--layout", "hf", "--config", smallConfig().toString()),
                err.toString());
        assertEquals("LxmertModel", Fixtures.json(dir.resolve(HfFolder.CONFIG)).get("architectures").get(0).asText());
        assertSameTensors(base, Checkpoints.readFile(dir.resolve(HfFolder.SAFETENSORS)));
    }

    @Test
    void configFlagsDecideHeadsAndUnknownKeysWarnOnce() throws Exception {
        Path dir = tmp.resolve("flags");
        assertEquals(0, run("convert", "--in", Fixtures.small().resolve("model_LXRT.pth").toString(), "--out", dir.toString(),
                "--layout", "hf", "--config", smallConfig().toString()), err.toString());
        JsonNode cfg = Fixtures.json(dir.resolve(HfFolder.CONFIG));
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg).put("task_qa", false).put("visual_attr_loss", false)
                .put("use_cache", true).put("dtype", "float32").put("my_extra", 1).put("other_extra", "x");
        Files.writeString(dir.resolve(HfFolder.CONFIG), cfg.toString());
        List<String> warnings = new ArrayList<>();
        Map<String, Tensor> c = Checkpoints.readCanonical(dir, warnings::add);
        assertFalse(c.keySet().stream().anyMatch(k -> k.startsWith("answer_head.") || k.startsWith("obj_predict_head.decoder_dict.attr.")));
        assertTrue(c.containsKey("obj_predict_head.decoder_dict.obj.weight") && c.containsKey("obj_predict_head.decoder_dict.feat.bias"));
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).endsWith("ignoring unknown config keys [my_extra, other_extra]"), warnings.get(0));
        assertTrue(warnings.get(1).contains("dropping 8 weights") && warnings.get(1).contains("answer_head.logit_fc.3.bias"), warnings.get(1));
        assertEquals(129 - 8, c.size());
    }

    @Test
    void loadPathsAcceptHfFolders() throws Exception {
        Path dir = tmp.resolve("m");
        assertEquals(0, run("convert", "--in", Fixtures.small().resolve("model_LXRT.pth").toString(), "--out", dir.toString(),
                "--layout", "hf", "--format", "bin", "--config", smallConfig().toString()), err.toString());
        assertEquals(dir, Snapshots.resolveLoad(dir));
        assertEquals(dir, PretrainCheckpoint.resolve(dir));
        assertSameTensors(ModelWeights.withTiedDecoder(KeyMaps.toCanonical(TorchReader.read(Fixtures.small().resolve("model_LXRT.pth")))),
                ModelWeights.readCanonical(dir));
    }

    @Test
    void errorsAreNamed() throws Exception {
        Path dir = tmp.resolve("noweights");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(HfFolder.CONFIG), "{}");
        assertFalse(HfFolder.is(dir));
        CheckpointException e = assertThrows(CheckpointException.class, () -> HfFolder.open(dir, s -> {}));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("neither model.safetensors nor pytorch_model.bin"),
                e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Checkpoints.read(dir));
        assertTrue(e.getMessage().contains("is a directory") && e.getMessage().contains("HuggingFace folder"), e.getMessage());
        IllegalArgumentException i = assertThrows(IllegalArgumentException.class, () -> Snapshots.resolveLoad(dir));
        assertTrue(i.getMessage().contains("not a HuggingFace folder"), i.getMessage());
        Files.writeString(dir.resolve(HfFolder.SAFETENSORS), "x");
        Files.writeString(dir.resolve(HfFolder.CONFIG), "{\"model_type\":\"bert\"}");
        e = assertThrows(CheckpointException.class, () -> HfFolder.open(dir, s -> {}));
        assertTrue(e.getMessage().contains("model_type is \"bert\""), e.getMessage());
        Files.writeString(dir.resolve(HfFolder.CONFIG), "{\"task_qa\":\"yes\"}");
        e = assertThrows(CheckpointException.class, () -> HfFolder.open(dir, s -> {}));
        assertTrue(e.getMessage().contains("task_qa") && e.getMessage().contains(HfFolder.CONFIG), e.getMessage());
        Path src = Fixtures.small().resolve("model_LXRT.pth");
        assertEquals(2, run("convert", "--in", src.toString(), "--out", tmp.resolve("x.pth").toString(), "--format", "safetensors"));
        assertTrue(err.toString().contains("does not match --out"), err.toString());
        assertEquals(2, run("convert", "--in", src.toString(), "--out", tmp.toString()));
        assertTrue(err.toString().contains("needs --layout hf"), err.toString());
        // a config that does not fit the shapes is named
        Path big = tmp.resolve("big.json");
        Files.writeString(big, SMALL_CONFIG.replace("\"hidden_size\":64", "\"hidden_size\":128"));
        assertEquals(2, run("convert", "--in", src.toString(), "--out", tmp.resolve("o").toString(), "--layout", "hf", "--config", big.toString()));
        assertTrue(err.toString().contains("does not fit the weights") && err.toString().contains("hidden_size 128 -> 64"), err.toString());
        assertFalse(Files.exists(tmp.resolve("o").resolve(HfFolder.CONFIG)));
    }

    @Test
    void withoutConfigSizesComeFromShapes() throws Exception {
        Path src = Fixtures.small().resolve("model_LXRT.pth");
        Path dir = tmp.resolve("guess");
        assertEquals(0, run("convert", "--in", src.toString(), "--out", dir.toString(), "--layout", "hf"), err.toString());
        assertTrue(err.toString().contains("num_attention_heads 1"), err.toString());
        LxmertConfig c = HfFolder.open(dir, s -> {}).config();
        assertEquals(LxmertConfig.fromJson(SMALL_CONFIG, "s").toBuilder().numQaLabels(PRETRAIN_ANSWERS).numAttentionHeads(1).build(), c);
    }
}
