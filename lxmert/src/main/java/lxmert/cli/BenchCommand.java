package lxmert.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import lxmert.bench.CheckpointBenchmark;
import lxmert.bench.ContentionBenchmark;
import lxmert.bench.FeaturesBenchmark;
import lxmert.bench.ModelBenchmark;
import lxmert.bench.PretrainDataBenchmark;
import lxmert.bench.Sgemm;
import lxmert.config.LxmertConfig;
import lxmert.util.Check;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench}: the benchmark sub-commands, each a few lines over its class in {@code lxmert.bench}. Add one by
 * listing its class in {@code subcommands}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.",
        subcommands = {BenchCommand.Features.class, BenchCommand.Model.class, BenchCommand.Contention.class, BenchCommand.Checkpoint.class, BenchCommand.PretrainData.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    /** {@code bench model}: {@link ModelBenchmark}, training-step or inference throughput on synthetic inputs. */
    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Time LXRT training steps (forward, BCE, backward, clip, BertAdam) or inference on synthetic inputs.")
    static final class Model implements Callable<Integer> {
        @Option(names = "--config", defaultValue = "lxr955", description = "lxr955, tiny or a config JSON file (default ${DEFAULT-VALUE})")
        String config;
        @Option(names = "--batch-size", defaultValue = "32", converter = Check.PositiveInt.class,
                description = "examples per step (default ${DEFAULT-VALUE})") int batch;
        @Option(names = "--steps", defaultValue = "5", converter = Check.PositiveInt.class,
                description = "timed steps (default ${DEFAULT-VALUE})") int steps;
        @Option(names = "--mode", defaultValue = "train",
                description = "train (VQA step), pretrain (pretraining step) or infer (default ${DEFAULT-VALUE})") String mode;
        @Mixin DeviceOption dev;
        @Option(names = "--peak-tflops", converter = Check.PositiveDouble.class,
                description = "the device's peak TFLOP/s (float32, or the precision used): prints MFU = achieved / peak") Double peakTflops;
        @Option(names = "--profile", paramLabel = "TRACE.json",
                description = "after the timed steps, one step under libtorch's profiler: its Chrome trace to this file and a table of "
                        + "operators by self time (matrix products vs the rest, calls from Java)") Path profile;
        @Option(names = "--no-sgemm", description = "skip the sgemm yardstick measured after the steps (about 2 s)") boolean noSgemm;
        @Option(names = "--precision", defaultValue = "fp32", converter = lxmert.util.Precision.Converter.class,
                description = "fp32 or fp16, --mode infer only (fp16: GPU only, the model of test --precision fp16; default ${DEFAULT-VALUE})")
        lxmert.util.Precision precision;

        @Override
        public Integer call() throws Exception {
            ModelBenchmark.Mode m = ModelBenchmark.Mode.of(mode); // refused before the engine loads
            if (precision != lxmert.util.Precision.FP32 && m != ModelBenchmark.Mode.INFER) {
                throw new IllegalArgumentException("--precision " + precision + " is for --mode infer; --mode " + m + " trains in fp32");
            }
            java.util.List<ai.djl.Device> devices = dev.apply().devices();
            ModelBenchmark.Result r = ModelBenchmark.run(m, precision, LxmertConfig.resolve(config), batch, steps, devices, System.out, profile);
            System.out.println(r.line());
            if (peakTflops != null) System.out.println(r.mfuLine(peakTflops));
            if (!noSgemm) {
                Sgemm.Rate s = Sgemm.measure(devices.get(0), 2.0);
                System.out.println(s.line());
                System.out.println(String.format(java.util.Locale.ROOT, "of_sgemm=%.3f (the step's GFLOP/s / sgemm GFLOP/s, one device)",
                        r.gflops() / devices.size() / s.gflops()));
            }
            return 0;
        }
    }

    /** {@code bench contention}: {@link ContentionBenchmark}, the step alone and beside a twin process and busy threads. */
    @Command(name = "contention", mixinStandardHelpOptions = true,
            description = "Time the training step alone, then beside a second identical process and beside one busy thread per CPU, "
                    + "all started by this command; print examples/s and the ratios to the solo rate (a fair share is 0.5x).")
    static final class Contention implements Callable<Integer> {
        @Option(names = "--config", defaultValue = "tiny", description = "lxr955, tiny or a config JSON file (default ${DEFAULT-VALUE})")
        String config;
        @Option(names = "--batch-size", defaultValue = "32", converter = Check.PositiveInt.class,
                description = "examples per step (default ${DEFAULT-VALUE})") int batch;
        @Option(names = "--steps", defaultValue = "10", converter = Check.PositiveInt.class,
                description = "timed steps per phase, after the warm-up (default ${DEFAULT-VALUE})") int steps;
        @Option(names = "--mode", defaultValue = "train",
                description = "train (VQA step), pretrain (pretraining step) or infer (default ${DEFAULT-VALUE})") String mode;
        @Option(names = "--beside", defaultValue = "none,twin,busy", split = ",",
                description = "the phases in order: none (alone), twin, busy (default ${DEFAULT-VALUE})") java.util.List<String> beside;
        @Option(names = "--warmup-seconds", defaultValue = "6", converter = Check.PositiveDouble.class,
                description = "untimed steps first in each phase, at least this long (default ${DEFAULT-VALUE})") double warmup;
        @Mixin DeviceOption dev;

        @Override
        public Integer call() throws Exception {
            ModelBenchmark.Mode m = ModelBenchmark.Mode.of(mode);
            java.util.List<ContentionBenchmark.Competitor> k = beside.stream().map(ContentionBenchmark.Competitor::of).toList();
            if (k.isEmpty() || k.get(0) != ContentionBenchmark.Competitor.NONE) {
                throw new IllegalArgumentException("--beside must start with none: the ratios are to the solo rate");
            }
            LxmertConfig.resolve(config); // a bad --config fails before any process starts
            java.util.List<ai.djl.Device> devices = dev.apply().devices();
            String threads = dev.threads == null ? "auto" : dev.threads;
            System.out.println("contention: " + (lxmert.util.EngineThreads.auto() ? "--threads auto" : "--threads " + threads) + ", "
                    + lxmert.util.CpuBudget.read().why() + ", " + config + " batch " + batch + " " + m);
            ContentionBenchmark.run(new ContentionBenchmark.Options(new java.io.File(config).isFile() ? new java.io.File(config).getAbsolutePath() : config,
                    batch, m, steps, lxmert.util.EngineThreads.auto() ? "auto" : Integer.toString(ai.djl.pytorch.jni.JniUtils.getNumThreads()),
                    k, warmup), devices, System.out);
            return 0;
        }
    }

    /** {@code bench checkpoint}: {@link CheckpointBenchmark}; exit status 1 when the load was not clean. */
    @Command(name = "checkpoint", mixinStandardHelpOptions = true,
            description = "Load a pretraining .pth into the model; report peak anonymous memory (heap + native) against the file size.")
    static final class Checkpoint implements Callable<Integer> {
        @Option(names = "--config", defaultValue = "lxr955",
                description = "lxr955, tiny or a config JSON file: the model whose weights are loaded (default ${DEFAULT-VALUE})") String config;
        @Option(names = "--file", description = "checkpoint to load; written first (random weights) if absent; default: a temporary file")
        Path file;

        @Override
        public Integer call() throws Exception {
            CheckpointBenchmark.Result r = CheckpointBenchmark.run(LxmertConfig.resolve(config), file);
            System.out.println(r.line());
            return r.clean() ? 0 : 1;
        }
    }

    /** {@code bench features --tsv FILE [--cache-dir DIR]}: {@link FeaturesBenchmark}; its summary line is the last. */
    @Command(name = "features", mixinStandardHelpOptions = true,
            description = "Time TSV -> feature store conversion, reopening and one pass over every image.")
    static final class Features implements Callable<Integer> {
        @Option(names = "--tsv", required = true, description = "obj36 feature TSV") Path tsv;
        @Option(names = "--cache-dir", description = "directory for the store (default: beside the TSV)") Path cacheDir;
        @Option(names = "--top-k", defaultValue = "-1", converter = Check.AllOrPositiveInt.class, description = "only the first K rows (default all)") int topK;

        @Override
        public Integer call() throws Exception {
            System.out.println(FeaturesBenchmark.run(tsv, cacheDir, topK, System.out));
            return 0;
        }
    }

    /** {@code bench pretrain-data --dir DIR}: {@link PretrainDataBenchmark}; the last line is one JSON object. */
    @Command(name = "pretrain-data", mixinStandardHelpOptions = true,
            description = "Generate a real-size pretraining corpus (9.18M sentences, 180K images by default), load it, report time, heap and RSS.")
    static final class PretrainData implements Callable<Integer> {
        @Option(names = "--dir", required = true, description = "where the generated corpus lives (reused while the parameters match)") Path dir;
        @Option(names = "--images", defaultValue = "180000", converter = Check.PositiveInt.class, description = "images (default 180000)") int images;
        @Option(names = "--sentences", defaultValue = "9180000", converter = Check.PositiveInt.class, description = "sentences (default 9180000)") int sentences;
        @Option(names = "--feature-files", defaultValue = "1", converter = Check.PositiveInt.class,
                description = "1: mscoco_train; 2: + vgnococo; 3: + mscoco_nominival (one feature TSV each; default ${DEFAULT-VALUE})") int featureFiles;
        @Option(names = "--feat-dim", defaultValue = "8", converter = Check.PositiveInt.class, description = "feature dims (default 8; the real 2048 needs ~55 GB)") int featDim;
        @Option(names = "--boxes", defaultValue = "36", converter = Check.PositiveInt.class, description = "boxes per image (default 36)") int boxes;
        @Option(names = "--batches", defaultValue = "20", converter = Check.PositiveInt.class, description = "batches built after loading (default 20)") int batches;
        @Option(names = "--batch-size", defaultValue = "256", converter = Check.PositiveInt.class, description = "examples per batch (default 256)") int batchSize;
        @Option(names = "--vocab", description = "vocabulary whose whole words make the sentences (default: a generated 30522-entry one)") Path vocab;

        @Override
        public Integer call() throws Exception {
            if (vocab != null) Check.file("--vocab", vocab);
            System.out.println(PretrainDataBenchmark.run(new PretrainDataBenchmark.Options(dir, images, sentences, featureFiles, featDim, boxes,
                    batches, batchSize, vocab), System.out));
            return 0;
        }
    }
}
