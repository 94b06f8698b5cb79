package lxmert.checkpoint;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/** Locates the read-only {@code shared/} reference directory (skipping tests when absent) and reads manifests. */
final class Fixtures {
    private Fixtures() {}

    /** Walks up from user.dir to find a directory containing {@code shared/fixtures}; skips the test if none. */
    static Path shared() {
        Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            Path s = p.resolve("shared");
            if (Files.isDirectory(s.resolve("fixtures"))) return s;
        }
        assumeTrue(false, "shared/ reference directory not found above " + System.getProperty("user.dir") + "; skipping");
        return null;
    }

    static Path small() { return shared().resolve("fixtures/lxrt-small"); }

    static JsonNode json(Path p) throws IOException {
        return new ObjectMapper().readTree(p.toFile());
    }

    /** The ordered key -> shape list of a manifest node that is an array of {key, shape}. */
    static Map<String, long[]> shapes(JsonNode keys) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (JsonNode k : keys) {
            if (!k.has("key")) continue;
            long[] s = new long[k.get("shape").size()];
            for (int i = 0; i < s.length; i++) s[i] = k.get("shape").get(i).asLong();
            out.put(k.get("key").asText(), s);
        }
        return out;
    }
}
