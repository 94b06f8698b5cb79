package lxmert.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bench}: parent of the benchmark sub-commands. Add a benchmark by listing its class in {@code subcommands}
 * (one entry each, e.g. a future {@code BenchModelCommand}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {
                BenchFeaturesCommand.class,
                BenchModelCommand.class,
                BenchCheckpointCommand.class,
                BenchPretrainDataCommand.class,
        })
public final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }
}
