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
import lxmert.tasks.FinetuneTask;
import lxmert.tasks.HostBatch;
import lxmert.tasks.Task;
import lxmert.tasks.TaskNet;

/**
 * Data parallel on the CPU device through fine-tuning's production task ({@link FinetuneTask} on the VQA task net):
 * 2 and 4 replicas (and 2 replicas x 2 micro-batches) give the same loss, gradient norm and parameters after three
 * steps as one model trained on the whole batch by a plain step written here (forward, BCE x A, backward, clip,
 * BertAdam), dropout off.
 */
class DataParallelTest {
    static final LxmertConfig C = TrainerTest.CONFIG; // small: the test runs 5 trainings
    static final int A = 7, B = 6, L = 8, N = 5, STEPS = 3;
    static final double TOL = 1e-5;

    record Run(List<Double> losses, List<Double> norms, Map<String, float[]> params) {
    }

    /** The host batch of step s: B examples of L tokens (some padding) and N boxes, one target answer each. */
    static HostBatch data(int step) {
        Random r = new Random(100 + step);
        HostBatch b = new HostBatch(B, 1, L, N, C.visual_feat_dim(), A);
        for (int k = 0; k < b.inputIds.length; k++) {
            boolean pad = k % L >= L - 1 - (k / L) % 3; // 1 to 3 padding tokens (id 0) per sentence
            b.inputIds[k] = pad ? 0 : k % L == 0 ? 101 : 110 + r.nextInt(C.vocab_size() - 110);
            b.inputMask[k] = pad ? 0 : 1;
        }
        for (int k = 0; k < b.feats.length; k++) b.feats[k] = r.nextFloat();
        for (int k = 0; k < b.boxCoords.length; k++) b.boxCoords[k] = r.nextFloat();
        for (int i = 0; i < B; i++) b.targets[i * A + r.nextInt(A)] = 1f;
        return b;
    }

    /** The production task, recording which shard each replica copies to its device. */
    record Recording(FinetuneTask task, List<String> devicesSeen) implements TrainTask<HostBatch, FinetuneTask.Batch> {
        @Override
        public FinetuneTask.Batch toDevice(NDManager m, HostBatch b) {
            return toDevice(m, b, 0, b.examples);
        }

        @Override
        public FinetuneTask.Batch toDevice(NDManager m, HostBatch b, int from, int to) {
            devicesSeen.add(m.getDevice() + ":" + from + "-" + to);
            return task.toDevice(m, b, from, to);
        }

        @Override
        public Output forward(FinetuneTask.Batch d) {
            return task.forward(d);
        }

        @Override
        public int examples(HostBatch b) {
            return task.examples(b);
        }

        @Override
        public Map<String, Long> counts(HostBatch b) {
            return task.counts(b);
        }

        @Override
        public Replica<HostBatch, FinetuneTask.Batch> replicate(NDManager root) {
            Replica<HostBatch, FinetuneTask.Batch> r = task.replicate(root);
            return new Replica<>(r.model(), new Recording((FinetuneTask) r.task(), devicesSeen));
        }
    }

    static BertAdam adam(Map<String, NDArray> p) {
        return new BertAdam(p, 1e-3, 0.1, 10);
    }

    static TaskNet net(NDManager m) {
        TaskNet net = new TaskNet(Task.VQA, m, C, A, 9595, false);
        net.module().setTraining(false);
        return net;
    }

    static Map<String, float[]> host(Map<String, NDArray> p) {
        Map<String, float[]> out = new LinkedHashMap<>();
        p.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /** The plain single-model step on the whole batch (independent of the Trainer, DataParallel and FinetuneTask's loss). */
    static Run single() {
        List<Double> losses = new ArrayList<>(), norms = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = net(root);
            net.module().setRequiresGradient(true);
            Map<String, NDArray> p = net.module().namedParameters();
            BertAdam opt = adam(p);
            for (int s = 0; s < STEPS; s++) {
                try (NDManager m = root.newSubManager()) {
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        HostBatch d = data(s);
                        NDArray logits = net.forward(TaskNet.inputs(m, d), null);
                        NDArray target = m.create(d.targets, new Shape(B, A));
                        // BCEWithLogits (mean over B x A) x A, as the original's vqa.py
                        NDArray loss = Ops.mul(Losses.bceWithLogitsNone(logits, target).mean(), A);
                        losses.add((double) loss.getFloat());
                        gc.backward(loss);
                    }
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
            TaskNet net = net(root);
            Trainer.Options o = new Trainer.Options(1e-3, 0.1, 10, 1.0, null);
            try (Trainer<HostBatch, FinetuneTask.Batch> t = new Trainer<>(root, net.module(), new Recording(new FinetuneTask(net), seen), o,
                    Collections.nCopies(replicas, Device.cpu()))) {
                assertEquals(replicas, t.replicas().size());
                for (int s = 0; s < STEPS; s++) {
                    HostBatch d = data(s);
                    List<HostBatch> parts = new ArrayList<>();
                    for (int k = 0; k < micro; k++) parts.add(micro == 1 ? d : TrainerTest.slice(d, k * B / micro, B / micro));
                    t.step(parts);
                    losses.add((double) t.lastUpdateLoss().getFloat());
                    norms.add((double) t.lastGradNorm().getFloat());
                }
                RunningSums.Values v = t.sums().read();
                assertEquals(STEPS, v.batches());
                assertEquals(STEPS * B, v.examples());
                double lossMean = losses.stream().mapToDouble(Double::doubleValue).sum() / STEPS;
                assertEquals(lossMean, v.mean(RunningSums.LOSS), TOL, "running loss = the shards' losses added");
                Map<String, float[]> master = host(t.parameters());
                // the next update broadcasts the master's parameters into the replicas before its forward
                t.step(List.of(data(STEPS)));
                for (var r : t.replicas().subList(1, replicas)) {
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
    void twoAndFourReplicasThroughTheTrainerMatchOneModelOnTheWholeBatch() {
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
            Map<String, float[]> init = host(net(m).module().namedParameters());
            double moved = 0;
            for (Map.Entry<String, float[]> e : init.entrySet()) {
                float[] a = e.getValue(), b = one.params().get(e.getKey());
                for (int i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(a[i] - b[i]));
            }
            assertTrue(moved > 1e-4, "training changed the parameters: " + moved);
        }
    }

    /** A task without {@link TrainTask#replicate}: one device only. */
    record OneDeviceTask(FinetuneTask task) implements TrainTask<HostBatch, FinetuneTask.Batch> {
        @Override public FinetuneTask.Batch toDevice(NDManager m, HostBatch b) { return task.toDevice(m, b); }
        @Override public Output forward(FinetuneTask.Batch d) { return task.forward(d); }
        @Override public int examples(HostBatch b) { return task.examples(b); }
        @Override public Map<String, Long> counts(HostBatch b) { return task.counts(b); }
    }

    @Test
    void aTaskWithoutReplicasIsRefusedByName() {
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = net(root);
            Trainer.Options o = new Trainer.Options(1e-3, 0.1, 10, 1.0, null);
            UnsupportedOperationException e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                    () -> new Trainer<>(root, net.module(), new OneDeviceTask(new FinetuneTask(net)), o, List.of(Device.cpu(), Device.cpu())));
            assertTrue(e.getMessage().contains("OneDeviceTask"), e.getMessage());
        }
    }
}
