package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchReader;
import lxmert.config.LxmertConfig;
import lxmert.data.SharedFiles;
import lxmert.model.LxmertPretraining;
import lxmert.train.Grad;
import lxmert.util.NdArrays;
import lxmert.util.Npy;
import lxmert.verify.ReferenceVerifier;

/**
 * The pretraining loss against the original's six losses on the lxrt-small fixture, the visual loss weighting by a
 * hand computation, sums over micro-batches divided by the total counts, and all-ignored labels.
 */
class PretrainLossTest {
    static Path dir;
    static NDManager root;
    static LxmertConfig config;
    static LxmertPretraining model;

    @BeforeAll
    static void load() throws Exception {
        dir = SharedFiles.require("fixtures/lxrt-small");
        config = ReferenceVerifier.configFrom(new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("manifest.json").toFile()), dir);
        root = NDManager.newBaseManager();
        model = LxmertPretraining.create(root, config, 0);
        Map<String, Tensor> ck = KeyMaps.toCanonical(TorchReader.read(dir.resolve("model_LXRT.pth")));
        assertTrue(ModelWeights.load(model.namedParameters(), ck, k -> false).isClean());
        model.setTraining(false);
    }

    @AfterAll
    static void close() { if (root != null) root.close(); }

    static NDArray in(NDManager m, String name) throws Exception {
        Npy.Array a = Npy.read(dir.resolve(name + ".npy"));
        Shape s = new Shape(a.shape());
        return a.descr().contains("i8") ? NdArrays.longs(m, a.toLongArray(), s) : NdArrays.floats(m, a.toFloatArray(), s);
    }

    static float[] npy(String name) throws Exception { return Npy.read(dir.resolve(name + ".npy")).toFloatArray(); }

    record Fx(NDArray ids, NDArray seg, NDArray mask, NDArray feats, NDArray boxes, LxmertPretraining.Targets t) {
        Fx rows(int from, int to) {
            NDIndex ix = new NDIndex(from + ":" + to);
            return new Fx(ids.get(ix), seg.get(ix), mask.get(ix), feats.get(ix), boxes.get(ix), new LxmertPretraining.Targets(
                    t.maskedLmLabels().get(ix), t.matchedLabel().get(ix), t.objLabels().get(ix), t.objConfs().get(ix),
                    t.attrLabels().get(ix), t.attrConfs().get(ix), t.feats().get(ix), t.featMask().get(ix), t.ans().get(ix)));
        }

        LxmertPretraining.Outputs forward() { return model.forward(ids, seg, mask, feats, boxes, null, null); }

        /** The counts the losses are means over, read from the device arrays (the host batch's, in training). */
        Map<String, Long> counts() {
            long mlm = t.maskedLmLabels().gte(0).sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            long matched = t.matchedLabel().gte(0).sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            long qa = t.ans().gte(0).sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
            long b = ids.getShape().get(0);
            return Map.of(PretrainLoss.WORDS, mlm, PretrainLoss.MATCHED, matched, PretrainLoss.QA, qa,
                    PretrainLoss.BOX_SLOTS, b * feats.getShape().get(1));
        }
    }

    static Fx fixture(NDManager m) throws Exception {
        NDArray feats = in(m, "in_feats");
        return new Fx(in(m, "in_input_ids"), in(m, "in_segment_ids"), in(m, "in_input_mask"), feats, in(m, "in_boxes"),
                new LxmertPretraining.Targets(in(m, "in_masked_lm_labels"), in(m, "in_matched_label"), in(m, "in_obj_labels"),
                        in(m, "in_obj_confs"), in(m, "in_attr_labels"), in(m, "in_attr_confs"), feats, in(m, "in_feat_mask"), in(m, "in_ans")));
    }

    @Test
    void sixLossesMatchTheOriginal() throws Exception {
        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            Fx f = fixture(m);
            NDArray[] l = new PretrainLoss(config, PretrainTasks.all()).means(f.forward(), f.t(), f.counts(), false);
            float[] want = npy("out_pretrain_losses");
            for (int i = 0; i < 6; i++) {
                float got = l[i + 1].getFloat();
                assertEquals(want[i], got, 1e-5 + 1e-4 * Math.abs(want[i]), LxmertPretraining.LOSS_NAMES[i]);
            }
            float total = npy("out_pretrain_total_loss")[0];
            assertEquals(total, l[0].getFloat(), 1e-5 + 1e-4 * Math.abs(total), "total");
        }
    }

    @Test
    void visualLossesAreConfidenceWeightedOverEveryBox() throws Exception {
        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            Fx f = fixture(m);
            LxmertPretraining.Outputs o = f.forward();
            NDArray[] l = new PretrainLoss(config, PretrainTasks.all()).means(o, f.t(), f.counts(), false);
            float[] logits = o.objLogits().toFloatArray();
            long[] lab = f.t().objLabels().toLongArray();
            float[] conf = f.t().objConfs().toFloatArray();
            int c = config.num_object_labels(), slots = lab.length;
            double sum = 0;
            for (int s = 0; s < slots; s++) {
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int k = 0; k < c; k++) max = Math.max(max, logits[s * c + k]);
                for (int k = 0; k < c; k++) z += Math.exp(logits[s * c + k] - max);
                sum += conf[s] * (max + Math.log(z) - logits[s * c + (int) lab[s]]);
            }
            double want = sum / slots / 0.15;
            assertEquals(want, l[3].getFloat(), 1e-4 * want, "Obj = sum(conf x CE) / (B x N) / 0.15, every box");
            // feat: SmoothL1 only where feat_mask is 1
            float[] pred = o.featPred().toFloatArray(), tgt = f.t().feats().toFloatArray(), fm = f.t().featMask().toFloatArray();
            int d = config.visual_feat_dim();
            double fs = 0;
            for (int s = 0; s < slots; s++) {
                if (fm[s] == 0) continue;
                double row = 0;
                for (int k = 0; k < d; k++) {
                    double x = Math.abs(pred[s * d + k] - tgt[s * d + k]);
                    row += x < 1 ? 0.5 * x * x : x - 0.5;
                }
                fs += fm[s] * row / d;
            }
            double wantFeat = fs / slots / 0.15;
            assertEquals(wantFeat, l[5].getFloat(), 1e-4 * wantFeat, "Feat on masked boxes");
        }
    }

    @Test
    void sumsOfMicroBatchesOverTheTotalCountsAddUpToTheBatch() throws Exception {
        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            Fx f = fixture(m);
            PretrainLoss loss = new PretrainLoss(config, PretrainTasks.all());
            NDArray[] full = loss.means(f.forward(), f.t(), f.counts(), false);
            Fx a = f.rows(0, 1), b = f.rows(1, 3);
            Map<String, Long> tot = new java.util.HashMap<>(a.counts());
            b.counts().forEach((k, v) -> tot.merge(k, v, Long::sum));
            assertEquals(f.counts(), tot);
            Map<String, lxmert.train.TrainTask.Loss> la = loss.sums(a.forward(), a.t()), lb = loss.sums(b.forward(), b.t());
            for (int i = 0; i < 6; i++) {
                String n = LxmertPretraining.LOSS_NAMES[i];
                double sum = la.get(n).sum().getFloat() + lb.get(n).sum().getFloat();
                double got = sum / tot.get(la.get(n).count()), want = full[i + 1].getFloat();
                assertEquals(want, got, 1e-5 + 1e-5 * Math.abs(want), n);
            }
        }
    }

    @Test
    void allIgnoredLabelsGiveZeroNotNaN() throws Exception {
        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            Fx f = fixture(m);
            NDArray none = m.full(new Shape(3), -1L);
            NDArray noneLm = m.full(f.t().maskedLmLabels().getShape(), -1L);
            LxmertPretraining.Targets t = new LxmertPretraining.Targets(noneLm, f.t().matchedLabel(), f.t().objLabels(),
                    f.t().objConfs(), f.t().attrLabels(), f.t().attrConfs(), f.t().feats(), f.t().featMask(), none);
            LxmertPretraining.Outputs o = f.forward();
            Fx g = new Fx(f.ids(), f.seg(), f.mask(), f.feats(), f.boxes(), t);
            PretrainLoss loss = new PretrainLoss(config, PretrainTasks.all());
            NDArray[] l = loss.means(o, t, g.counts(), false);
            assertEquals(0f, l[1].getFloat(), "MLM with no predicted word");
            assertEquals(0f, l[6].getFloat(), "QA with no answer");
            assertTrue(Float.isFinite(l[0].getFloat()));
            NDArray[] torch = loss.means(o, t, g.counts(), true);
            assertTrue(Float.isNaN(torch[1].getFloat()) && Float.isNaN(torch[6].getFloat()), "torch semantics (mean over nothing) give NaN");
            assertTrue(Float.isNaN(torch[0].getFloat()), "and so does the total");
            assertEquals(l[3].getFloat(), torch[3].getFloat(), "the other losses are the same");
        }
    }

    @Test
    void disabledTasksContributeZero() throws Exception {
        try (NDManager m = root.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            Fx f = fixture(m);
            PretrainTasks only = new PretrainTasks(true, true, false, false, java.util.Set.of("obj"), 0.15, 0.15);
            NDArray[] l = new PretrainLoss(config, only).means(f.forward(), f.t(), f.counts(), false);
            float[] want = npy("out_pretrain_losses");
            assertEquals(want[0], l[1].getFloat(), 1e-4 * want[0]);
            assertEquals(want[2], l[3].getFloat(), 1e-4 * want[2]);
            for (int i : new int[] {2, 4, 5, 6}) assertEquals(0f, l[i].getFloat(), "loss " + i);
            assertEquals(want[0] + want[2], l[0].getFloat(), 1e-4 * (want[0] + want[2]));
        }
    }

    /** Indices into the flattened positions whose label is not -1 ({@code {0}} when none, as PretrainBatch does). */
    static NDArray labelledRows(NDManager m, NDArray lmLabels) {
        long[] lab = lmLabels.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        long[] rows = java.util.stream.LongStream.range(0, lab.length).filter(i -> lab[(int) i] >= 0).toArray();
        if (rows.length == 0) rows = new long[] {0};
        return NdArrays.longs(m, rows, new Shape(rows.length));
    }

    /** Losses then every parameter gradient (flattened, in parameter order) of one backward of the total. */
    static float[][] lossesAndGradients(NDManager m, Fx f, boolean maskedOnly) {
        model.setRequiresGradient(true);
        try (Grad.Mode g = Grad.enable()) {
            for (NDArray p : model.namedParameters().values()) Grad.zero(p);
            NDArray rows = maskedOnly ? labelledRows(m, f.t().maskedLmLabels()) : null;
            LxmertPretraining.Outputs o = model.forward(f.ids(), f.seg(), f.mask(), f.feats(), f.boxes(), null, rows, null);
            if (maskedOnly) assertEquals(rows.getShape().get(0), o.mlmLogits().getShape().get(0), "decoded rows");
            NDArray[] l = new PretrainLoss(config, PretrainTasks.all()).means(o, f.t(), f.counts(), false);
            ai.djl.pytorch.jni.JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) l[0],
                    (ai.djl.pytorch.engine.PtNDArray) l[0].onesLike(), false, false);
            java.util.List<float[]> out = new java.util.ArrayList<>();
            float[] losses = new float[7];
            for (int i = 0; i < 7; i++) losses[i] = l[i].getFloat();
            out.add(losses);
            for (NDArray p : model.namedParameters().values()) out.add(p.getGradient().toFloatArray());
            return out.toArray(new float[0][]);
        } finally {
            for (NDArray p : model.namedParameters().values()) Grad.zero(p);
            model.setRequiresGradient(false);
        }
    }

    @Test
    void decodingOnlyMaskedWordsGivesTheSameLossesAndGradients() throws Exception {
        try (NDManager m = root.newSubManager()) {
            Fx f = fixture(m);
            assertTrue(labelledRows(m, f.t().maskedLmLabels()).getShape().get(0) < f.t().maskedLmLabels().getShape().size(),
                    "the fixture has positions without an MLM label");
            check(lossesAndGradients(m, f, false), lossesAndGradients(m, f, true));
            // no predicted word at all: the MLM loss is 0 and the other gradients are unchanged
            LxmertPretraining.Targets t = f.t();
            Fx none = new Fx(f.ids(), f.seg(), f.mask(), f.feats(), f.boxes(), new LxmertPretraining.Targets(
                    m.full(t.maskedLmLabels().getShape(), -1L), t.matchedLabel(), t.objLabels(), t.objConfs(),
                    t.attrLabels(), t.attrConfs(), t.feats(), t.featMask(), t.ans()));
            float[][] a = lossesAndGradients(m, none, false), b = lossesAndGradients(m, none, true);
            assertEquals(0f, b[0][1], "MLM loss with no predicted word");
            check(a, b);
        }
    }

    private static void check(float[][] full, float[][] masked) {
        for (int i = 0; i < 7; i++) {
            assertEquals(full[0][i], masked[0][i], 1e-6 + 1e-5 * Math.abs(full[0][i]), "loss " + i);
        }
        String[] names = model.namedParameters().keySet().toArray(new String[0]);
        int nonZero = 0;
        for (int p = 1; p < full.length; p++) {
            double scale = 0;
            for (float x : full[p]) scale = Math.max(scale, Math.abs(x));
            if (scale > 0) nonZero++;
            for (int k = 0; k < full[p].length; k++) {
                assertEquals(full[p][k], masked[p][k], 1e-6 + 1e-4 * scale, names[p - 1] + "[" + k + "]");
            }
        }
        assertTrue(nonZero > full.length / 2, "most parameters get a gradient: " + nonZero + " of " + (full.length - 1));
    }
}
