package lxmert.cli;

import lxmert.config.LxmertConfig;
import lxmert.train.CheckpointBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code bench checkpoint}: memory and time of loading a full pretraining checkpoint into the model. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Load a pretraining .pth into the model; report peak anonymous memory (heap + native) against the file size.")
public final class BenchCheckpointCommand implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "lxr955") String config;
    @Option(names = "--file", description = "checkpoint to load; written first (random weights) if absent; default: a temporary file")
    Path file;

    @Override
    public Integer call() throws Exception {
        LxmertConfig c = LxmertConfig.resolve(config);
        boolean temp = file == null;
        Path f = temp ? Files.createTempDirectory("lxmert-bench").resolve("model_LXRT.pth") : file;
        try {
            CheckpointBenchmark.Result r = CheckpointBenchmark.run(c, f);
            double mb = 1024.0 * 1024;
            System.out.printf(Locale.ROOT, "file_mb=%.1f params=%d write_s=%.2f load_s=%.2f peak_anon_mb=%.1f peak_heap_mb=%.1f ratio=%.3f clean=%s%n",
                    r.fileBytes() / mb, r.parameters(), r.writeSeconds(), r.loadSeconds(), r.peakAnonAboveBaseline() / mb,
                    r.peakHeapUsed() / mb, (double) r.peakAnonAboveBaseline() / r.fileBytes(), r.clean());
            return r.clean() ? 0 : 1;
        } finally {
            if (temp) {
                Files.deleteIfExists(f);
                Files.deleteIfExists(f.getParent());
            }
        }
    }
}
