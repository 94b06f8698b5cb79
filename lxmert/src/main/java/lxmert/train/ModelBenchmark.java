package lxmert.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import lxmert.config.LxmertConfig;
import lxmert.model.Losses;
import lxmert.model.QaModel;
import lxmert.util.NdArrays;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times the LXRT model on synthetic inputs (20 tokens, 36 boxes): a VQA-shaped training step (forward with
 * dropout, BCE x A, backward, clip 5.0, BertAdam) or an inference forward. Reports examples/s, the median
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
        Random rng = new Random(0);
        List<Double> times = new ArrayList<>();
        long rss0 = Rss.kb();
        try (NDManager root = NDManager.newBaseManager(device)) {
            QaModel model = QaModel.create(root, c, numAnswers, 9595);
            long[] ids = new long[batch * SEQ];
            for (int k = 0; k < ids.length; k++) ids[k] = k % SEQ == 0 ? 101 : 1000 + rng.nextInt(c.vocab_size() - 1000);
            float[] feats = new float[batch * BOXES * c.visual_feat_dim()];
            for (int k = 0; k < feats.length; k++) feats[k] = rng.nextFloat();
            float[] boxes = new float[batch * BOXES * 4];
            for (int k = 0; k < boxes.length; k++) boxes[k] = rng.nextFloat();
            float[] target = new float[batch * numAnswers];
            for (int b = 0; b < batch; b++) target[b * numAnswers + rng.nextInt(numAnswers)] = 1f;
            HostBatch hb = new HostBatch(batch, ids, feats, boxes, target, c.visual_feat_dim(), numAnswers);
            Trainer<HostBatch, NDArray[]> trainer = null;
            if (train) {
                model.setTraining(true);
                trainer = new Trainer<>(root, model, model.bert().paddingRowParameters(), new VqaStep(model, numAnswers, c),
                        new Trainer.Options(5e-5, 0.1, Math.max(steps, 10), 5.0, batch, null), devices);
            }
            try {
                for (int s = 0; s < steps; s++) {
                    long t0 = System.nanoTime();
                    if (train) {
                        // THE training step (forward, BCE x A, backward, clip 5.0, BertAdam, zero): no host read
                        trainer.accumulateGradients(hb);
                        trainer.applyUpdate();
                    } else {
                        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
                            NDArray[] d = VqaStep.inputs(m, hb);
                            model.forward(d[0], d[1], d[2], d[3], d[4], null).toFloatArray();
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

    /** The benchmark's fixed batch on the host. */
    record HostBatch(int batch, long[] ids, float[] feats, float[] boxes, float[] target, int featDim, int numAnswers) {}

    /** The VQA step as fine-tuning runs it: BCE-with-logits (mean) x A over the QA head's logits. */
    record VqaStep(QaModel model, int numAnswers, LxmertConfig config) implements TrainTask<HostBatch, NDArray[]> {
        /** A step on one device (no {@link #replicate}). */
        VqaStep(QaModel model, int numAnswers) {
            this(model, numAnswers, null);
        }

        static NDArray[] inputs(NDManager m, HostBatch h) {
            return inputs(m, h, 0, h.batch());
        }

        /** Examples {@code [from, to)} of the batch on {@code m}'s device. */
        static NDArray[] inputs(NDManager m, HostBatch h, int from, int to) {
            int n = to - from, d = h.featDim(), a = h.numAnswers();
            NDArray ids = NdArrays.longs(m, h.ids(), from * SEQ, n * SEQ, new Shape(n, SEQ));
            return new NDArray[] {ids, ids.zerosLike(), ids.onesLike(),
                    NdArrays.floats(m, h.feats(), from * BOXES * d, n * BOXES * d, new Shape(n, BOXES, d)),
                    NdArrays.floats(m, h.boxes(), from * BOXES * 4, n * BOXES * 4, new Shape(n, BOXES, 4)),
                    NdArrays.floats(m, h.target(), from * a, n * a, new Shape(n, a))};
        }

        @Override
        public NDArray[] toDevice(NDManager m, HostBatch h) {
            return inputs(m, h);
        }

        @Override
        public NDArray[] toDevice(NDManager m, HostBatch h, int from, int to) {
            return inputs(m, h, from, to);
        }

        @Override
        public Replica<HostBatch, NDArray[]> replicate(NDManager root) {
            if (config == null) throw new UnsupportedOperationException("VqaStep built without a config cannot replicate");
            QaModel copy = QaModel.create(root, config, numAnswers, 9595);
            return new Replica<>(copy, new VqaStep(copy, numAnswers, config));
        }

        @Override
        public Output forward(NDArray[] d) {
            NDArray logits = model.forward(d[0], d[1], d[2], d[3], d[4], null);
            return Output.of(lxmert.model.Ops.mul(Losses.bceWithLogits(logits, d[5]), numAnswers));
        }

        @Override
        public int examples(HostBatch h) {
            return h.batch();
        }
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
