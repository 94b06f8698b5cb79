package lxmert.bench;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.model.LxmertPretraining;
import lxmert.tasks.FinetuneTask;
import lxmert.tasks.HostBatch;
import lxmert.tasks.Task;
import lxmert.tasks.TaskNet;
import lxmert.tasks.pretrain.PretrainBatch;
import lxmert.tasks.pretrain.PretrainLoss;
import lxmert.tasks.pretrain.PretrainOptions;
import lxmert.tasks.pretrain.PretrainTask;
import lxmert.tasks.pretrain.PretrainTasks;
import lxmert.train.Grad;
import lxmert.train.Trainer;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code bench model}: times the LXRT model on synthetic inputs (20 tokens, 36 boxes) in one of three modes.
 * {@code train}: THE training step ({@link Trainer}) of fine-tuning ({@link FinetuneTask} on the VQA task net: forward
 * with dropout, BCE x A, backward, clip 5.0, BertAdam). {@code pretrain}: the step of pretraining ({@link PretrainTask}:
 * all four tasks, six losses, clip 1.0, BertAdam; 15% of words and boxes masked, half the sentences unmatched).
 * {@code infer}: a VQA forward. Training on several devices is data parallel (one replica per device, the batch split
 * across them). Reports examples/s, the median step time and the achieved GFLOP/s (analytic matmul FLOPs, training
 * counted as 3x forward; pretraining counts the MLM decoder on the masked words only, as the step computes it).
 */
public final class ModelBenchmark {
    public static final int SEQ = 20;
    public static final int BOXES = 36;
    static final int VQA_ANSWERS = 3129;
    static final int PRETRAIN_ANSWERS = 9500; // all_ans.json

    public record Result(String mode, double examplesPerSec, double medianStepSec, double gflops, double[] stepSeconds) {
        /** The summary line {@code mode=... examples_per_sec=... median_step_s=... gflops=...}. */
        public String line() {
            return String.format("mode=%s examples_per_sec=%.4f median_step_s=%.4f gflops=%.2f", mode, examplesPerSec, medianStepSec, gflops);
        }

        /** The model FLOPs utilisation line against the device's peak TFLOP/s. */
        public String mfuLine(double peakTflops) {
            return String.format(Locale.ROOT, "mfu=%.4f (achieved %.3f TFLOP/s of peak %.3f; analytic matmul FLOPs, training = 3x forward)",
                    gflops / 1000 / peakTflops, gflops / 1000, peakTflops);
        }
    }

    public enum Mode {
        TRAIN, PRETRAIN, INFER;

        /** The mode named {@code train}, {@code pretrain} or {@code infer}. */
        public static Mode of(String name) {
            for (Mode m : values()) if (m.toString().equals(name)) return m;
            throw new IllegalArgumentException("--mode must be train, pretrain or infer, got " + name);
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private ModelBenchmark() {}

    /** Runs {@code steps} steps of {@code mode}, logging each to {@code log}. */
    public static Result run(Mode mode, LxmertConfig c, int batch, int steps, List<Device> devices, PrintStream log) throws Exception {
        return run(mode, lxmert.util.Precision.FP32, c, batch, steps, devices, log, null);
    }

    /** As {@link #run(Mode, LxmertConfig, int, int, List, PrintStream)}, inference in {@code precision}, no profile. */
    public static Result run(Mode mode, lxmert.util.Precision precision, LxmertConfig c, int batch, int steps, List<Device> devices,
                             PrintStream log) throws Exception {
        return run(mode, precision, c, batch, steps, devices, log, null);
    }

    /**
     * As {@link #run(Mode, LxmertConfig, int, int, List, PrintStream)}, inference in {@code precision} (fp16: the
     * {@code test --precision fp16} model, GPU only; training modes run in float32 and refuse fp16), then one more
     * step under the profiler when {@code trace} is set.
     */
    public static Result run(Mode mode, lxmert.util.Precision precision, LxmertConfig c, int batch, int steps, List<Device> devices,
                             PrintStream log, java.nio.file.Path trace) throws Exception {
        try (Session s = Session.open(mode, precision, c, batch, Math.max(steps + 1, 10), devices)) {
            Timing.Steps t = Timing.steps(steps, i -> s.step(), log, s::extra);
            if (trace != null) OpProfile.profile(i -> s.step(), trace).print(log, 30);
            return s.result(t);
        }
    }

    /**
     * A model, its inputs and (training) its trainer, ready to run one step of {@code mode} at a time: what
     * {@link #run} times, and what {@link ContentionBenchmark} times alone and beside other processes.
     */
    public static final class Session implements AutoCloseable {
        private final Mode mode;
        private final String name;
        private final int batch;
        private final NDManager root;
        private final AutoCloseable trainer;
        private final Timing.Step step;
        private final double flops;
        private final lxmert.util.ThreadGovernor threads;

        private Session(Mode mode, int batch, NDManager root, AutoCloseable trainer, Timing.Step step, double flops,
                        lxmert.util.ThreadGovernor threads) {
            this(mode, mode.toString(), batch, root, trainer, step, flops, threads);
        }

        private Session(Mode mode, String name, int batch, NDManager root, AutoCloseable trainer, Timing.Step step, double flops,
                        lxmert.util.ThreadGovernor threads) {
            this.mode = mode;
            this.name = name;
            this.batch = batch;
            this.root = root;
            this.trainer = trainer;
            this.step = step;
            this.flops = flops;
            this.threads = threads;
        }

        /** Builds the model of {@code c} for {@code mode}; {@code tTotal}: the schedule's length (training). */
        public static Session open(Mode mode, LxmertConfig c, int batch, int tTotal, List<Device> devices) {
            return open(mode, lxmert.util.Precision.FP32, c, batch, tTotal, devices);
        }

        /** As {@link #open(Mode, LxmertConfig, int, int, List)}; {@code precision} other than fp32: inference on a GPU only. */
        public static Session open(Mode mode, lxmert.util.Precision precision, LxmertConfig c, int batch, int tTotal, List<Device> devices) {
            if (precision != lxmert.util.Precision.FP32 && mode != Mode.INFER) {
                throw new IllegalArgumentException("--precision " + precision + " is for --mode infer; --mode " + mode + " trains in fp32");
            }
            precision.checkDevice(devices.get(0));
            if (mode == Mode.INFER && devices.size() != 1) {
                throw new IllegalArgumentException("--device " + lxmert.util.Devices.spec(devices)
                        + ": bench model --mode infer runs on one device; several devices (data parallel) are for --mode train");
            }
            NDManager root = NDManager.newBaseManager(devices.get(0));
            try {
                if (mode == Mode.PRETRAIN) {
                    LxmertConfig pc = c.toBuilder().numQaLabels(PRETRAIN_ANSWERS).build();
                    PretrainTask.Host host = pretrainBatch(pc, batch, new Random(0));
                    LxmertPretraining model = LxmertPretraining.create(root, pc, 9595);
                    model.setTraining(true);
                    Trainer<PretrainTask.Host, PretrainTask.OnDevice> trainer = new Trainer<>(root, model,
                            new PretrainTask(model, PretrainTasks.all()), new Trainer.Options(1e-4, PretrainOptions.WARMUP,
                            tTotal, PretrainOptions.CLIP, null), devices);
                    return new Session(mode, batch, root, trainer, i -> trainer.step(List.of(host)),
                            3 * pretrainForwardFlops(pc, batch, PretrainLoss.counts(host.batch()).get(PretrainLoss.WORDS)),
                            lxmert.util.ThreadGovernor.OFF);
                }
                TaskNet net = new TaskNet(Task.VQA, root, c, VQA_ANSWERS, 9595, false);
                HostBatch hb = ModelBenchmark.batch(c, batch, VQA_ANSWERS, new Random(0));
                if (mode == Mode.TRAIN) {
                    net.module().setTraining(true);
                    Trainer<HostBatch, FinetuneTask.Batch> trainer = new Trainer<>(root, net.module(), new FinetuneTask(net),
                            new Trainer.Options(5e-5, 0.1, tTotal, 5.0, null), devices);
                    // no host read in the step
                    return new Session(mode, batch, root, trainer, i -> trainer.step(List.of(hb)),
                            3 * forwardFlops(c, batch, VQA_ANSWERS), lxmert.util.ThreadGovernor.OFF);
                }
                if (precision != lxmert.util.Precision.FP32) net.module().castExceptLayerNorm(precision.dataType);
                return new Session(mode, precision == lxmert.util.Precision.FP32 ? "infer" : "infer-" + precision, batch, root, null, i -> {
                    try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
                        net.forward(TaskNet.inputs(m, hb), null).toFloatArray();
                    }
                }, forwardFlops(c, batch, VQA_ANSWERS), lxmert.util.EngineThreads.governor(devices));
            } catch (RuntimeException | Error e) {
                root.close();
                throw e;
            }
        }

        /** One step (the trainer's governor, or the inference loop's, follows the CPUs after it). */
        public void step() throws Exception {
            step.run(0);
            threads.afterStep();
        }

        /** Examples per step. */
        public int batch() {
            return batch;
        }

        /** Analytic matmul FLOPs of one step. */
        public double flops() {
            return flops;
        }

        /** The intra-op threads in force now. */
        public int threadsNow() {
            return ai.djl.pytorch.jni.JniUtils.getNumThreads();
        }

        String extra() {
            return mode == Mode.PRETRAIN ? "" : " arrays=" + ((BaseNDManager) root).getManagedArrays().size();
        }

        /** The summary of timed steps {@code t}. */
        public Result result(Timing.Steps t) {
            return new Result(name, t.rate(batch), t.median(), t.rate(flops / 1e9), t.seconds());
        }

        @Override
        public void close() throws Exception {
            try {
                if (trainer != null) trainer.close();
            } finally {
                root.close();
            }
        }
    }

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

    /**
     * Matmul FLOPs of one pretraining forward: the encoder plus the MLM head on the {@code mlmRows} predicted positions
     * (the step decodes only those), the object, matching and QA heads.
     */
    static double pretrainForwardFlops(LxmertConfig c, int batch, long mlmRows) {
        double h = c.hidden_size(), N = BOXES;
        // the encoder and pooler as the VQA mode counts them, without its QA head (0 answers)
        double enc = forwardFlops(c, batch, 0) - 2.0 * batch * (h * h + h * 2 * h);
        double mlm = mlmRows * (h * h + h * c.vocab_size());                                // MLM transform + decoder
        double heads = N * (h * h + h * (c.num_object_labels() + c.num_attr_labels() + c.visual_feat_dim())) // object heads
                + h * 2 + h * h + h * 2 * h + 2 * h * PRETRAIN_ANSWERS;                      // matched, pooler, QA head
        return enc + 2 * heads * batch + 2 * mlm;
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

    /** A pretraining batch of {@code n} random examples of the benchmark's shape, all four tasks' labels filled. */
    static PretrainTask.Host pretrainBatch(LxmertConfig c, int n, Random rng) {
        int L = SEQ, N = BOXES;
        PretrainBatch b = new PretrainBatch(n, L, N, c.visual_feat_dim());
        b.size = n;
        Arrays.fill(b.lmLabels, -1);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < L; t++) {
                int k = i * L + t;
                int id = t == 0 ? 101 : t == L - 1 ? 102 : 1000 + rng.nextInt(c.vocab_size() - 1000);
                b.inputIds[k] = id;
                b.inputMask[k] = 1;
                if (t > 0 && t < L - 1 && rng.nextDouble() < 0.15) { b.lmLabels[k] = id; b.inputIds[k] = 103; }
            }
            for (int j = 0; j < N; j++) {
                int k = i * N + j;
                b.objLabels[k] = rng.nextInt(c.num_object_labels());
                b.attrLabels[k] = rng.nextInt(c.num_attr_labels());
                b.objConfs[k] = rng.nextFloat();
                b.attrConfs[k] = rng.nextFloat();
                b.visualMask[k] = 1;
                b.featMask[k] = rng.nextDouble() < 0.15 ? 1 : 0;
            }
            b.matched[i] = rng.nextBoolean() ? 1 : 0;
            b.qaLabel[i] = b.matched[i] == 1 ? rng.nextInt(PRETRAIN_ANSWERS) : -1;
            b.indices[i] = i;
        }
        for (int k = 0; k < b.feats.length; k++) { b.origFeats[k] = rng.nextFloat(); b.feats[k] = b.origFeats[k]; }
        for (int k = 0; k < b.boxCoords.length; k++) b.boxCoords[k] = rng.nextFloat();
        long[] ans = new long[n];
        float[] sc = new float[n];
        for (int i = 0; i < n; i++) { ans[i] = rng.nextInt(PRETRAIN_ANSWERS); sc[i] = 1f; }
        boolean[] labelled = new boolean[n];
        Arrays.fill(labelled, true);
        return new PretrainTask.Host(b, ans, sc, 1, labelled);
    }
}
