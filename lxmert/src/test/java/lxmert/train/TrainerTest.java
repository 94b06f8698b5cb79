package lxmert.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.model.QaModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The one training step: gradient accumulation equals one large batch; clipping on the device equals the host version. */
class TrainerTest {
    static final int ANSWERS = 12;
    static final LxmertConfig CONFIG = LxmertConfig.builder().vocabSize(300).hiddenSize(32).numAttentionHeads(2)
            .intermediateSize(64).maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(16)
            .numObjectLabels(16).numAttrLabels(8).numQaLabels(16).build();

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /** A VQA-shaped batch of {@code n} random examples. */
    static ModelBenchmark.HostBatch batch(int n, long seed) {
        Random r = new Random(seed);
        long[] ids = new long[n * ModelBenchmark.SEQ];
        for (int k = 0; k < ids.length; k++) ids[k] = k % ModelBenchmark.SEQ == 0 ? 101 : 110 + r.nextInt(CONFIG.vocab_size() - 110);
        float[] feats = new float[n * ModelBenchmark.BOXES * CONFIG.visual_feat_dim()];
        for (int k = 0; k < feats.length; k++) feats[k] = r.nextFloat();
        float[] boxes = new float[n * ModelBenchmark.BOXES * 4];
        for (int k = 0; k < boxes.length; k++) boxes[k] = r.nextFloat();
        float[] target = new float[n * ANSWERS];
        for (int b = 0; b < n; b++) target[b * ANSWERS + r.nextInt(ANSWERS)] = r.nextFloat();
        return new ModelBenchmark.HostBatch(n, ids, feats, boxes, target, CONFIG.visual_feat_dim(), ANSWERS);
    }

    static ModelBenchmark.HostBatch slice(ModelBenchmark.HostBatch b, int from, int n) {
        int s = ModelBenchmark.SEQ, nb = ModelBenchmark.BOXES, d = b.featDim();
        return new ModelBenchmark.HostBatch(n, Arrays.copyOfRange(b.ids(), from * s, (from + n) * s),
                Arrays.copyOfRange(b.feats(), from * nb * d, (from + n) * nb * d),
                Arrays.copyOfRange(b.boxes(), from * nb * 4, (from + n) * nb * 4),
                Arrays.copyOfRange(b.target(), from * ANSWERS, (from + n) * ANSWERS), d, ANSWERS);
    }

    /**
     * Trains a fresh model (dropout off) two steps on two batches of 32, each as {@code micro} micro-batches;
     * returns the parameters, the last loss and gradient norm.
     */
    static Map<String, float[]> train(int micro, int updateBatchSize, double[] lossAndNorm) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            QaModel model = QaModel.create(root, CONFIG, ANSWERS, 11);
            model.setTraining(false);
            Trainer.Options o = new Trainer.Options(1e-3, 0.1, -1, 1.0, updateBatchSize, 5L);
            try (Trainer<ModelBenchmark.HostBatch, NDArray[]> t = new Trainer<>(root, model, model.bert().paddingRowParameters(),
                    new ModelBenchmark.VqaStep(model, ANSWERS), o)) {
                for (int step = 0; step < 2; step++) {
                    ModelBenchmark.HostBatch full = batch(32, 100 + step);
                    int mb = 32 / micro;
                    for (int k = 0; k < micro; k++) t.accumulateGradients(micro == 1 ? full : slice(full, k * mb, mb));
                    assertEquals(micro, t.pendingMicroBatches());
                    t.applyUpdate();
                    assertEquals(step + 1, t.step());
                }
                lossAndNorm[0] = t.lastUpdateLoss().getFloat();
                lossAndNorm[1] = t.lastGradNorm().getFloat();
                RunningSums.Values v = t.sums().read();
                assertEquals(2L * micro, v.batches());
                assertEquals(64, v.examples());
            }
            model.namedParameters().forEach((k, p) -> out.put(k, p.toFloatArray()));
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
    void fourMicroBatchesOfEightEqualOneBatchOf32() {
        double[] one = new double[2];
        double[] four = new double[2];
        double[] unscaled = new double[2];
        Map<String, float[]> a = train(1, 32, one);
        Map<String, float[]> b = train(4, 32, four);
        double d = maxDiff(a, b);
        assertTrue(d < 1e-6, "parameters after 2 steps differ by " + d);
        assertEquals(one[0], four[0], 1e-5, "the update's loss");
        assertEquals(one[1], four[1], 1e-5 * one[1], "the gradient norm before clipping");
        // the test can fail: without the 8/32 weighting the gradients are 4x larger (the parameters do not show it:
        // clipping and Adam's m / sqrt(v) are blind to a constant gradient scale, but the norm and loss are not)
        train(4, 0, unscaled);
        assertEquals(4 * one[1], unscaled[1], 1e-4 * unscaled[1], "unweighted: 4x the norm");
        assertEquals(4 * one[0], unscaled[0], 1e-4 * unscaled[0], "unweighted: the sum of 4 losses");
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
