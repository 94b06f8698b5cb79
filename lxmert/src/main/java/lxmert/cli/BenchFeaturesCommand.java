package lxmert.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import lxmert.bench.FeaturesBenchmark;
import lxmert.util.Check;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench features --tsv FILE [--cache-dir DIR]}: {@link FeaturesBenchmark}; its summary line is the last. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Time TSV -> feature store conversion, reopening and one pass over every image.")
public final class BenchFeaturesCommand implements Callable<Integer> {
    @Option(names = "--tsv", required = true, description = "obj36 feature TSV") Path tsv;
    @Option(names = "--cache-dir", description = "directory for the store (default: beside the TSV)") Path cacheDir;
    @Option(names = "--top-k", defaultValue = "-1", converter = Check.AllOrPositiveInt.class, description = "only the first K rows (default all)") int topK;

    @Override
    public Integer call() throws Exception {
        System.out.println(FeaturesBenchmark.run(tsv, cacheDir, topK, System.out));
        return 0;
    }
}
