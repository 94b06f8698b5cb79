package lxmert.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lxmert.data.SharedFiles;
import lxmert.util.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every output of the original code on lxrt-small, from both checkpoint formats: embeddings, each layer,
 * final streams with and without a visual mask, pretraining heads and losses, the VQA head and loss, and three
 * BertAdam steps. Plus proof that the comparison fails when an output is off.
 */
public class ReferenceVerifierTest {
    @TempDir Path tmp;

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    static Path fixture() {
        return SharedFiles.require("fixtures/lxrt-small");
    }

    /** The lxr955 manifest, or null when ../shared is absent. */
    public static JsonNode manifest() throws Exception {
        Path p = SharedFiles.find();
        if (p == null || !Files.isRegularFile(p.resolve("fixtures/lxr955-manifest.json"))) return null;
        return new ObjectMapper().readTree(p.resolve("fixtures/lxr955-manifest.json").toFile());
    }

    @Test
    void everyOutputOfTheOriginalMatches() throws Exception {
        ReferenceVerifier.Report r = new ReferenceVerifier(fixture(), s -> { }).run(ai.djl.Device.cpu());
        Map<String, ReferenceVerifier.Comparison> byName =
                r.compared().stream().collect(Collectors.toMap(ReferenceVerifier.Comparison::name, c -> c));
        for (ReferenceVerifier.Comparison c : r.compared()) {
            assertTrue(c.ok(), c.name() + " max_abs_diff=" + c.maxAbsDiff());
        }
        // every out_* array of the fixture is compared, except the positions input
        try (var s = Files.list(fixture())) {
            for (String n : s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("out_")).toList()) {
                String name = n.replace(".npy", "");
                if (name.equals("out_mlm_positions")) continue;
                assertTrue(byName.containsKey(name), "not compared: " + name);
            }
        }
        for (int step = 0; step < 3; step++) {
            assertTrue(byName.containsKey("train_step" + step + "_loss"));
            assertTrue(byName.containsKey("train_step" + step + "_grad_norm"));
        }
        assertTrue(byName.containsKey("train_param_sums_after"));
        // the pretraining step (PretrainTask through the trainer): every value of every recorded step
        JsonNode pf = new ObjectMapper().readTree(fixture().resolve("manifest.json").toFile()).get("pretrain_train_fixture");
        assertNotNull(pf, "the fixture has pretrain_train_fixture");
        for (int step = 0; step < pf.get("steps").asInt(); step++) {
            for (String what : new String[] {"loss", "losses", "grad_norm", "word_emb_row0_grad_abs_sum"}) {
                assertTrue(byName.containsKey("pretrain_train_step" + step + "_" + what), "not compared: step " + step + " " + what);
            }
        }
        assertTrue(byName.containsKey("pretrain_train_param_sums_after"));
        assertTrue(r.skipped().stream().noneMatch(x -> x.name().startsWith("out_pretrain_train")), r.skipped().toString());
        assertTrue(r.ok());
        assertTrue(r.maxAbsDiff() < 1e-4, "max " + r.maxAbsDiff());
    }

    @Test
    void aPerturbedOutputFailsAndAMissingHeadIsNamed() throws Exception {
        Path copy = tmp.resolve("fx");
        Files.createDirectories(copy);
        try (var s = Files.list(fixture())) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals("vqa_logit_fc.pth")) Files.copy(p, copy.resolve(p.getFileName()));
            }
        }
        Npy.Array a = Npy.read(copy.resolve("out_pooled.npy"));
        float[] v = a.toFloatArray();
        v[5] += 2e-3f;
        Npy.writeFloats(copy.resolve("out_pooled.npy"), a.shape(), v);
        // and row 0's gradient in the last pretraining step 0.1% off (the trainer once zeroed it: 100% off)
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode man = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(copy.resolve("manifest.json").toFile());
        JsonNode rec = man.get("pretrain_train_fixture").get("record");
        com.fasterxml.jackson.databind.node.ObjectNode last = (com.fasterxml.jackson.databind.node.ObjectNode) rec.get(rec.size() - 1);
        last.put("word_emb_row0_grad_abs_sum", last.get("word_emb_row0_grad_abs_sum").asDouble() * 1.001);
        json.writeValue(copy.resolve("manifest.json").toFile(), man);
        ReferenceVerifier.Report r = new ReferenceVerifier(copy, s -> { }).run(ai.djl.Device.cpu());
        assertFalse(r.ok());
        ReferenceVerifier.Comparison pooled = r.compared().stream().filter(c -> c.name().equals("out_pooled")).findFirst().orElseThrow();
        assertFalse(pooled.ok());
        assertEquals(2e-3, pooled.maxAbsDiff(), 1e-4);
        String row0 = "pretrain_train_step" + (rec.size() - 1) + "_word_emb_row0_grad_abs_sum";
        assertFalse(r.compared().stream().filter(c -> c.name().equals(row0)).findFirst().orElseThrow().ok(), row0);
        assertTrue(r.skipped().stream().anyMatch(s -> s.name().equals("out_vqa_logits") && s.reason().contains("vqa_logit_fc.pth")),
                r.skipped().toString());
    }
}
