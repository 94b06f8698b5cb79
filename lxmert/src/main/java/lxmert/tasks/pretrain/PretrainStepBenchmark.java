package lxmert.tasks.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.model.LxmertPretraining;
import lxmert.train.ModelBenchmark;
import lxmert.train.Trainer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code bench model --mode pretrain}: THE training step ({@link Trainer}) of pretraining ({@link PretrainTask}: all
 * four tasks, six losses, clip 1.0, BertAdam) on a synthetic batch of the benchmark's shape (20 tokens, 36 boxes,
 * 15% of words and boxes masked, half the sentences unmatched), timed like the VQA mode of {@link ModelBenchmark}.
 * GFLOP/s counts the MLM decoder on the masked words only, as the step computes it.
 */
public final class PretrainStepBenchmark {
    public static final int ANSWERS = 9500; // all_ans.json

    private PretrainStepBenchmark() {}

    /**
     * Matmul FLOPs of one pretraining forward: the encoder plus the MLM head on the {@code mlmRows} predicted positions
     * (the step decodes only those), the object, matching and QA heads.
     */
    public static double forwardFlops(LxmertConfig c, int batch, long mlmRows) {
        double h = c.hidden_size(), N = ModelBenchmark.BOXES;
        // the encoder and pooler as the VQA mode counts them, without its QA head (0 answers)
        double enc = ModelBenchmark.forwardFlops(c, batch, 0) - 2.0 * batch * (h * h + h * 2 * h);
        double mlm = mlmRows * (h * h + h * c.vocab_size());                                // MLM transform + decoder
        double heads = N * (h * h + h * (c.num_object_labels() + c.num_attr_labels() + c.visual_feat_dim())) // object heads
                + h * 2 + h * h + h * 2 * h + 2 * h * ANSWERS;                               // matched, pooler, QA head
        return enc + 2 * heads * batch + 2 * mlm;
    }

    private static boolean[] all(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }

    public static ModelBenchmark.Result run(LxmertConfig cfg, int batch, int steps, Device device, PrintStream log) {
        return run(cfg, batch, steps, List.of(device), log);
    }

    /** The step on one device, or data parallel over several (the first holds the master; {@code cpu,cpu} tests it). */
    public static ModelBenchmark.Result run(LxmertConfig cfg, int batch, int steps, List<Device> devices, PrintStream log) {
        LxmertConfig c = cfg.toBuilder().numQaLabels(ANSWERS).build();
        int L = ModelBenchmark.SEQ, N = ModelBenchmark.BOXES, D = c.visual_feat_dim();
        Random rng = new Random(0);
        PretrainBatch b = new PretrainBatch(batch, L, N, D);
        b.size = batch;
        java.util.Arrays.fill(b.lmLabels, -1);
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < L; t++) {
                int k = i * L + t;
                int id = t == 0 ? 101 : t == L - 1 ? 102 : 1000 + rng.nextInt(c.vocab_size() - 1000);
                b.inputIds[k] = id;
                b.inputMask[k] = 1;
                if (t > 0 && t < L - 1 && rng.nextDouble() < 0.15) { b.lmLabels[k] = id; b.inputIds[k] = 103; }
            }
            for (int n = 0; n < N; n++) {
                int k = i * N + n;
                b.objLabels[k] = rng.nextInt(c.num_object_labels());
                b.attrLabels[k] = rng.nextInt(c.num_attr_labels());
                b.objConfs[k] = rng.nextFloat();
                b.attrConfs[k] = rng.nextFloat();
                b.visualMask[k] = 1;
                b.featMask[k] = rng.nextDouble() < 0.15 ? 1 : 0;
            }
            b.matched[i] = rng.nextBoolean() ? 1 : 0;
            b.qaLabel[i] = b.matched[i] == 1 ? rng.nextInt(ANSWERS) : -1;
            b.indices[i] = i;
        }
        for (int k = 0; k < b.feats.length; k++) { b.origFeats[k] = rng.nextFloat(); b.feats[k] = b.origFeats[k]; }
        for (int k = 0; k < b.boxCoords.length; k++) b.boxCoords[k] = rng.nextFloat();
        long[] ans = new long[batch];
        float[] sc = new float[batch];
        for (int i = 0; i < batch; i++) { ans[i] = rng.nextInt(ANSWERS); sc[i] = 1f; }
        PretrainTask.Host host = new PretrainTask.Host(b, ans, sc, 1, all(batch));
        List<Double> times = new ArrayList<>();
        long rss0 = ModelBenchmark.Rss.kb();
        try (NDManager root = NDManager.newBaseManager(devices.get(0))) {
            LxmertPretraining model = LxmertPretraining.create(root, c, 9595);
            model.setTraining(true);
            try (Trainer<PretrainTask.Host, PretrainTask.OnDevice> trainer = new Trainer<>(root, model,
                    new PretrainTask(model, PretrainTasks.all()), new Trainer.Options(1e-4, PretrainOptions.WARMUP, Math.max(steps, 10),
                    PretrainOptions.CLIP, null), devices)) {
                for (int s = 0; s < steps; s++) {
                    long t0 = System.nanoTime();
                    trainer.step(List.of(host));
                    double sec = (System.nanoTime() - t0) / 1e9;
                    times.add(sec);
                    if (log != null) log.printf("step %d %.3f s rss_mb=%d%n", s, sec, ModelBenchmark.Rss.kb() / 1024);
                }
            }
        }
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted[sorted.length / 2];
        double flops = forwardFlops(c, batch, PretrainLoss.counts(b).get(PretrainLoss.WORDS)) * 3;
        return new ModelBenchmark.Result("pretrain", batch / median, median, flops / median / 1e9, times, rss0, ModelBenchmark.Rss.kb());
    }
}
