package lxmert.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import lxmert.config.LxmertConfig;
import lxmert.model.Losses;
import lxmert.model.Ops;
import lxmert.model.QaModel;
import lxmert.util.NdArrays;

/**
 * Data parallel on the CPU device: 2 and 3 replicas give the same loss, gradient norm and parameters after three
 * steps as one model trained on the whole batch by the plain step (forward, BCE x A, backward, padding rows, clip,
 * BertAdam), dropout off.
 */
class DataParallelTest {
    static final LxmertConfig C = LxmertConfig.tiny();
    static final int A = 7, B = 6, L = 8, N = 5, STEPS = 3;
    static final double TOL = 1e-5;

    record Run(List<Double> losses, List<Double> norms, Map<String, float[]> params) {
    }

    /** Host data of step s: ids, features, boxes, targets for B rows. */
    static final class Data {
        final long[] ids = new long[B * L];
        final float[] feats = new float[B * N * C.visual_feat_dim()];
        final float[] boxes = new float[B * N * 4];
        final float[] target = new float[B * A];

        Data(int step) {
            Random r = new Random(100 + step);
            for (int k = 0; k < ids.length; k++) ids[k] = k % L == 0 ? 101 : 1000 + r.nextInt(C.vocab_size() - 1000);
            for (int k = 0; k < feats.length; k++) feats[k] = r.nextFloat();
            for (int k = 0; k < boxes.length; k++) boxes[k] = r.nextFloat();
            for (int b = 0; b < B; b++) target[b * A + r.nextInt(A)] = 1f;
        }

        NDArray loss(QaModel model, NDManager m, int from, int to) {
            int n = to - from;
            long[] i = java.util.Arrays.copyOfRange(ids, from * L, to * L);
            NDArray idsA = NdArrays.longs(m, i, new Shape(n, L));
            int fd = C.visual_feat_dim();
            NDArray f = NdArrays.floats(m, java.util.Arrays.copyOfRange(feats, from * N * fd, to * N * fd), new Shape(n, N, fd));
            NDArray bx = NdArrays.floats(m, java.util.Arrays.copyOfRange(boxes, from * N * 4, to * N * 4), new Shape(n, N, 4));
            NDArray t = NdArrays.floats(m, java.util.Arrays.copyOfRange(target, from * A, to * A), new Shape(n, A));
            NDArray logits = model.forward(idsA, idsA.zerosLike(), idsA.onesLike(), f, bx, null);
            return Ops.mul(Losses.bceWithLogits(logits, t), A);
        }
    }

    static BertAdam adam(Map<String, NDArray> p) {
        return new BertAdam(p, 1e-3, 0.1, 10);
    }

    static QaModel model(NDManager m) {
        QaModel q = QaModel.create(m, C, A, 9595);
        q.setTraining(false);
        return q;
    }

    static Map<String, float[]> host(Map<String, NDArray> p) {
        Map<String, float[]> out = new LinkedHashMap<>();
        p.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /** The plain single-model step on the whole batch (independent of DataParallel). */
    static Run single() {
        List<Double> losses = new ArrayList<>(), norms = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            QaModel q = model(root);
            q.setRequiresGradient(true);
            Map<String, NDArray> p = q.namedParameters();
            BertAdam opt = adam(p);
            for (int s = 0; s < STEPS; s++) {
                try (NDManager m = root.newSubManager()) {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray loss = new Data(s).loss(q, m, 0, B);
                        losses.add((double) loss.getFloat());
                        gc.backward(loss);
                    }
                    BertAdam.zeroPaddingRows(q.bert().paddingRowParameters());
                    norms.add(BertAdam.clipGradNorm(p.values(), 1.0));
                    opt.step();
                    opt.zeroGrad();
                }
            }
            Run r = new Run(losses, norms, host(p));
            opt.close();
            return r;
        }
    }

    static Run parallel(int replicas) {
        List<Double> losses = new ArrayList<>(), norms = new ArrayList<>();
        try (DataParallel<QaModel> dp = new DataParallel<>(Collections.nCopies(replicas, Device.cpu()),
                DataParallelTest::model, DataParallelTest::adam);
             NDManager out = NDManager.newBaseManager(Device.cpu())) {
            assertEquals(replicas, dp.replicas().size());
            for (int s = 0; s < STEPS; s++) {
                Data d = new Data(s);
                DataParallel.Step st = dp.step(B, d::loss, 1.0, q -> BertAdam.zeroPaddingRows(q.bert().paddingRowParameters()), out);
                losses.add((double) st.loss().getFloat());
                norms.add(st.gradNorm());
            }
            Map<String, float[]> master = host(dp.master().namedParameters());
            for (QaModel r : dp.replicas()) {
                Map<String, float[]> other = host(r.namedParameters());
                master.forEach((k, v) -> assertArrayEquals(v, other.get(k), "replica parameters equal the master's after broadcast: " + k));
            }
            return new Run(losses, norms, master);
        }
    }

    @Test
    void shardsCoverTheBatch() {
        assertArrayEquals(new int[]{0, 3, 6}, DataParallel.shards(6, 2));
        assertArrayEquals(new int[]{0, 3, 5, 7}, DataParallel.shards(7, 3));
        assertArrayEquals(new int[]{0, 1, 2, 2}, DataParallel.shards(2, 3));
    }

    @Test
    void twoAndThreeReplicasMatchOneModelOnTheWholeBatch() {
        Run one = single();
        assertTrue(one.norms().get(0) > 1.0, "clipping is exercised: norm " + one.norms().get(0));
        for (int k : new int[]{2, 3}) {
            Run dp = parallel(k);
            for (int s = 0; s < STEPS; s++) {
                assertEquals(one.losses().get(s), dp.losses().get(s), TOL, k + " replicas, loss of step " + s);
                assertEquals(one.norms().get(s), dp.norms().get(s), TOL * Math.max(1, one.norms().get(s)), k + " replicas, grad norm of step " + s);
            }
            double worst = 0;
            for (Map.Entry<String, float[]> e : one.params().entrySet()) {
                float[] a = e.getValue(), b = dp.params().get(e.getKey());
                for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
            assertTrue(worst <= TOL, k + " replicas: max parameter difference after " + STEPS + " steps " + worst);
            // the parameters moved: the comparison is not between two untouched initialisations
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            Map<String, float[]> init = host(model(m).namedParameters());
            double moved = 0;
            for (Map.Entry<String, float[]> e : init.entrySet()) {
                float[] a = e.getValue(), b = one.params().get(e.getKey());
                for (int i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(a[i] - b[i]));
            }
            assertTrue(moved > 1e-4, "training changed the parameters: " + moved);
        }
    }
}
