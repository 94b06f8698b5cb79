package lxmert.data;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Locates the read-only {@code shared/} reference directory by walking up from the working directory. */
public final class SharedFiles {
    private SharedFiles() {}

    /** The shared directory, or null when absent. */
    public static Path find() {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            Path s = p.resolve("shared");
            if (Files.isDirectory(s.resolve("reference"))) return s;
            Path s2 = p.resolveSibling("shared");
            if (Files.isDirectory(s2.resolve("reference"))) return s2;
        }
        return null;
    }

    /** {@code shared/<rel>}; skips the test when the shared directory or the file is absent. */
    public static Path require(String rel) {
        Path s = find();
        Assumptions.assumeTrue(s != null, "../shared not found: skipping test that needs " + rel);
        Path f = s.resolve(rel);
        Assumptions.assumeTrue(Files.exists(f), "shared/" + rel + " not found: skipping");
        return f;
    }
}
