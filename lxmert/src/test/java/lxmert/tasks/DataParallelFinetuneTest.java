package lxmert.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchReader;
import lxmert.config.LxmertConfig;
import lxmert.data.QaDataset;
import lxmert.data.QaTask;
import lxmert.text.BertTokenizer;
import lxmert.text.SentenceEncoder;
import lxmert.train.TrainTask;
import lxmert.train.Trainer;
import lxmert.train.TrainingListener;
import lxmert.train.TrainingLoop;

/**
 * Data parallel fine-tuning on the small synthetic world, through {@link Finetuner} and {@link FinetuneTask}:
 * {@code cpu,cpu} ends with the same weights, losses and accuracies as {@code cpu} (dropout off), for VQA and for
 * NLVR2 (two rows per example, split by example); and the training loop reads the device exactly once per log
 * interval (plus once at the epoch end), never inside a step. {@code --accumulate N} gives the update of one batch.
 */
class DataParallelFinetuneTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll
    static void world() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        data = SmallWorld.create(tmp.resolve("data"), 0.3);
    }

    /** The small world's config without dropout (data parallel shards draw other dropout masks than one device). */
    static LxmertConfig noDropout() {
        return SmallWorld.config().toBuilder().hiddenDropoutProb(0.0).attentionProbsDropoutProb(0.0).build();
    }

    record Run(List<Double> losses, List<Double> norms, Finetuner.Result result, Map<String, Tensor> last) {}

    /** One epoch (the schedule still warms up and decays: t_total is that epoch's steps). */
    static Run finetune(Task task, String device, int batch) throws Exception {
        return finetune(task, device, batch, 1);
    }

    /** The same with {@code --accumulate accumulate} micro-batches per update. */
    static Run finetune(Task task, String device, int batch, int accumulate) throws Exception {
        Path out = tmp.resolve(task.id + "-" + device + "-" + batch + "x" + accumulate);
        List<Double> losses = new ArrayList<>(), norms = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override public void onBatch(BatchEvent e) {
                losses.add(e.loss());
                norms.add(e.gradNorm());
            }
        };
        FinetuneOptions o = SmallWorld.options(task, data, out).withConfig(noDropout()).withBatchSize(batch).withEpochs(1)
                .withDevice(device).withAccumulate(accumulate);
        try (Finetuner f = new Finetuner(o, List.of(l), null)) {
            Finetuner.Result r = f.train();
            return new Run(losses, norms, r, TorchReader.read(out.resolve("LAST.pth")));
        }
    }

    static void assertSameRun(Run one, Run two, String what) {
        assertEquals(one.losses().size(), two.losses().size());
        assertTrue(one.losses().size() >= 3, "at least three steps: " + one.losses().size());
        for (int i = 0; i < one.losses().size(); i++) {
            assertEquals(one.losses().get(i), two.losses().get(i), 1e-5 * Math.max(1, one.losses().get(i)), what + ": loss of step " + i);
            assertEquals(one.norms().get(i), two.norms().get(i), 1e-4 * Math.max(1, one.norms().get(i)), what + ": grad norm of step " + i);
        }
        assertEquals(one.result().bestValid(), two.result().bestValid(), 1e-6, what + ": best valid accuracy");
        for (int e = 0; e < one.result().history().size(); e++) {
            assertEquals(one.result().history().get(e).trainAccuracy(), two.result().history().get(e).trainAccuracy(), 1e-6,
                    what + ": train accuracy of epoch " + e);
        }
        double worst = 0, moved = 0;
        for (String k : one.last().keySet()) {
            float[] a = one.last().get(k).toFloatArray(), b = two.last().get(k).toFloatArray();
            for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        assertTrue(worst < 1e-4, what + ": LAST weights differ by " + worst);
        assertTrue(one.norms().stream().allMatch(n -> Double.isFinite(n) && n > 0), "norms " + one.norms());
    }

    @Test
    void vqaOnCpuCpuEqualsCpu() throws Exception {
        // batch 7: shards of 4 and 3 examples
        assertSameRun(finetune(Task.VQA, "cpu", 7), finetune(Task.VQA, "cpu,cpu", 7), "vqa cpu,cpu vs cpu");
    }

    @Test
    void nlvr2OnCpuCpuEqualsCpu() throws Exception {
        // batch 3: shards of 2 and 1 examples (4 and 2 rows: two images per example)
        assertSameRun(finetune(Task.NLVR2, "cpu", 3), finetune(Task.NLVR2, "cpu,cpu", 3), "nlvr2 cpu,cpu vs cpu");
    }

    /** {@code finetune --accumulate}: 4 micro-batches of 2 make the update of one batch of 8 (VQA's BCE x answers). */
    @Test
    void vqaAccumulateFourOfTwoEqualsOneBatchOfEight() throws Exception {
        assertSameRun(finetune(Task.VQA, "cpu", 8), finetune(Task.VQA, "cpu", 8, 4), "vqa --accumulate 4 vs batch 8");
    }

    /** NLVR2 (cross-entropy over pairs, two rows per example): 2 micro-batches of 2 == one batch of 4. */
    @Test
    void nlvr2AccumulateTwoEqualsOneBatch() throws Exception {
        assertSameRun(finetune(Task.NLVR2, "cpu", 4), finetune(Task.NLVR2, "cpu", 4, 2), "nlvr2 --accumulate 2 vs batch 4");
    }

    /**
     * Device-to-host reads counted by the trainer's {@link lxmert.util.HostReads}, recorded at every step's start:
     * none within a step, one at every log interval's last step (loss, running sums and gradient norm in one read),
     * one at the epoch end; with two replicas as with one.
     */
    @Test
    void oneReadPerLogIntervalNoneInsideSteps() throws Exception {
        SentenceEncoder enc = new SentenceEncoder(BertTokenizer.fromVocabFile(data.resolve("synth-vocab.txt")), FinetuneOptions.SEQ_LEN);
        try (QaDataset ds = QaDataset.load(QaTask.VQA, lxmert.data.DataOptions.of(data), "train,nominival")) {
            QaData train = new QaData(ds, enc, FinetuneOptions.SEQ_LEN);
            for (int replicas : new int[]{1, 2}) {
                try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
                    TaskNet net = new TaskNet(Task.VQA, root, SmallWorld.config(), train.numAnswers(), 9595, false);
                    int batch = 8, interval = 3;
                    List<Long> atStepStart = new ArrayList<>();
                    Trainer<HostBatch, FinetuneTask.Batch>[] holder = new Trainer[1];
                    FinetuneTask task = new FinetuneTask(net);
                    TrainTask<HostBatch, FinetuneTask.Batch> counting = new TrainTask<>() {
                        @Override public FinetuneTask.Batch toDevice(NDManager m, HostBatch b) {
                            return toDevice(m, b, 0, b.examples);
                        }
                        @Override public FinetuneTask.Batch toDevice(NDManager m, HostBatch b, int from, int to) {
                            if (from == 0) atStepStart.add(holder[0].hostReads().count()); // the master's shard: a step starts
                            return task.toDevice(m, b, from, to);
                        }
                        @Override public Output forward(FinetuneTask.Batch b) {
                            return task.forward(b);
                        }
                        @Override public int examples(HostBatch b) {
                            return b.examples;
                        }
                        @Override public Map<String, Long> counts(HostBatch b) {
                            return task.counts(b);
                        }
                        @Override public Replica<HostBatch, FinetuneTask.Batch> replicate(NDManager r) {
                            return task.replicate(r);
                        }
                    };
                    int steps = train.size() / batch;
                    assertTrue(steps >= 2 * interval + 1, "steps per epoch " + steps);
                    Trainer.Options to = new Trainer.Options(1e-3, 0.1, steps, 5.0, 9595L);
                    try (Trainer<HostBatch, FinetuneTask.Batch> t = new Trainer<>(root, net.module(),
                            counting, to, java.util.Collections.nCopies(replicas, Device.cpu()))) {
                        holder[0] = t;
                        List<Long> atEpochEnd = new ArrayList<>();
                        TrainingLoop.Hooks hooks = new TrainingLoop.Hooks() {
                            @Override public TrainingListener.EpochEvent onEpochEnd(TrainingLoop.EpochEnd e) {
                                atEpochEnd.add(t.hostReads().count()); // after the loop's epoch-end read
                                return null;
                            }
                        };
                        TrainingLoop.Options lo = new TrainingLoop.Options("vqa", 1, batch, 1, 9595, interval, null, false, false,
                                Map.of(), FinetuneTask.SCORE, 0);
                        new TrainingLoop<>(t, train.size(), idx -> train.fill(train.allocate(idx.length), idx), lo, hooks, null, null).run();
                        assertEquals(steps, atStepStart.size());
                        atStepStart.add(atEpochEnd.get(0) - 1); // the reads up to the end of the last step
                        for (int s = 0; s < steps; s++) {
                            long reads = atStepStart.get(s + 1) - atStepStart.get(s);
                            boolean logs = (s + 1) % interval == 0 || s + 1 == steps;
                            assertEquals(logs ? 1 : 0, reads, replicas + " replica(s): reads in and after step " + s + " of " + steps);
                        }
                        assertEquals(1, atEpochEnd.get(0) - atStepStart.get(steps), "one read of the epoch's sums");
                        long expected = (steps + interval - 1) / interval + 1; // log intervals + the epoch end
                        assertEquals(expected, t.hostReads().count(), "all reads of the epoch");
                    }
                }
            }
        }
    }
}
