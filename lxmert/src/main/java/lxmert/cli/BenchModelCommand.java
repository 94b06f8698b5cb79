package lxmert.cli;

import lxmert.config.LxmertConfig;
import lxmert.train.ModelBenchmark;
import lxmert.util.Check;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code bench model}: training-step or inference throughput of the LXRT model on synthetic inputs. */
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
        if (!mode.equals("train") && !mode.equals("infer") && !mode.equals("pretrain")) {
            throw new IllegalArgumentException("--mode must be train, pretrain or infer, got " + mode);
        }
        if (batch < 1 || steps < 1) throw new IllegalArgumentException("--batch-size and --steps must be >= 1");
        LxmertConfig c = LxmertConfig.resolve(config);
        ModelBenchmark.Result r = mode.equals("pretrain")
                ? lxmert.tasks.pretrain.PretrainStepBenchmark.run(c, batch, steps, dev.apply().devices(), System.out)
                : ModelBenchmark.run(c, batch, steps, mode.equals("train"), dev.apply().devices(), System.out);
        System.out.printf("mode=%s examples_per_sec=%.4f median_step_s=%.4f gflops=%.2f%n", r.mode(), r.examplesPerSec(),
                r.medianStepSec(), r.gflops());
        if (peakTflops != null) {
            System.out.printf(java.util.Locale.ROOT, "mfu=%.4f (achieved %.3f TFLOP/s of peak %.3f; analytic matmul FLOPs, training = 3x forward)%n",
                    r.gflops() / 1000 / peakTflops, r.gflops() / 1000, peakTflops);
        }
        return 0;
    }
}
