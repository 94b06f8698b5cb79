package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadReportTest {

    /**
     * entry.LXRTEncoder.load (--loadLXMERT) of the fixture into a task encoder (bert.* only) prints exactly the
     * lines recorded in manifest.json vqa_load_log after its two header lines.
     */
    @Test
    void matchesOriginalLoadLog() throws Exception {
        Path dir = Fixtures.small();
        Map<String, Tensor> loaded = KeyMaps.toCanonical(TorchReader.read(dir.resolve("model_LXRT.pth")));
        Map<String, long[]> model = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : loaded.entrySet()) {
            if (e.getKey().startsWith("bert.")) model.put(e.getKey(), e.getValue().shape());
        }
        LoadReport r = LoadReport.compare(model, loaded);
        JsonNode log = Fixtures.json(dir.resolve("manifest.json")).get("vqa_load_log");
        List<String> lines = new ArrayList<>();
        for (int i = 2; i < log.size(); i++) lines.add(log.get(i).asText());
        assertEquals(String.join("\n", lines), r.toString());
        assertTrue(r.missing().isEmpty());
        assertEquals(loaded.size() - model.size(), r.unexpected().size());
        r.requireComplete("fixture"); // nothing missing: must not throw
    }

    @Test
    void missingAndMismatchedKeysAreNamed() {
        Map<String, long[]> model = new LinkedHashMap<>();
        model.put("bert.pooler.dense.weight", new long[] {4, 4});
        model.put("bert.pooler.dense.bias", new long[] {4});
        model.put("logit_fc.3.bias", new long[] {10});
        Map<String, Tensor> loaded = new LinkedHashMap<>();
        loaded.put("bert.pooler.dense.weight", Tensor.ofFloats("bert.pooler.dense.weight", new long[] {4, 3}, new float[12]));
        loaded.put("bert.pooler.dense.bias", Tensor.ofFloats("bert.pooler.dense.bias", new long[] {4}, new float[4]));
        loaded.put("extra.thing", Tensor.ofFloats("extra.thing", new long[] {1}, new float[1]));
        LoadReport r = LoadReport.compare(model, loaded);
        assertFalse(r.isClean());
        assertEquals(List.of("logit_fc.3.bias"), r.missing());
        assertEquals(List.of("extra.thing"), r.unexpected());
        assertEquals(1, r.mismatched().size());
        String s = r.toString();
        assertTrue(s.contains("Weights in model but not in loaded:\nlogit_fc.3.bias\n"), s);
        assertTrue(s.contains("Weights in loaded but not in model:\nextra.thing\n"), s);
        assertTrue(s.contains("bert.pooler.dense.weight: model [4, 4] vs loaded [4, 3]"), s);
        CheckpointException e = assertThrows(CheckpointException.class, () -> r.requireComplete("my.pth"));
        assertTrue(e.getMessage().contains("my.pth") && e.getMessage().contains("logit_fc.3.bias")
                && e.getMessage().contains("bert.pooler.dense.weight"), e.getMessage());
    }
}
