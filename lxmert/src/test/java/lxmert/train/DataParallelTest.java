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
    static final LxmertConfig C = TrainerTest.CONFIG; // small: the test runs 6 trainings
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
        /** This batch is rows {@code [off, off + rows)} of the step's data (a micro-batch). */
        int off = 0, rows = B;

        Data(int step) {
            Random r = new Random(100 + step);
            for (int k = 0; k < ids.length; k++) ids[k] = k % L == 0 ? 101 : 110 + r.nextInt(C.vocab_size() - 110);
            for (int k = 0; k < feats.length; k++) feats[k] = r.nextFloat();
            for (int k = 0; k < boxes.length; k++) boxes[k] = r.nextFloat();
            for (int b = 0; b < B; b++) target[b * A + r.nextInt(A)] = 1f;
        }

        Data part(int from, int to) {
            Data d = new Data(this);
            d.off = off + from;
            d.rows = to - from;
            return d;
        }

        private Data(Data o) {
            System.arraycopy(o.ids, 0, ids, 0, ids.length);
            System.arraycopy(o.feats, 0, feats, 0, feats.length);
            System.arraycopy(o.boxes, 0, boxes, 0, boxes.length);
            System.arraycopy(o.target, 0, target, 0, target.length);
        }

        /** Rows {@code [from, to)} on {@code m}'s device: ids, features, boxes, targets. */
        NDArray[] arrays(NDManager m, int from, int to) {
            int n = to - from, fd = C.visual_feat_dim();
            return new NDArray[]{NdArrays.longs(m, java.util.Arrays.copyOfRange(ids, from * L, to * L), new Shape(n, L)),
                    NdArrays.floats(m, java.util.Arrays.copyOfRange(feats, from * N * fd, to * N * fd), new Shape(n, N, fd)),
                    NdArrays.floats(m, java.util.Arrays.copyOfRange(boxes, from * N * 4, to * N * 4), new Shape(n, N, 4)),
                    NdArrays.floats(m, java.util.Arrays.copyOfRange(target, from * A, to * A), new Shape(n, A))};
        }
    }

    /** BCE x A of the QA head, a mean over the rows. */
    static NDArray loss(QaModel model, NDArray[] d) {
        NDArray logits = model.forward(d[0], d[0].zerosLike(), d[0].onesLike(), d[1], d[2], null);
        return Ops.mul(Losses.bceWithLogits(logits, d[3]), A);
    }

    /** The step as a trainer task, with replicas (another copy of the model, same architecture). */
    record Task(QaModel model, List<String> devicesSeen) implements TrainTask<Data, NDArray[]> {
        @Override
        public NDArray[] toDevice(NDManager m, Data b) {
            return toDevice(m, b, 0, b.rows);
        }

        @Override
        public NDArray[] toDevice(NDManager m, Data b, int from, int to) {
            devicesSeen.add(m.getDevice() + ":" + from + "-" + to);
            return b.arrays(m, b.off + from, b.off + to);
        }

        @Override
        public Output forward(NDArray[] d) {
            return new Output(loss(model, d), Map.of("same", loss(model, d).mul(2)), Map.of("rows", d[3].sum()));
        }

        @Override
        public int examples(Data b) {
            return b.rows;
        }

        @Override
        public Replica<Data, NDArray[]> replicate(NDManager root) {
            QaModel copy = QaModel.create(root, C, A, 1234); // another initialisation: the broadcast overwrites it
            return new Replica<>(copy, new Task(copy, devicesSeen));
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

    /** The plain single-model step on the whole batch (independent of the Trainer and DataParallel). */
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
                        NDArray loss = loss(q, new Data(s).arrays(m, 0, B));
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

    /** THE trainer with {@code replicas} replicas on the CPU device, {@code micro} micro-batches per step. */
    static Run parallel(int replicas, int micro) {
        List<Double> losses = new ArrayList<>(), norms = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            QaModel q = model(root);
            Trainer.Options o = new Trainer.Options(1e-3, 0.1, 10, 1.0, B, null);
            try (Trainer<Data, NDArray[]> t = new Trainer<>(root, q, q.bert().paddingRowParameters(), new Task(q, seen), o,
                    Collections.nCopies(replicas, Device.cpu()))) {
                assertEquals(replicas, t.replicas().size());
                for (int s = 0; s < STEPS; s++) {
                    Data d = new Data(s);
                    if (micro == 1) {
                        t.accumulateGradients(d);
                    } else {
                        for (int k = 0; k < micro; k++) t.accumulateGradients(d.part(k * B / micro, (k + 1) * B / micro));
                    }
                    t.applyUpdate();
                    losses.add((double) t.lastUpdateLoss().getFloat());
                    norms.add((double) t.lastGradNorm().getFloat());
                }
                RunningSums.Values v = t.sums().read();
                assertEquals(STEPS * micro, v.batches());
                assertEquals(STEPS * B, v.examples());
                double lossMean = losses.stream().mapToDouble(Double::doubleValue).sum() / STEPS;
                if (micro == 1) {
                    assertEquals(lossMean, v.mean(RunningSums.LOSS), TOL, "running loss = the shards' weighted losses");
                    assertEquals(2 * lossMean, v.mean("same"), 2 * TOL, "loss parts weighted as the loss");
                }
                double targets = 0;
                for (int s = 0; s < STEPS; s++) for (float x : new Data(s).target) targets += x;
                assertEquals(targets / (STEPS * B), v.mean("rows"), 1e-6, "example sums added over the shards");
                Map<String, float[]> master = host(t.parameters());
                // the next update broadcasts the master's parameters into the replicas before its forward
                t.accumulateGradients(new Data(STEPS));
                t.discardGradients();
                for (var r : t.replicas()) {
                    Map<String, float[]> other = host(r.namedParameters());
                    master.forEach((k, x) -> assertArrayEquals(x, other.get(k), "replica parameters equal the master's: " + k));
                }
                return new Run(losses, norms, master);
            }
        } finally {
            if (micro == 1) { // each replica got its own shard of the batch, in order
                int[] at = DataParallel.shards(B, replicas);
                for (int i = 0; i < replicas; i++) assertTrue(seen.get(i).endsWith(":" + at[i] + "-" + at[i + 1]), seen.toString());
            }
        }
    }

    @Test
    void shardsCoverTheBatch() {
        assertArrayEquals(new int[]{0, 3, 6}, DataParallel.shards(6, 2));
        assertArrayEquals(new int[]{0, 3, 5, 7}, DataParallel.shards(7, 3));
        assertArrayEquals(new int[]{0, 1, 2, 2}, DataParallel.shards(2, 3));
    }

    @Test
    void twoThreeAndFourReplicasThroughTheTrainerMatchOneModelOnTheWholeBatch() {
        Run one = single();
        assertTrue(one.norms().get(0) > 1.0, "clipping is exercised: norm " + one.norms().get(0));
        // replicas x micro-batches: 1 replica (the trainer without data parallel), 2, 4 (shards 2,2,1,1), and
        // 2 replicas with 2 micro-batches of 3 (shards of 2 and 1)
        for (int[] km : new int[][]{{1, 1}, {2, 1}, {4, 1}, {2, 2}}) {
            int k = km[0], micro = km[1];
            String what = k + " replicas x " + micro + " micro-batches";
            Run dp = parallel(k, micro);
            for (int s = 0; s < STEPS; s++) {
                assertEquals(one.losses().get(s), dp.losses().get(s), TOL, what + ", loss of step " + s);
                assertEquals(one.norms().get(s), dp.norms().get(s), TOL * Math.max(1, one.norms().get(s)), what + ", grad norm of step " + s);
            }
            double worst = 0;
            for (Map.Entry<String, float[]> e : one.params().entrySet()) {
                float[] a = e.getValue(), b = dp.params().get(e.getKey());
                for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
            assertTrue(worst <= TOL, what + ": max parameter difference after " + STEPS + " steps " + worst);
        }
        // the parameters moved: the comparison is not between two untouched initialisations
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

    @Test
    void aTaskWithoutReplicasIsRefusedByName() {
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            QaModel q = model(root);
            Trainer.Options o = new Trainer.Options(1e-3, 0.1, 10, 1.0, B, null);
            UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                    () -> new Trainer<>(root, q, List.of(), new ModelBenchmark.VqaStep(q, A), o, List.of(Device.cpu(), Device.cpu())));
            assertTrue(e.getMessage().contains("VqaStep"), e.getMessage());
        }
    }
}
