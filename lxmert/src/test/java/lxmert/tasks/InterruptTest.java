package lxmert.tasks;

import lxmert.checkpoint.TorchReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** SIGTERM (as Ctrl-C, through the shutdown hook) stops a real `finetune` after the current batch and saves LAST. */
class InterruptTest {
    @TempDir Path tmp;

    @Test
    void terminationSavesLastAndResumes() throws Exception {
        Path data = SmallWorld.create(tmp.resolve("data"), 0.3);
        Path cfg = tmp.resolve("config.json");
        SmallWorld.config().save(cfg);
        Path out = tmp.resolve("out");
        Path log = tmp.resolve("log.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "lxmert.cli.Main", "finetune",
                "--task", "vqa", "--data", data.toString(), "--output", out.toString(), "--config", cfg.toString(),
                "--epochs", "200", "--batch-size", "8", "--lr", "1e-3", "--threads", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (p.isAlive() && System.currentTimeMillis() < deadline && !Files.readString(log).contains("epoch 2/")) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), Files.readString(log));
        p.destroy(); // SIGTERM: runs the shutdown hook like Ctrl-C
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the process should end after saving");
        String text = Files.readString(log);
        assertTrue(text.contains("interrupted"), text);
        assertFalse(TorchReader.read(out.resolve("LAST.resume.pth")).isEmpty());
        assertFalse(TorchReader.read(out.resolve("LAST.pth")).isEmpty());
    }
}
