package lxmert.cli;

import lxmert.bench.ModelBenchmark;
import lxmert.config.LxmertConfig;
import lxmert.util.Check;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code bench model}: {@link ModelBenchmark}, training-step or inference throughput of the LXRT model on synthetic inputs. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Time LXRT training steps (forward, BCE, backward, clip, BertAdam) or inference on synthetic inputs.")
public final class BenchModelCommand implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "lxr955", description = "lxr955, tiny or a config JSON file (default ${DEFAULT-VALUE})")
    String config;
    @Option(names = "--batch-size", defaultValue = "32", converter = Check.PositiveInt.class) int batch;
    @Option(names = "--steps", defaultValue = "5", converter = Check.PositiveInt.class) int steps;
    @Option(names = "--mode", defaultValue = "train", description = "train (VQA step), pretrain (pretraining step) or infer") String mode;
    @Mixin DeviceOption dev;
    @Option(names = "--peak-tflops", converter = Check.PositiveDouble.class,
            description = "the device's peak TFLOP/s (float32, or the precision used): prints MFU = achieved / peak") Double peakTflops;

    @Override
    public Integer call() throws Exception {
        ModelBenchmark.Mode m = ModelBenchmark.Mode.of(mode);
        ModelBenchmark.Result r = ModelBenchmark.run(m, LxmertConfig.resolve(config), batch, steps, dev.apply().devices(), System.out);
        System.out.println(r.line());
        if (peakTflops != null) System.out.println(r.mfuLine(peakTflops));
        return 0;
    }
}
