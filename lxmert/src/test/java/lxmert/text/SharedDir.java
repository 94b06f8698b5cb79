package lxmert.text;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locates the read-only reference directory {@code shared/} by walking up from {@code user.dir}. */
final class SharedDir {

    private SharedDir() {}

    /** The first {@code <ancestor>/shared} that has a {@code fixtures} directory, if any. */
    static Optional<Path> find() {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("shared");
            if (Files.isDirectory(s.resolve("fixtures"))) return Optional.of(s);
        }
        return Optional.empty();
    }
}
