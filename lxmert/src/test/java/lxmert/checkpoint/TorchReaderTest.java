package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import lxmert.util.Npy;
import org.junit.jupiter.api.Test;

class TorchReaderTest {

    @Test
    void legacyAndZipFixturesMatchManifest() throws Exception {
        Path dir = Fixtures.small();
        JsonNode sd = Fixtures.json(dir.resolve("manifest.json")).get("state_dict");
        Map<String, long[]> expected = Fixtures.shapes(sd.get("keys"));
        assertEquals(129, expected.size());
        assertEquals(sd.get("n_keys").asInt(), expected.size());

        StateDict legacy = TorchReader.read(dir.resolve("model_LXRT.pth"));
        StateDict zip = TorchReader.read(dir.resolve("model_zip_LXRT.pth"));
        assertEquals(StateDict.Format.LEGACY, legacy.format());
        assertEquals(StateDict.Format.ZIP, zip.format());
        for (StateDict s : new StateDict[] {legacy, zip}) {
            assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(s.keySet()), "key order of " + s.source());
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                Tensor t = s.get(e.getKey());
                assertArrayEquals(e.getValue(), t.shape(), e.getKey());
                assertEquals(DType.F32, t.dtype(), e.getKey());
            }
        }
        for (String k : expected.keySet()) {
            assertEquals(legacy.get(k).data(), zip.get(k).data(), "values of " + k + " differ between legacy and zip");
        }
        // tied weights: both keys present, same values
        for (JsonNode tied : sd.get("tied").get("keys")) {
            String k = tied.asText();
            assertEquals(legacy.get("module.bert.embeddings.word_embeddings.weight").data(), legacy.get(k).data(), k);
        }
    }

    /**
     * Independent check of the values: the original's embedding output (word + position + token type, then
     * LayerNorm eps 1e-12) recomputed from the weights read here must match out_embedding.npy.
     */
    @Test
    void weightsReproduceOriginalEmbeddingOutput() throws Exception {
        Path dir = Fixtures.small();
        StateDict s = TorchReader.read(dir.resolve("model_LXRT.pth"));
        float[] word = s.require("module.bert.embeddings.word_embeddings.weight").toFloatArray();
        float[] pos = s.require("module.bert.embeddings.position_embeddings.weight").toFloatArray();
        float[] type = s.require("module.bert.embeddings.token_type_embeddings.weight").toFloatArray();
        float[] g = s.require("module.bert.embeddings.LayerNorm.weight").toFloatArray();
        float[] b = s.require("module.bert.embeddings.LayerNorm.bias").toFloatArray();
        int h = g.length;
        Npy.Array ids = Npy.read(dir.resolve("in_input_ids.npy"));
        long[] idv = ids.toLongArray();
        long[] seg = Npy.read(dir.resolve("in_segment_ids.npy")).toLongArray();
        Npy.Array out = Npy.read(dir.resolve("out_embedding.npy"));
        float[] ref = out.toFloatArray();
        int batch = (int) ids.shape()[0], len = (int) ids.shape()[1];
        assertArrayEquals(new long[] {batch, len, h}, out.shape());
        double maxErr = 0;
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < len; t++) {
                double[] x = new double[h];
                int id = (int) idv[i * len + t], sg = (int) seg[i * len + t];
                double mean = 0;
                for (int j = 0; j < h; j++) {
                    x[j] = (double) word[id * h + j] + pos[t * h + j] + type[sg * h + j];
                    mean += x[j];
                }
                mean /= h;
                double var = 0;
                for (int j = 0; j < h; j++) var += (x[j] - mean) * (x[j] - mean);
                var /= h;
                for (int j = 0; j < h; j++) {
                    double y = (x[j] - mean) / Math.sqrt(var + 1e-12) * g[j] + b[j];
                    double r = ref[(i * len + t) * h + j];
                    assertTrue(Math.abs(y - r) <= 1e-5 + 1e-4 * Math.abs(r), "embedding [" + i + "," + t + "," + j + "]: " + y + " vs " + r);
                    maxErr = Math.max(maxErr, Math.abs(y - r));
                }
            }
        }
        assertTrue(maxErr < 1e-5);
    }

    /** The released file was saved from GPU: a 'cuda:0' storage location must read the same. */
    @Test
    void gpuLocationIsAccepted(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path src = Fixtures.small().resolve("vqa_logit_fc.pth");
        byte[] all = java.nio.file.Files.readAllBytes(src);
        byte[] cpu = {'X', 3, 0, 0, 0, 'c', 'p', 'u'};
        byte[] cuda = {'X', 6, 0, 0, 0, 'c', 'u', 'd', 'a', ':', '0'};
        int at = -1;
        for (int i = 0; i + cpu.length <= 4096 && at < 0; i++) {
            if (java.util.Arrays.equals(java.util.Arrays.copyOfRange(all, i, i + cpu.length), cpu)) at = i;
        }
        assertTrue(at > 0, "no 'cpu' location string in the fixture pickle");
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        o.write(all, 0, at);
        o.write(cuda);
        o.write(all, at + cpu.length, all.length - at - cpu.length);
        Path f = tmp.resolve("cuda.pth");
        java.nio.file.Files.write(f, o.toByteArray());
        StateDict a = TorchReader.read(src), b = TorchReader.read(f);
        assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()));
        for (String k : a.keySet()) assertEquals(a.get(k).data(), b.get(k).data(), k);
    }

    @Test
    void vqaHeadFixtureKeys() throws Exception {
        Path dir = Fixtures.small();
        JsonNode m = Fixtures.json(dir.resolve("manifest.json"));
        Map<String, long[]> all = Fixtures.shapes(m.get("vqa_model_state_dict_keys"));
        StateDict s = TorchReader.read(dir.resolve("vqa_logit_fc.pth"));
        assertEquals(StateDict.Format.LEGACY, s.format());
        var expected = new ArrayList<String>();
        for (String k : all.keySet()) if (k.startsWith("logit_fc.")) expected.add(k);
        assertEquals(expected, new ArrayList<>(s.keySet()));
        for (String k : expected) assertArrayEquals(all.get(k), s.get(k).shape(), k);
    }
}
