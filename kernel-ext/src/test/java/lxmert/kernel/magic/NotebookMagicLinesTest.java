package lxmert.kernel.magic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lxmert.kernel.MagicArgs;
import lxmert.kernel.MagicVariables;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code %lxmert} / {@code %%lxmert} cell of {@code notebooks/*.ipynb} parses: the option spelling the notebooks
 * use is the one the magics (the CLI's mixins) take. {@code $NAME} takes the value of the notebook's literal
 * declaration {@code Type NAME = "value";} or {@code = 4;}, else {@code 1}.
 */
class NotebookMagicLinesTest {
    private static final Pattern DECLARATION = Pattern.compile("\\b(\\w+)\\s*=\\s*(\"([^\"]*)\"|[-+0-9.eE]+)\\s*;");

    @Test
    void everyMagicLineOfTheNotebooksParses() throws Exception {
        Path dir = Path.of("..", "notebooks");
        Assumptions.assumeTrue(Files.isDirectory(dir), "no notebooks directory at " + dir.toAbsolutePath());
        List<Path> notebooks;
        try (Stream<Path> s = Files.list(dir)) {
            notebooks = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        int magics = 0;
        for (Path nb : notebooks) {
            List<String> cells = new ArrayList<>();
            for (JsonNode c : new ObjectMapper().readTree(nb.toFile()).path("cells")) {
                if (!c.path("cell_type").asText().equals("code")) continue;
                StringBuilder src = new StringBuilder();
                c.path("source").forEach(l -> src.append(l.asText()));
                cells.add(src.toString());
            }
            Map<String, String> values = new HashMap<>();
            for (String c : cells) {
                Matcher m = DECLARATION.matcher(c);
                while (m.find()) values.putIfAbsent(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
            }
            for (String c : cells) {
                String src = c.strip();
                if (!src.startsWith("%lxmert ") && !src.startsWith("%%lxmert ")) continue;
                String text = MagicVariables.expand(src, n -> Optional.of(values.getOrDefault(n, "1")));
                int nl = text.indexOf('\n');
                List<String> args = new ArrayList<>(MagicArgs.split((nl < 0 ? text : text.substring(0, nl))
                        .substring(src.startsWith("%%") ? "%%lxmert".length() : "%lxmert".length())));
                if (src.startsWith("%%")) args.addAll(LxmertMagics.bodyArgs(text.substring(nl + 1)));
                assertDoesNotThrow(() -> LxmertMagics.parse(args), nb.getFileName() + ": " + src);
                magics++;
            }
        }
        assertTrue(magics >= 10, "magic cells found: " + magics);
    }
}
