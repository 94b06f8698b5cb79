package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.data.synth.SynthWorld;
import lxmert.model.LxmertPretraining;
import lxmert.train.Grad;

/**
 * The pretraining valid losses mean what the original's {@code evaluate_epoch} means (lxmert_pretrain.py:47, 125,
 * 267-273, 360-388): batches of 512 (2048 with several devices, the parts' means averaged as DataParallel's
 * {@code loss.mean()}), each batch's own means, averaged over batches; eval mode; the draws re-made every epoch; the
 * random boxes from the training images. The expected values are computed here independently: the original's full
 * forward (every position decoded) and {@code PretrainLoss.means(..., torchNaN true)} on batches cut here.
 */
class PretrainValidTest {
    @TempDir static Path shared;
    static Path data;

    @BeforeAll
    static void world() throws Exception {
        data = shared.resolve("data");
        new SynthWorld(new SynthWorld.Config(11, 1.0, 16, 8)).write(data);
    }

    static PretrainOptions options(String device) {
        return PretrainOptions.defaults(data, shared.resolve("out")).withConfig(PretrainerTest.small(0.1))
                .withVocab(data.resolve("synth-vocab.txt")).withSplits("mscoco_train", "mscoco_minival,mscoco_nominival,vgnococo")
                .withBatchSize(32).withSeed(3).withDevice(device).withSaveSnapshots(false);
    }

    /** The six losses and total of examples {@code idx} (epoch {@code epoch}'s draws), the original's way. */
    static double[] batchLosses(Pretrainer p, int[] idx, int epoch, boolean training) throws Exception {
        LxmertPretraining model = p.model();
        model.setTraining(training);
        try (NDManager m = NDManager.newBaseManager(); AutoCloseable ng = Grad.noGrad()) {
            PretrainBatch b = p.validBatch(null, idx, epoch);
            PretrainBatch.Arrays a = b.toArrays(m);
            LxmertPretraining.Outputs o = model.forward(a.inputIds(), a.segmentIds(), a.inputMask(), a.feats(), a.boxes(),
                    a.visualMask(), null);
            NDArray[] l = new PretrainLoss(model.config(), PretrainTasks.all()).means(o, a.targets(), PretrainLoss.counts(b), true);
            double[] out = new double[7];
            for (int i = 0; i < 7; i++) out[i] = l[i].getFloat();
            return out;
        } finally {
            model.setTraining(false);
        }
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    /** Average over consecutive batches of {@code bs} of each batch's losses; a batch is the mean of its {@code parts}. */
    static double[] averageOfBatchMeans(Pretrainer p, int n, int bs, int parts, int epoch, boolean training) throws Exception {
        double[] sum = new double[7];
        int batches = 0;
        for (int s = 0; s < n; s += bs, batches++) {
            int e = Math.min(n, s + bs), size = (e - s + parts - 1) / parts;
            List<double[]> ps = new ArrayList<>();
            for (int q = s; q < e; q += size) ps.add(batchLosses(p, range(q, Math.min(e, q + size)), epoch, training));
            for (double[] x : ps) for (int i = 0; i < 7; i++) sum[i] += x[i] / ps.size();
        }
        for (int i = 0; i < 7; i++) sum[i] /= batches;
        return sum;
    }

    static double maxRelDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1e-3, Math.abs(b[i])));
        return d;
    }

    @Test
    void validLossesAreTheAverageOfBatchMeansOf512InEvalMode() throws Exception {
        try (var run = Pretrainer.run(options("cpu"), List.of(), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            int n = p.validCorpus().size();
            assertTrue(n > 512 && n % 512 != 0 && n < 2048, "the world's valid split has " + n + " examples: two batches, the last partial");
            Pretrainer.Evaluation ev = p.evaluate(1);
            double[] want = averageOfBatchMeans(p, n, 512, 1, 1, false);
            assertTrue(maxRelDiff(ev.losses(), want) < 1e-4, "evaluate " + java.util.Arrays.toString(ev.losses()) + " vs " + java.util.Arrays.toString(want));
            assertEquals(want[1] + want[2] + want[3] + want[4] + want[5] + want[6], ev.losses()[0], 1e-4);
            for (int i = 1; i < 7; i++) assertTrue(ev.losses()[i] > 0, LxmertPretraining.LOSS_NAMES[i - 1]);
            // the check tells these apart: one batch of all (a global mean), dropout on, another epoch's draws
            assertTrue(maxRelDiff(averageOfBatchMeans(p, n, n, 1, 1, false), want) > 1e-3, "the average of batch means, not a global mean");
            assertTrue(maxRelDiff(averageOfBatchMeans(p, n, 512, 1, 1, true), want) > 1e-3, "eval mode matters");
            assertTrue(maxRelDiff(p.evaluate(2).losses(), want) > 1e-3, "the draws change with the epoch");
            assertArrayEquals(ev.losses(), p.evaluate(1).losses(), 0.0, "an epoch's draws are fixed (resume)");
        }
    }

    /** Several devices: one batch of 2048 (all examples here), the mean of its two halves' means. */
    @Test
    void severalDevicesValidateAt2048AveragingTheScatteredParts() throws Exception {
        try (var run = Pretrainer.run(options("cpu,cpu"), List.of(), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            int n = p.validCorpus().size();
            double[] want = averageOfBatchMeans(p, n, 2048, 2, 0, false);
            double[] got = p.evaluate(0).losses();
            assertTrue(maxRelDiff(got, want) < 1e-4, java.util.Arrays.toString(got) + " vs " + java.util.Arrays.toString(want));
            assertTrue(maxRelDiff(averageOfBatchMeans(p, n, 2048, 1, 0, false), want) > 1e-5, "the halves' means differ from the batch's");
        }
        assertEquals(512, Pretrainer.validBatchSize(1));
        assertEquals(2048, Pretrainer.validBatchSize(4));
        // torch.chunk(5, 4): parts of ceil(5/4) = 2, so three parts
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4)), lists(Pretrainer.scatterChunks(range(0, 5), 4)));
        assertEquals(List.of(List.of(0, 1, 2)), lists(Pretrainer.scatterChunks(range(0, 3), 1)));
    }

    static List<List<Integer>> lists(int[][] a) {
        List<List<Integer>> out = new ArrayList<>();
        for (int[] x : a) out.add(java.util.Arrays.stream(x).boxed().toList());
        return out;
    }

    /**
     * As the original's {@code random_feat} (lxmert_pretrain.py:125 draws from {@code train_tuple.torchdset}, for the
     * valid split too), a valid box replaced by a random box gets the features of a box of a training image.
     */
    @Test
    void validRandomBoxesComeFromTrainingImages() throws Exception {
        try (var run = Pretrainer.run(options("cpu"), List.of(), null)) {
            Pretrainer p = (Pretrainer) run.recipe();
            Set<List<Float>> trainBoxes = boxes(p.trainCorpus()), validBoxes = boxes(p.validCorpus());
            int d = p.trainCorpus().features().featDim();
            int replaced = 0, onlyInTrain = 0;
            PretrainBatch b = null;
            for (int epoch = 0; epoch < 4; epoch++) {
                b = p.validBatch(b, range(0, Math.min(512, p.validCorpus().size())), epoch);
                for (int s = 0; s < b.size * b.boxes; s++) {
                    if (b.featMask[s] == 0) continue;
                    float[] f = java.util.Arrays.copyOfRange(b.feats, s * d, (s + 1) * d);
                    float[] orig = java.util.Arrays.copyOfRange(b.origFeats, s * d, (s + 1) * d);
                    boolean zero = true;
                    for (float v : f) zero &= v == 0f;
                    if (zero || java.util.Arrays.equals(f, orig)) continue;
                    replaced++;
                    List<Float> key = list(f);
                    assertTrue(trainBoxes.contains(key), "a replaced valid box has the features of a training box");
                    if (!validBoxes.contains(key)) onlyInTrain++;
                }
            }
            assertTrue(replaced > 20, "replaced boxes: " + replaced);
            assertEquals(replaced, onlyInTrain, "no valid image's box is used");
            assertFalse(trainBoxes.isEmpty());
        }
    }

    static Set<List<Float>> boxes(PretrainCorpus c) {
        Set<List<Float>> out = new HashSet<>();
        int d = c.features().featDim();
        float[] f = new float[d];
        for (int img = 0; img < c.numImages(); img++) {
            for (int k = 0; k < c.imageBoxes(img); k++) {
                c.store(img).copyFeature(c.row(img), k, f, 0);
                out.add(list(f));
            }
        }
        return out;
    }

    static List<Float> list(float[] f) {
        List<Float> l = new ArrayList<>(f.length);
        for (float v : f) l.add(v);
        return l;
    }
}
