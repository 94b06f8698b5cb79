package lxmert.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import lxmert.config.LxmertConfig;
import lxmert.tasks.FinetuneTask;
import lxmert.tasks.HostBatch;
import lxmert.tasks.Task;
import lxmert.tasks.TaskNet;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times the LXRT model on synthetic inputs (20 tokens, 36 boxes): fine-tuning's VQA training step (the trainer over
 * {@link FinetuneTask} on the task net: forward with dropout, BCE x A, backward, clip 5.0, BertAdam) or an inference
 * forward. Reports examples/s, the median
 * step time and the achieved GFLOP/s (analytic matmul FLOPs; training counted as 3x forward).
 */
public final class ModelBenchmark {
    public static final int SEQ = 20;
    public static final int BOXES = 36;

    public record Result(String mode, double examplesPerSec, double medianStepSec, double gflops, List<Double> stepSeconds,
                         long rssStartKb, long rssEndKb) {}

    private ModelBenchmark() {}

    /** Matmul FLOPs of one forward pass of the encoder + QA head for a batch (multiply-add = 2 FLOPs). */
    public static double forwardFlops(LxmertConfig c, int batch, int numAnswers) {
        double h = c.hidden_size(), i = c.intermediate_size(), L = SEQ, N = BOXES;
        double selfLayer = (4 * h * h + 2 * h * i); // q,k,v,o + ffn, per token (mul-adds)
        double flops = 0;
        flops += c.l_layers() * (L * selfLayer + 2 * L * L * h);
        flops += c.r_layers() * (N * selfLayer + 2 * N * N * h);
        double cross = (L + N) * 4 * h * h + 2 * 2 * L * N * h; // shared cross attention both directions
        double selfs = (L + N) * 4 * h * h + 2 * (L * L + N * N) * h;
        double ffn = (L + N) * 2 * h * i;
        flops += c.x_layers() * (cross + selfs + ffn);
        flops += N * c.visual_feat_dim() * h + N * c.visual_pos_dim() * h; // visual feature encoder
        flops += h * h + h * 2 * h + 2 * h * numAnswers; // pooler + head
        return 2 * flops * batch;
    }

    public static Result run(LxmertConfig c, int batch, int steps, boolean train, Device device, PrintStream log) {
        return run(c, batch, steps, train, List.of(device), log);
    }

    /**
     * As {@link #run(LxmertConfig, int, int, boolean, Device, PrintStream)}; training on several devices is data
     * parallel (one replica per device, the batch split across them), inference runs on one device only.
     */
    public static Result run(LxmertConfig c, int batch, int steps, boolean train, List<Device> devices, PrintStream log) {
        if (!train && devices.size() != 1) {
            throw new IllegalArgumentException("--device " + lxmert.util.Devices.spec(devices)
                    + ": bench model --mode infer runs on one device; several devices (data parallel) are for --mode train");
        }
        Device device = devices.get(0);
        int numAnswers = 3129;
        List<Double> times = new ArrayList<>();
        long rss0 = Rss.kb();
        try (NDManager root = NDManager.newBaseManager(device)) {
            TaskNet net = new TaskNet(Task.VQA, root, c, numAnswers, 9595, false);
            HostBatch hb = batch(c, batch, numAnswers, new Random(0));
            Trainer<HostBatch, FinetuneTask.Batch> trainer = null;
            if (train) {
                net.module().setTraining(true);
                trainer = new Trainer<>(root, net.module(), new FinetuneTask(net),
                        new Trainer.Options(5e-5, 0.1, Math.max(steps, 10), 5.0, null), devices);
            }
            try {
                for (int s = 0; s < steps; s++) {
                    long t0 = System.nanoTime();
                    if (train) {
                        // THE training step of fine-tuning (forward, BCE x A, backward, clip 5.0, BertAdam, zero): no host read
                        trainer.step(List.of(hb));
                    } else {
                        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
                            net.forward(TaskNet.inputs(m, hb), null).toFloatArray();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    double sec = (System.nanoTime() - t0) / 1e9;
                    times.add(sec);
                    if (log != null) log.printf("step %d %.3f s rss_mb=%d arrays=%d%n", s, sec, Rss.kb() / 1024, ((ai.djl.ndarray.BaseNDManager) root).getManagedArrays().size());
                }
            } finally {
                if (trainer != null) trainer.close();
            }
        }
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        // the first step includes warm-up (allocator, kernels): the median ignores it naturally
        double median = sorted[sorted.length / 2];
        double flops = forwardFlops(c, batch, numAnswers) * (train ? 3 : 1);
        return new Result(train ? "train" : "infer", batch / median, median, flops / median / 1e9, times, rss0, Rss.kb());
    }

    /**
     * A VQA batch of {@code n} random examples of the benchmark's shape ({@link #SEQ} tokens, {@link #BOXES} boxes,
     * one target answer each), as fine-tuning's loader fills it.
     */
    public static HostBatch batch(LxmertConfig c, int n, int numAnswers, Random rng) {
        HostBatch b = new HostBatch(n, 1, SEQ, BOXES, c.visual_feat_dim(), numAnswers);
        int lo = Math.min(1000, c.vocab_size() / 2);
        for (int k = 0; k < b.inputIds.length; k++) {
            b.inputIds[k] = k % SEQ == 0 ? 101 : lo + rng.nextInt(c.vocab_size() - lo);
            b.inputMask[k] = 1;
        }
        for (int k = 0; k < b.feats.length; k++) b.feats[k] = rng.nextFloat();
        for (int k = 0; k < b.boxCoords.length; k++) b.boxCoords[k] = rng.nextFloat();
        for (int i = 0; i < n; i++) b.targets[i * numAnswers + rng.nextInt(numAnswers)] = 1f;
        return b;
    }

    /** Resident memory of this process. */
    public static final class Rss {
        private Rss() {}

        public static long kb() {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
                }
            } catch (Exception ignored) {
                // not Linux
            }
            return -1;
        }
    }

    static String fmt(double[] a) {
        return Arrays.toString(a);
    }

    static DataType f32() {
        return DataType.FLOAT32;
    }
}
