package lxmert.tasks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchReader;
import lxmert.data.QaDataset;
import lxmert.data.QaTask;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.train.ResumeFile;
import lxmert.train.StopSignal;
import lxmert.train.TrainTask;
import lxmert.train.Trainer;
import lxmert.train.TrainingListener;
import lxmert.train.TrainingLoop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The training loop on the small synthetic VQA world with the fine-tuning task: a run resumed at an epoch
 * boundary ends bit-exactly where an uninterrupted one ends (with gradient accumulation and dropout on), and the
 * running train accuracy the listeners see equals the accuracy recomputed from every prediction of the epoch.
 */
class TrainingLoopTest {
    @TempDir static Path tmp;
    static Path data;
    static QaDataset dataset;
    static QaData train;

    @BeforeAll
    static void world() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        data = SmallWorld.create(tmp.resolve("data"), 0.3);
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(data.resolve("synth-vocab.txt")), FinetuneOptions.SEQ_LEN);
        dataset = QaDataset.load(QaTask.VQA, lxmert.data.DataOptions.of(data), "train,nominival");
        train = new QaData(dataset, enc, FinetuneOptions.SEQ_LEN);
    }

    @AfterAll
    static void close() {
        dataset.close();
    }

    /** Runs the loop with the fine-tuning task; returns the result. {@code wrap} may replace the task. */
    static TrainingLoop.Result run(Path out, int epochs, int accumulate, boolean resume, StopSignal stop, List<TrainingListener> ls,
                                   java.util.function.Function<FinetuneTask, TrainTask<HostBatch, FinetuneTask.Batch>> wrap)
            throws Exception {
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = new TaskNet(Task.VQA, root, SmallWorld.config(), train.numAnswers(), 9595, false);
            int batch = 16;
            Trainer.Options to = new Trainer.Options(1e-3, 0.1, TrainingLoop.totalSteps(train.size(), batch, 2), 5.0, 9595L);
            FinetuneTask task = new FinetuneTask(net);
            try (Trainer<HostBatch, FinetuneTask.Batch> t = new Trainer<>(root, net.module(),
                    wrap == null ? task : wrap.apply(task), to)) {
                TrainingLoop.Options lo = new TrainingLoop.Options("vqa", 2, batch, accumulate, 9595, 1, out, true, resume,
                        Map.of("task", "vqa"), FinetuneTask.SCORE, 0);
                TrainingLoop.Hooks hooks = new TrainingLoop.Hooks() {
                    @Override public void saveModel(Path dir, String name) {
                        Snapshots.saveModel(Snapshots.modelFile(dir, name), net.module().namedParameters());
                    }
                };
                return new TrainingLoop<>(t, train.size(), idx -> train.fill(train.allocate(idx.length), idx), lo, hooks, ls, stop).run();
            }
        }
    }

    @Test
    void resumedAfterOneEpochEndsBitExactly() throws Exception {
        Path a = tmp.resolve("straight");
        Path b = tmp.resolve("resumed");
        List<TrainingListener.BatchEvent> ea = new ArrayList<>();
        List<TrainingListener.BatchEvent> eb = new ArrayList<>();
        TrainingLoop.Result ra = run(a, 2, 2, false, null, List.of(collect(ea)), null);
        assertFalse(ra.interrupted());
        assertEquals(2, ra.epochsDone());
        StopSignal stop = new StopSignal();
        TrainingListener stopper = new TrainingListener() {
            @Override public void onEpoch(EpochEvent e) {}
            @Override public void onBatch(BatchEvent e) { if (e.batchInEpoch() + 1 == e.batchesPerEpoch()) stop.request(); }
        };
        TrainingLoop.Result r1 = run(b, 2, 2, false, stop, List.of(collect(eb), stopper), null);
        assertTrue(r1.interrupted());
        assertEquals(1, r1.epochsDone());
        stop.reset();
        TrainingLoop.Result r2 = run(b, 2, 2, true, stop, List.of(collect(eb)), null);
        assertFalse(r2.interrupted());
        assertEquals(ra.steps(), r2.steps());
        // same losses step by step, same weights and optimiser moments at the end, bit for bit
        assertEquals(ea.size(), eb.size());
        for (int i = 0; i < ea.size(); i++) assertEquals(ea.get(i).loss(), eb.get(i).loss(), 0.0, "loss of step " + i);
        Map<String, Tensor> wa = TorchReader.read(a.resolve("LAST.pth"));
        Map<String, Tensor> wb = TorchReader.read(b.resolve("LAST.pth"));
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet()) assertArrayEquals(wa.get(k).toFloatArray(), wb.get(k).toFloatArray(), 0f, k);
        ResumeFile.Contents sa = ResumeFile.load(a.resolve("LAST.resume.pth"));
        ResumeFile.Contents sb = ResumeFile.load(b.resolve("LAST.resume.pth"));
        assertEquals(sa.optimizer().keySet(), sb.optimizer().keySet());
        for (String k : sa.optimizer().keySet()) assertArrayEquals(sa.optimizer().get(k), sb.optimizer().get(k), 0f, k);
        assertEquals(sa.state().get("step"), sb.state().get("step"));
        // and the weights moved (the comparison is not of two untouched models)
        assertNotEquals(0.0, maxDiffFromInit(wa));
    }

    @Test
    void resumeRefusesAnotherBatchSize() throws Exception {
        Path a = tmp.resolve("other");
        StopSignal stop = new StopSignal();
        stop.request();
        run(a, 2, 1, false, stop, List.of(), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
                TaskNet net = new TaskNet(Task.VQA, root, SmallWorld.config(), train.numAnswers(), 9595, false);
                try (Trainer<HostBatch, FinetuneTask.Batch> t = new Trainer<>(root, net.module(), new FinetuneTask(net),
                        new Trainer.Options(1e-3, 0.1, 100, 5.0, 1L))) {
                    new TrainingLoop<>(t, train.size(), idx -> train.fill(train.allocate(idx.length), idx),
                            new TrainingLoop.Options("vqa", 2, 8, 1, 9595, 1, a, true, true, Map.of(), null, 0), null, null, null).run();
                }
            }
        });
        assertTrue(e.getMessage().contains("batch_size=16") && e.getMessage().contains("batch_size=8"), e.getMessage());
    }

    @Test
    void stopAskedByAListenerSavesLastAfterThatStep() throws Exception {
        Path out = tmp.resolve("stopped");
        StopSignal stop = new StopSignal();
        TrainingListener stopper = new TrainingListener() {
            @Override public void onBatch(BatchEvent e) { if (e.batchInEpoch() == 2) stop.request(); }
        };
        TrainingLoop.Result r = run(out, 2, 1, false, stop, List.of(stopper), null);
        assertTrue(r.interrupted());
        assertEquals(3, r.steps());
        com.fasterxml.jackson.databind.JsonNode st = ResumeFile.load(out.resolve("LAST.resume.pth")).state();
        assertEquals(0, st.get("epoch").asInt());
        assertEquals(3, st.get("batch").asInt());
        assertEquals(3, st.get("step").asInt());
        assertEquals(3, st.get("epoch_sums").get("batches").asInt(), "the epoch's running sums travel with LAST");
        assertTrue(java.nio.file.Files.isRegularFile(out.resolve("LAST.pth")));
    }

    @Test
    void runningTrainAccuracyEqualsTheRecomputedOne() throws Exception {
        Map<Integer, Integer> pred = new LinkedHashMap<>();
        List<double[]> seen = new ArrayList<>();
        int[] epoch = {0};
        TrainingListener check = new TrainingListener() {
            @Override public void onBatch(BatchEvent e) {
                if (e.epoch() != epoch[0]) return;
                double s = 0;
                for (Map.Entry<Integer, Integer> x : pred.entrySet()) s += train.score(x.getKey(), x.getValue());
                seen.add(new double[] {e.trainAccuracySoFar(), s / pred.size()});
                if (e.batchInEpoch() + 1 == e.batchesPerEpoch()) {
                    pred.clear();
                    epoch[0]++;
                }
            }
        };
        // the test's task reads every prediction to the host (the trainer's own task does not)
        run(tmp.resolve("acc"), 2, 1, false, null, List.of(check), task -> new TrainTask<>() {
            @Override public FinetuneTask.Batch toDevice(NDManager m, HostBatch b) {
                FinetuneTask.Batch d = task.toDevice(m, b);
                current = b;
                return d;
            }
            HostBatch current;
            @Override public Output forward(FinetuneTask.Batch b) {
                NDArray logits = task.net().forward(b.inputs(), null);
                long[] am = logits.argMax(1).toLongArray();
                for (int r = 0; r < current.examples; r++) pred.put(current.indices[r], (int) am[r]);
                return task.outputs(logits, b); // the score the trainer sums on the device, from the same logits
            }
            @Override public int examples(HostBatch b) { return b.examples; }
            @Override public Map<String, Long> counts(HostBatch b) { return task.counts(b); }
        });
        assertEquals(2 * (train.size() / 16), seen.size());
        for (double[] s : seen) assertEquals(s[1], s[0], 1e-6);
        assertTrue(seen.stream().anyMatch(s -> s[1] > 0), "some predictions score");
    }

    private static double maxDiffFromInit(Map<String, Tensor> w) {
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            TaskNet net = new TaskNet(Task.VQA, root, SmallWorld.config(), train.numAnswers(), 9595, false);
            double worst = 0;
            for (Map.Entry<String, NDArray> e : net.module().namedParameters().entrySet()) {
                String k = lxmert.checkpoint.KeyMaps.fromCanonical(Map.of(e.getKey(), lxmert.checkpoint.ModelWeights.lazy(e.getKey(), e.getValue())),
                        lxmert.checkpoint.KeyMaps.Layout.ORIGINAL_TASK).keySet().iterator().next();
                float[] x = e.getValue().toFloatArray();
                float[] y = w.get(k).toFloatArray();
                for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
            return worst;
        }
    }

    private static TrainingListener collect(List<TrainingListener.BatchEvent> into) {
        return new TrainingListener() {
            @Override public void onBatch(BatchEvent e) { into.add(e); }
        };
    }
}
