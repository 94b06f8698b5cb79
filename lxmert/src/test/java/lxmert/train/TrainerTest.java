package lxmert.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.bench.ModelBenchmark;
import lxmert.config.LxmertConfig;
import lxmert.tasks.FinetuneTask;
import lxmert.tasks.HostBatch;
import lxmert.tasks.Task;
import lxmert.tasks.TaskNet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The one training step over fine-tuning's production task ({@link FinetuneTask} on the task net): gradient
 * accumulation equals one large batch (the loss sums divided by the update's totals), a zero total contributes
 * nothing; clipping on the device equals the host version.
 */
class TrainerTest {
    static final int ANSWERS = 12;
    static final LxmertConfig CONFIG = LxmertConfig.builder().vocabSize(300).hiddenSize(32).numAttentionHeads(2)
            .intermediateSize(64).maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(16)
            .numObjectLabels(16).numAttrLabels(8).numQaLabels(16).build();

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /** A VQA-shaped batch of {@code n} random examples (soft scores in [0, 1)). */
    static HostBatch batch(int n, long seed) {
        Random r = new Random(seed);
        HostBatch b = ModelBenchmark.batch(CONFIG, n, ANSWERS, r);
        for (int i = 0; i < b.targets.length; i++) if (b.targets[i] > 0) b.targets[i] = r.nextFloat();
        return b;
    }

    /** Examples {@code [from, from + n)} of {@code b} as a batch of their own. */
    static HostBatch slice(HostBatch b, int from, int n) {
        int per = b.rows / b.examples, a = b.targets == null ? 0 : b.targets.length / b.examples;
        HostBatch s = new HostBatch(n, per, b.seqLen, b.boxes, b.featDim, a);
        int r0 = from * per, rows = n * per, t = b.seqLen, v = b.boxes * b.featDim, x = b.boxes * 4;
        System.arraycopy(b.inputIds, r0 * t, s.inputIds, 0, rows * t);
        System.arraycopy(b.inputMask, r0 * t, s.inputMask, 0, rows * t);
        System.arraycopy(b.segmentIds, r0 * t, s.segmentIds, 0, rows * t);
        System.arraycopy(b.feats, r0 * v, s.feats, 0, rows * v);
        System.arraycopy(b.boxCoords, r0 * x, s.boxCoords, 0, rows * x);
        if (a > 0) System.arraycopy(b.targets, from * a, s.targets, 0, n * a);
        System.arraycopy(b.labels, from, s.labels, 0, n);
        return s;
    }

    /**
     * Trains a fresh VQA task net (dropout off) two steps on two batches of 32, each as micro-batches of the given
     * sizes; returns the parameters, the last update's loss and gradient norm.
     */
    static Map<String, float[]> train(int[] micro, double[] lossAndNorm) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = new TaskNet(Task.VQA, root, CONFIG, ANSWERS, 11, false);
            net.module().setTraining(false);
            Trainer.Options o = new Trainer.Options(1e-3, 0.1, -1, 1.0, 5L);
            try (Trainer<HostBatch, FinetuneTask.Batch> t = new Trainer<>(root, net.module(), new FinetuneTask(net), o)) {
                for (int step = 0; step < 2; step++) {
                    HostBatch full = batch(32, 100 + step);
                    List<HostBatch> parts = new ArrayList<>();
                    int at = 0;
                    for (int n : micro) {
                        parts.add(micro.length == 1 ? full : slice(full, at, n));
                        at += n;
                    }
                    assertEquals(32, at);
                    t.step(parts);
                    assertEquals(step + 1, t.step());
                    assertEquals(32, t.updateExamples());
                }
                lossAndNorm[0] = t.lastUpdateLoss().getFloat();
                lossAndNorm[1] = t.lastGradNorm().getFloat();
                RunningSums.Values v = t.sums().read();
                assertEquals(2, v.batches(), "one batch of the running means per update");
                assertEquals(64, v.examples());
            }
            net.module().namedParameters().forEach((k, p) -> out.put(k, p.toFloatArray()));
        }
        return out;
    }

    static double maxDiff(Map<String, float[]> a, Map<String, float[]> b) {
        double worst = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k), y = b.get(k);
            for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        return worst;
    }

    @Test
    void microBatchesOfAnUpdateEqualOneBatchOf32() {
        double[] one = new double[2];
        Map<String, float[]> a = train(new int[] {32}, one);
        // 4 x 8 and uneven 8 + 16 + 8: each micro-batch's sum divided by the update's 32 examples (a micro-batch
        // divided by its own count would give 4x and 3x the norm: clipping and Adam hide a constant gradient scale
        // from the parameters, not from the norm and the loss)
        for (int[] micro : new int[][] {{8, 8, 8, 8}, {8, 16, 8}}) {
            double[] got = new double[2];
            Map<String, float[]> b = train(micro, got);
            String what = java.util.Arrays.toString(micro);
            double d = maxDiff(a, b);
            assertTrue(d < 1e-6, what + ": parameters after 2 steps differ by " + d);
            assertEquals(one[0], got[0], 1e-5, what + ": the update's loss");
            assertEquals(one[1], got[1], 1e-5 * one[1], what + ": the gradient norm before clipping");
        }
    }

    /** NLVR2 pairs ({@code n} examples, two images each) with labels; -1 = unlabelled. */
    static HostBatch pairs(int n, long seed, long label) {
        Random r = new Random(seed);
        HostBatch one = ModelBenchmark.batch(CONFIG, 2 * n, 1, r);
        HostBatch b = new HostBatch(n, 2, one.seqLen, one.boxes, one.featDim, 0);
        System.arraycopy(one.inputIds, 0, b.inputIds, 0, b.inputIds.length);
        System.arraycopy(one.inputMask, 0, b.inputMask, 0, b.inputMask.length);
        System.arraycopy(one.feats, 0, b.feats, 0, b.feats.length);
        System.arraycopy(one.boxCoords, 0, b.boxCoords, 0, b.boxCoords.length);
        for (int i = 0; i < n; i++) b.labels[i] = label < 0 ? -1 : r.nextInt(2);
        return b;
    }

    /** Parameters after one NLVR2 step over {@code micro}; {@code lossAndNorm} gets the update's loss and norm. */
    static Map<String, float[]> nlvr2Step(List<HostBatch> micro, double[] lossAndNorm) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = new TaskNet(Task.NLVR2, root, CONFIG, 0, 11, false);
            net.module().setTraining(false);
            try (Trainer<HostBatch, FinetuneTask.Batch> t = new Trainer<>(root, net.module(), new FinetuneTask(net),
                    new Trainer.Options(1e-3, 0, -1, 1.0, 5L))) {
                t.step(micro);
                lossAndNorm[0] = t.lastUpdateLoss().getFloat();
                lossAndNorm[1] = t.lastGradNorm().getFloat();
            }
            net.module().namedParameters().forEach((k, p) -> out.put(k, p.toFloatArray()));
        }
        return out;
    }

    @Test
    void aZeroTotalContributesNothing() {
        HostBatch unlabelled = pairs(3, 7, -1), labelled = pairs(3, 8, 0);
        double[] none = new double[2];
        nlvr2Step(List.of(unlabelled), none);
        assertEquals(0.0, none[0], 0.0, "an update with no labelled example: loss 0, not NaN");
        assertEquals(0.0, none[1], 0.0, "and no gradient");
        // an unlabelled micro-batch next to a labelled one: the update is the labelled one's (its count is the total)
        double[] alone = new double[2], mixed = new double[2];
        Map<String, float[]> a = nlvr2Step(List.of(labelled), alone);
        Map<String, float[]> b = nlvr2Step(List.of(unlabelled, labelled), mixed);
        assertTrue(alone[0] > 0 && alone[1] > 0, "the labelled pairs train: " + java.util.Arrays.toString(alone));
        assertEquals(alone[0], mixed[0], 1e-6, "loss");
        assertEquals(alone[1], mixed[1], 1e-6 * alone[1], "gradient norm");
        assertTrue(maxDiff(a, b) < 1e-7, "parameters differ by " + maxDiff(a, b));
    }

    @Test
    void clippingOnTheDeviceEqualsTheHostVersion() {
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            for (double max : new double[] {0.5, 1e6}) {
                NDArray[] p1 = new NDArray[3];
                NDArray[] p2 = new NDArray[3];
                Random r = new Random(3);
                for (int i = 0; i < 3; i++) {
                    float[] g = new float[7 + i];
                    for (int k = 0; k < g.length; k++) g[k] = (float) r.nextGaussian();
                    p1[i] = root.zeros(new ai.djl.ndarray.types.Shape(g.length));
                    p2[i] = root.zeros(new ai.djl.ndarray.types.Shape(g.length));
                    p1[i].setRequiresGradient(true);
                    p2[i].setRequiresGradient(true);
                    // gradient = g through a backward of sum(p * g)
                    try (Grad.Mode m = Grad.enable()) {
                        NDArray ga = root.create(g);
                        ai.djl.pytorch.jni.JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) p1[i].mul(ga).sum(),
                                (ai.djl.pytorch.engine.PtNDArray) root.ones(new ai.djl.ndarray.types.Shape()), false, false);
                        ai.djl.pytorch.jni.JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) p2[i].mul(ga).sum(),
                                (ai.djl.pytorch.engine.PtNDArray) root.ones(new ai.djl.ndarray.types.Shape()), false, false);
                    }
                }
                double host = BertAdam.clipGradNormHost(Arrays.asList(p1), max);
                double dev;
                try (NDManager m = root.newSubManager()) {
                    dev = BertAdam.clipGradNorm(Arrays.asList(p2), max, m).getFloat();
                }
                assertEquals(host, dev, 1e-6 * host);
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(p1[i].getGradient().toFloatArray(), p2[i].getGradient().toFloatArray(), 1e-6f);
                }
            }
        }
    }

    @Test
    void badLoopOptionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingLoop.Options("x", 1, 30, 4, 0, 1, null, false, false, null, null, 0));
        assertTrue(e.getMessage().contains("--accumulate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingLoop.Options("x", 0, 32, 1, 0, 1, null, false, false, null, null, 0));
        assertTrue(e.getMessage().contains("--epochs"), e.getMessage());
    }

    @Test
    void microBatchesSplitTheSameOrder() {
        int[][] full = TrainingLoop.batches(100, 32, true, true, TrainingLoop.epochSeed(7, 1));
        assertEquals(3, full.length);
        TrainingLoop<int[], int[]> loop = new TrainingLoop<>(null, 100, x -> x,
                new TrainingLoop.Options("x", 2, 32, 4, 7, 1, null, false, false, null, null, 0), null, null, null);
        int[][] micro = loop.microBatches(1);
        assertEquals(12, micro.length);
        for (int b = 0; b < 3; b++) {
            int[] joined = new int[32];
            for (int k = 0; k < 4; k++) System.arraycopy(micro[b * 4 + k], 0, joined, k * 8, 8);
            assertArrayEquals(full[b], joined);
        }
    }
}
