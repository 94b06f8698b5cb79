package lxmert.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end: executes {@code src/test/notebooks/smoke.ipynb} with {@code jupyter nbconvert --execute} through a
 * kernelspec that starts {@link Main} (the same argv shape as environment/kernelspec, with this test's class path),
 * then checks the saved outputs. Skips when Debian's Jupyter is not installed.
 */
class NotebookSmokeTest {
    private static final Path JUPYTER = Path.of("/usr/bin/jupyter");

    @Test
    void smokeNotebookRunsHeadless(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(JUPYTER), "/usr/bin/jupyter is absent: install jupyter-client python3-nbclient "
                + "jupyter-nbconvert python3-nbformat (environment/run-notebook does) to run this test");
        Path notebook = Path.of("src/test/notebooks/smoke.ipynb").toAbsolutePath();
        assertTrue(Files.isRegularFile(notebook), "missing " + notebook);

        Path agent = tmp.resolve("agent.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", "lxmert.kernel.jshell.RedefineAgent");
        mf.getMainAttributes().putValue("Can-Redefine-Classes", "true");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(agent), mf)) {
            out.flush();
        }
        // the kernelspec template of environment/, with this test's class path instead of the packaged jars
        Path template = Path.of("../environment/kernelspec/lxmert-java/kernel.json");
        assertTrue(Files.isRegularFile(template), "missing " + template.toAbsolutePath());
        String spec = Files.readString(template)
                .replace("@KERNEL_JAR@:@KERNEL_LIB@/*", System.getProperty("java.class.path"))
                .replace("@KERNEL_JAR@", agent.toString())
                .replace("@JAVA@", Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .replace("@HEAP@", "1g")
                .replace("@ROOT@", Path.of("..").toAbsolutePath().normalize().toString());
        assertFalse(spec.contains("@"), "unfilled placeholder in " + template + ": " + spec);
        ObjectMapper json = new ObjectMapper();
        JsonNode specJson = json.readTree(spec);
        assertEquals("lxmert.kernel.Main", specJson.get("argv").get(specJson.get("argv").size() - 2).asText());
        assertEquals("{connection_file}", specJson.get("argv").get(specJson.get("argv").size() - 1).asText());
        assertEquals("message", specJson.get("interrupt_mode").asText());
        Path specDir = tmp.resolve("jupyter/kernels/lxmert-java-test");
        Files.createDirectories(specDir);
        Files.writeString(specDir.resolve("kernel.json"), spec);

        Path outDir = tmp.resolve("out");
        List<String> cmd = List.of(JUPYTER.toString(), "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.kernel_name=lxmert-java-test", "--ExecutePreprocessor.timeout=300",
                "--output-dir", outDir.toString(), "--output", "smoke", notebook.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JUPYTER_PATH", tmp.resolve("jupyter").toString());
        pb.environment().put("JUPYTER_RUNTIME_DIR", tmp.resolve("runtime").toString());
        Path log = tmp.resolve("nbconvert.log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(6, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly();
        String logText = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "nbconvert did not finish in 6 minutes:\n" + logText);
        assertEquals(0, p.exitValue(), "nbconvert failed:\n" + logText);

        JsonNode nb = json.readTree(outDir.resolve("smoke.ipynb").toFile());
        List<JsonNode> code = new ArrayList<>();
        nb.get("cells").forEach(c -> {
            if (c.get("cell_type").asText().equals("code")) code.add(c);
        });
        assertEquals(10, code.size(), "code cells in smoke.ipynb");
        for (JsonNode c : code) {
            for (JsonNode o : c.get("outputs")) {
                assertNotEquals("error", o.get("output_type").asText(), "cell " + c.get("id") + ": " + o);
            }
        }
        assertTrue(stream(code.get(1)).contains("finetune"), "%lxmert help printed its usage");
        assertEquals("42", result(code.get(2), "text/plain"));
        assertEquals("42", result(code.get(3), "text/plain"), "value kept after redefining bump()");
        assertTrue(result(code.get(4), "image/png").startsWith("iVBORw0KGgo"), "chart cell result is a PNG");
        JsonNode table = only(code.get(5), "display_data");
        assertTrue(text(table.get("data").get("text/html")).contains("<table"), "table shown as text/html");
        assertTrue(table.get("data").has("text/plain"), "table has a text/plain fallback");
        assertEquals(0, count(code.get(5), "execute_result"), "display(table); ends with ';': no cell value");
        assertEquals("updated in place", text(only(code.get(6), "display_data").get("data").get("text/plain")));
        JsonNode progress = code.get(7).get("outputs");
        assertEquals(2, progress.size(), "one progress bar and one chart: " + progress);
        assertTrue(text(progress.get(0).get("data").get("text/html")).contains("done"), "bar ends in its final state");
        assertTrue(progress.get(1).get("data").has("image/png"), "live chart is a PNG");
        assertEquals("42 [lxmert, java]", result(code.get(8), "text/plain"));
        assertEquals(0, code.get(9).get("outputs").size(), "logging stays out of cells: " + code.get(9));
    }

    private static String text(JsonNode n) {
        if (n == null) return "";
        if (n.isArray()) {
            StringBuilder sb = new StringBuilder();
            n.forEach(x -> sb.append(x.asText()));
            return sb.toString();
        }
        return n.asText();
    }

    private static String stream(JsonNode cell) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode o : cell.get("outputs")) {
            if (o.get("output_type").asText().equals("stream")) sb.append(text(o.get("text")));
        }
        return sb.toString();
    }

    private static String result(JsonNode cell, String mime) {
        JsonNode r = only(cell, "execute_result");
        assertTrue(r.get("data").has(mime), "cell " + cell.get("id") + " result has no " + mime + ": " + r);
        return text(r.get("data").get(mime)).strip();
    }

    private static int count(JsonNode cell, String type) {
        int n = 0;
        for (JsonNode o : cell.get("outputs")) if (o.get("output_type").asText().equals(type)) n++;
        return n;
    }

    private static JsonNode only(JsonNode cell, String type) {
        JsonNode found = null;
        for (JsonNode o : cell.get("outputs")) {
            if (o.get("output_type").asText().equals(type)) {
                assertNull(found, "cell " + cell.get("id") + " has more than one " + type);
                found = o;
            }
        }
        assertNotNull(found, "cell " + cell.get("id") + " has no " + type + " output: " + cell.get("outputs"));
        return found;
    }

}
