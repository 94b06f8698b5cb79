package lxmert.tasks;

import lxmert.checkpoint.StateDict;
import lxmert.checkpoint.TorchReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Kills (SIGKILL) a real fine-tuning process at the moment it is writing a snapshot (a temporary snapshot file
 * has appeared) and checks that every BEST / LAST file present is complete and loadable, and that the run
 * resumes.
 */
class KillDuringSaveTest {
    @TempDir Path tmp;

    @Test
    void killDuringSaveLeavesSnapshotsLoadable() throws Exception {
        Path data = SmallWorld.create(tmp.resolve("data"), 0.3);
        Path cfg = tmp.resolve("config.json");
        SmallWorld.config().save(cfg);
        Path out = tmp.resolve("out");
        int kills = 0;
        for (int round = 0; round < 4; round++) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "lxmert.cli.Main", "finetune",
                    "--task", "vqa", "--data", data.toString(), "--output", out.toString(), "--config", cfg.toString(),
                    "--epochs", "50", "--batch-size", "8", "--lr", "1e-3"));
            if (Files.exists(out.resolve("LAST.resume.pth"))) cmd.add("--resume");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log" + round + ".txt").toFile()).start();
            int wantTmp = new int[] {1, 3, 5, 6}[round]; // kill while writing the n-th snapshot file of this process
            int seen = 0;
            long deadline = System.currentTimeMillis() + 240_000;
            boolean killed = false;
            String lastTmp = null;
            while (System.currentTimeMillis() < deadline && p.isAlive()) {
                String t = tempFile(out);
                if (t != null && !t.equals(lastTmp)) {
                    lastTmp = t;
                    if (++seen >= wantTmp) {
                        p.destroyForcibly();
                        p.waitFor();
                        killed = true;
                        break;
                    }
                }
                Thread.onSpinWait();
            }
            assertTrue(killed, "the process should have been killed while saving (round " + round + "): "
                    + Files.readString(tmp.resolve("log" + round + ".txt")));
            kills++;
            for (String name : new String[] {"BEST.pth", "LAST.pth", "LAST.resume.pth"}) {
                Path f = out.resolve(name);
                if (!Files.exists(f)) continue;
                StateDict sd = TorchReader.read(f);
                for (var e : sd.entrySet()) e.getValue().toFloatArray(); // every byte readable
                assertFalse(sd.isEmpty(), name);
            }
        }
        assertEquals(4, kills);
        assertTrue(Files.exists(out.resolve("LAST.resume.pth")), "after several kills a LAST snapshot exists");
        // and the run continues from it
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), "lxmert.cli.Main", "finetune", "--task", "vqa", "--data",
                data.toString(), "--output", out.toString(), "--config", cfg.toString(), "--epochs", "50", "--batch-size", "8",
                "--lr", "1e-3", "--resume").redirectErrorStream(true).redirectOutput(tmp.resolve("resume.txt").toFile()).start();
        long deadline = System.currentTimeMillis() + 120_000;
        while (p.isAlive() && System.currentTimeMillis() < deadline
                && !Files.readString(tmp.resolve("resume.txt")).contains("resumed from")) {
            Thread.sleep(50);
        }
        p.destroyForcibly();
        assertTrue(Files.readString(tmp.resolve("resume.txt")).contains("resumed from"), Files.readString(tmp.resolve("resume.txt")));
    }

    /** The temporary file of a snapshot (.pth) being written; run-folder files (run.json, vocab.txt, ...) do not count. */
    private static String tempFile(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) return null;
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).filter(n -> n.startsWith(".") && n.endsWith(".tmp") && n.contains(".pth.")).findFirst().orElse(null);
        }
    }
}
