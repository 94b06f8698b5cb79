package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import lxmert.kernel.jshell.RedefineAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snippets of {@code kernel-ext/README.md} work as written: every {@code ```java} block is one notebook cell, and
 * all of them run in order in one lxmert-java kernel session with the real library backend. The session runs in a
 * separate JVM whose working directory is a scratch directory, so the README's relative paths ({@code data},
 * {@code snap/vqa}) land there. The one change made to a cell: {@code %lxmert synth} lines get {@code --scale 0.5}
 * appended, so that the world is small (same 64-dim features and 8 boxes as the bundled one) and the test takes
 * seconds; every other word runs as written.
 */
class ReadmeSnippetsTest {
    @TempDir Path tmp;

    /** The bodies of the {@code ```java} fenced blocks of {@code markdown}, in order. */
    static List<String> javaCells(String markdown) {
        List<String> cells = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : markdown.split("\n", -1)) {
            if (cur == null) {
                if (line.strip().equals("```java")) cur = new StringBuilder();
            } else if (line.strip().equals("```")) {
                cells.add(cur.toString());
                cur = null;
            } else {
                cur.append(line).append('\n');
            }
        }
        if (cur != null) throw new IllegalStateException("unterminated ```java block: " + cur);
        return cells;
    }

    static Path readme() {
        return Path.of("README.md").toAbsolutePath();
    }

    @Test
    void theReadmeHasTheCells() throws Exception {
        List<String> cells = javaCells(Files.readString(readme()));
        assertTrue(cells.size() >= 8, "cells found: " + cells.size());
        assertTrue(cells.stream().anyMatch(c -> c.contains("LxmertExtension.install()")), "the IJava install cell");
        assertTrue(cells.stream().anyMatch(c -> c.contains("Bindings.get(\"run\", lxmert.kernel.lib.TrainingRun.class)")),
                "the IJava typed-binding cell");
        assertTrue(cells.stream().anyMatch(c -> c.startsWith("%%lxmert")), "a cell magic");
    }

    @Test
    void everyJavaCellRunsAsWritten() throws Exception {
        Path log = tmp.resolve("cells.log");
        Path work = Files.createDirectories(tmp.resolve("work"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1500m", "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-Djdk.attach.allowAttachSelf=true",
                "-cp", System.getProperty("java.class.path"), Runner.class.getName(), readme().toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(done, "timed out; log:\n" + out);
        assertEquals(0, p.exitValue(), "log:\n" + out);
        int n = javaCells(Files.readString(readme())).size();
        assertTrue(out.contains("all " + n + " cells ran"), out);
        assertTrue(Files.isRegularFile(work.resolve("snap/vqa/minival_predict.json")), "the test cell wrote its file");
    }

    /** Runs the README's cells in one kernel session (in the working directory it is started in). */
    public static final class Runner {
        public static void main(String[] args) throws Exception {
            List<String> cells = javaCells(Files.readString(Path.of(args[0])));
            ai.djl.engine.Engine.getEngine("PyTorch");
            ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
            RecordingOutput out = new RecordingOutput();
            JavaKernel kernel = new JavaKernel(KernelConfig.basic(RedefineAgent.attachToSelf(), out));
            LxmertExtension.register(kernel);
            for (int i = 0; i < cells.size(); i++) {
                String cell = cells.get(i);
                String code = cell.replaceAll("(?m)^(%lxmert synth .*)$", "$1 --scale 0.5");
                try {
                    DisplayData d = kernel.eval(code);
                    boolean chart = cell.strip().endsWith(".chart()");
                    if (chart && (d == null || d.getData(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.IMAGE_PNG) == null)) {
                        System.out.println("cell " + (i + 1) + ": a chart cell without an image/png value:\n" + cell);
                        System.exit(1);
                    }
                    System.out.println("cell " + (i + 1) + " ok: " + cell.lines().findFirst().orElse(""));
                } catch (Exception e) {
                    System.out.println("cell " + (i + 1) + " FAILED:\n" + cell + "\n" + String.join("\n", kernel.formatError(e))
                            + "\nkernel stdout:\n" + out.stdout() + "\nkernel stderr:\n" + out.stderr());
                    System.exit(1);
                }
            }
            System.out.println("all " + cells.size() + " cells ran");
            kernel.close();
            System.exit(0);
        }
    }
}
