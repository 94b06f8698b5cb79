package lxmert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code bench pretrain-data} at a small size: generates, loads, reports; the second run reuses data and cache. */
class PretrainDataBenchmarkTest {
    @TempDir Path tmp;

    @Test
    void generatesLoadsAndReports() throws Exception {
        PretrainDataBenchmark.Options o = new PretrainDataBenchmark.Options(tmp, 60, 3000, 3, 4, 5, 3, 16, null);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        JsonNode a = new ObjectMapper().readTree(PretrainDataBenchmark.run(o, new PrintStream(buf, true)));
        assertEquals(3000, a.get("examples").asInt(), buf.toString());
        assertEquals(60, a.get("images").asInt());
        assertFalse(a.get("from_cache").asBoolean());
        assertTrue(a.get("heap_used_mb").asDouble() > 0 && a.get("load_seconds").asDouble() > 0);
        JsonNode b = new ObjectMapper().readTree(PretrainDataBenchmark.run(o, new PrintStream(new ByteArrayOutputStream(), true)));
        assertTrue(b.get("from_cache").asBoolean());
        assertEquals(0.0, b.get("generate_seconds").asDouble(), "data reused");
        assertEquals(3000, b.get("examples").asInt());
    }
}
