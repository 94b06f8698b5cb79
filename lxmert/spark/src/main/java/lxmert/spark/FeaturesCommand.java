package lxmert.spark;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code lxmert-spark features}: obj36 TSV to Parquet and Parquet to the memory-mapped store. */
@Command(name = "features", mixinStandardHelpOptions = true, description = "Convert obj36 TSVs to Parquet, or Parquet to the feature store.")
public final class FeaturesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("features: not built yet");
    }
}
