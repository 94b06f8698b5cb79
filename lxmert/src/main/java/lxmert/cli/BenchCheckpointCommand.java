package lxmert.cli;

import lxmert.bench.CheckpointBenchmark;
import lxmert.config.LxmertConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bench checkpoint}: {@link CheckpointBenchmark}; exit status 1 when the load was not clean. */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Load a pretraining .pth into the model; report peak anonymous memory (heap + native) against the file size.")
public final class BenchCheckpointCommand implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "lxr955") String config;
    @Option(names = "--file", description = "checkpoint to load; written first (random weights) if absent; default: a temporary file")
    Path file;

    @Override
    public Integer call() throws Exception {
        CheckpointBenchmark.Result r = CheckpointBenchmark.run(LxmertConfig.resolve(config), file);
        System.out.println(r.line());
        return r.clean() ? 0 : 1;
    }
}
