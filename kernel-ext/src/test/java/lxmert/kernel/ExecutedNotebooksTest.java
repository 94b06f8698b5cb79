package lxmert.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the notebooks executed headless by {@code environment/run-notebook} (CI: {@code environment/test-all}):
 * every executed notebook is free of error outputs, and the executed {@code vqa_finetune} notebook holds an image/png
 * output (the accuracy curve) and a text/html table.
 *
 * <p>Reads the directory in system property {@code lxmert.executedNotebooks} (default {@code snap/notebooks} under
 * the project root). Skips when it is absent or holds no notebook, unless {@code -Dlxmert.requireExecutedNotebooks=true}.
 */
class ExecutedNotebooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path projectRoot() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("kernel-ext")) && Files.isDirectory(p.resolve("lxmert"))) return p;
        }
        return Path.of(System.getProperty("user.dir")).toAbsolutePath();
    }

    private static Path dir() {
        String d = System.getProperty("lxmert.executedNotebooks");
        return d != null && !d.isBlank() ? Path.of(d) : projectRoot().resolve("snap").resolve("notebooks");
    }

    private static List<Path> executed() throws IOException {
        Path d = dir();
        boolean require = Boolean.getBoolean("lxmert.requireExecutedNotebooks");
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(d)) {
            try (Stream<Path> s = Files.list(d)) {
                s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().forEach(out::add);
            }
        }
        if (out.isEmpty()) {
            if (require) fail("no executed notebooks in " + d + " (run environment/run-notebook first)");
            Assumptions.assumeTrue(false, "no executed notebooks in " + d
                    + "; run environment/run-notebook notebooks/*.ipynb (or set -Dlxmert.executedNotebooks)");
        }
        return out;
    }

    private static List<JsonNode> outputs(Path notebook) throws IOException {
        JsonNode nb = JSON.readTree(notebook.toFile());
        assertEquals(4, nb.path("nbformat").asInt(), notebook + ": nbformat");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode cell : nb.path("cells")) {
            if (!"code".equals(cell.path("cell_type").asText())) continue;
            cell.path("outputs").forEach(out::add);
        }
        return out;
    }

    @Test
    void executedNotebooksHaveNoErrors() throws IOException {
        List<String> errors = new ArrayList<>();
        for (Path nb : executed()) {
            JsonNode doc = JSON.readTree(nb.toFile());
            int i = 0;
            for (JsonNode cell : doc.path("cells")) {
                i++;
                if (!"code".equals(cell.path("cell_type").asText())) continue;
                if (cell.path("execution_count").isNull() && !cell.path("source").toString().isBlank()) {
                    errors.add(nb.getFileName() + " cell " + i + ": not executed");
                }
                for (JsonNode o : cell.path("outputs")) {
                    if ("error".equals(o.path("output_type").asText())) {
                        errors.add(nb.getFileName() + " cell " + i + ": " + o.path("ename").asText() + ": "
                                + o.path("evalue").asText());
                    }
                }
            }
        }
        assertTrue(errors.isEmpty(), "error outputs in executed notebooks:\n" + String.join("\n", errors));
    }

    @Test
    void vqaNotebookHoldsTheAccuracyCurveAndTables() throws IOException {
        List<Path> all = executed();
        Path vqa = all.stream().filter(p -> p.getFileName().toString().equals("vqa_finetune.ipynb")).findFirst()
                .orElse(null);
        if (vqa == null) {
            if (Boolean.getBoolean("lxmert.requireExecutedNotebooks")) fail("no vqa_finetune.ipynb in " + dir());
            Assumptions.assumeTrue(false, "no executed vqa_finetune.ipynb in " + dir());
        }
        int png = 0;
        int tables = 0;
        for (JsonNode o : outputs(vqa)) {
            JsonNode data = o.path("data");
            if (data.hasNonNull("image/png") && !data.path("image/png").asText().isBlank()) png++;
            String html = data.path("text/html").isArray() ? joined(data.path("text/html")) : data.path("text/html").asText("");
            if (html.contains("<table")) tables++;
        }
        assertTrue(png >= 1, vqa + ": expected at least one image/png output (the accuracy curve), found none");
        assertTrue(tables >= 1, vqa + ": expected at least one text/html table output, found none");
    }

    private static String joined(JsonNode lines) {
        StringBuilder s = new StringBuilder();
        lines.forEach(l -> s.append(l.asText()));
        return s.toString();
    }
}
