package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.StateDict;
import lxmert.checkpoint.TorchReader;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class FinetunerTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll
    static void world() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        data = SmallWorld.create(tmp.resolve("data"), 0.3);
    }

    @ParameterizedTest
    @EnumSource(Task.class)
    void endToEndFinetuneWritesOriginalFiles(Task task) throws Exception {
        Path out = tmp.resolve("run-" + task.id);
        List<TrainingListener.BatchEvent> batches = new ArrayList<>();
        List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override public void onBatch(BatchEvent e) { batches.add(e); }
            @Override public void onEpoch(EpochEvent e) { epochs.add(e); }
        };
        FinetuneOptions o = SmallWorld.options(task, data, out).withBatchSize(task == Task.NLVR2 ? 2 : 8);
        Finetuner.Result r;
        try (Finetuner f = new Finetuner(o, List.of(l), null)) {
            r = f.train();
            assertEquals(f.trainData().size() / o.batchSize() * 2, batches.size(), "drop_last batches x epochs");
        }
        assertEquals(2, epochs.size());
        assertEquals(2, r.epochs());
        assertTrue(r.bestValid() >= 0 && r.bestValid() <= 1, "best valid " + r.bestValid());
        assertTrue(batches.stream().allMatch(b -> Double.isFinite(b.loss())));
        assertEquals(0.0, batches.get(0).lr(), "BertAdam's first step uses lr 0");
        // log.log in the original's format
        String log = Files.readString(out.resolve("log.log"));
        Pattern p = Pattern.compile("\nEpoch 0: Train \\d+\\.\\d\\d\nEpoch 0: Valid \\d+\\.\\d\\d\nEpoch 0: Best \\d+\\.\\d\\d\n"
                + "\nEpoch 1: Train \\d+\\.\\d\\d\nEpoch 1: Valid \\d+\\.\\d\\d\nEpoch 1: Best \\d+\\.\\d\\d\n");
        assertTrue(p.matcher(log).matches(), log);
        // snapshots in the original task layout
        for (String name : new String[] {"BEST", "LAST"}) {
            StateDict sd = TorchReader.read(out.resolve(name + ".pth"));
            assertEquals(KeyMaps.Layout.ORIGINAL_TASK, KeyMaps.detect(sd.keySet()));
            assertTrue(sd.containsKey("lxrt_encoder.model.bert.embeddings.word_embeddings.weight"));
            assertTrue(sd.containsKey("logit_fc.3.weight"));
            assertTrue(sd.keySet().stream().allMatch(k -> k.startsWith("lxrt_encoder.model.bert.") || k.startsWith("logit_fc.")), sd.keySet().toString());
        }
        // the test path reloads BEST and reproduces the best validation accuracy
        try (Tester t = new Tester(task, out.resolve("BEST"), null, task.recipe().numAnswers(data), o.vocab(), "cpu")) {
            Tester.Result tr = t.test(o.data(), o.validSplit(), out, 64);
            assertEquals(r.bestValid(), tr.accuracy(), 1e-9);
            assertTrue(Files.exists(tr.file()));
        }
    }

    @Test
    void resumedRunEndsWithTheSameWeights() throws Exception {
        Path a = tmp.resolve("straight");
        Path b = tmp.resolve("resumed");
        FinetuneOptions oa = SmallWorld.options(Task.VQA, data, a);
        try (Finetuner f = new Finetuner(oa, List.of(), null)) {
            f.train();
        }
        // interrupt in the middle of the first epoch, then again after the first epoch
        StopSignal stop = new StopSignal();
        TrainingListener stopper = new TrainingListener() {
            @Override public void onBatch(BatchEvent e) { if (e.epoch() == 0 && e.batchInEpoch() == 2) stop.request(); }
        };
        FinetuneOptions ob = SmallWorld.options(Task.VQA, data, b);
        try (Finetuner f = new Finetuner(ob, List.of(stopper), stop)) {
            assertTrue(f.train().interrupted());
        }
        stop.reset();
        try (Finetuner f = new Finetuner(ob.withResume(true), List.of(), stop)) {
            Finetuner.Result r = f.train();
            assertFalse(r.interrupted());
            assertEquals(2, r.epochs());
        }
        Map<String, lxmert.checkpoint.Tensor> wa = TorchReader.read(a.resolve("LAST.pth"));
        Map<String, lxmert.checkpoint.Tensor> wb = TorchReader.read(b.resolve("LAST.pth"));
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet()) {
            assertArrayEquals(wa.get(k).toFloatArray(), wb.get(k).toFloatArray(), 0f, k);
        }
        assertEquals(Files.readString(a.resolve("log.log")).replaceAll("Train \\S+", "Train"),
                Files.readString(b.resolve("log.log")).replaceAll("Train \\S+", "Train"));
    }

    /** A resume file whose task state has the layout the hand-built JSON of earlier versions wrote is still read. */
    @Test
    void resumeStateOfTheEarlierLayoutIsRead() throws Exception {
        FinetuneOptions oa = SmallWorld.options(Task.VQA, data, tmp.resolve("straight-for-old"));
        Finetuner.Result straight;
        try (Finetuner f = new Finetuner(oa, List.of(), null)) {
            straight = f.train();
        }
        StopSignal stop = new StopSignal();
        TrainingListener afterFirst = new TrainingListener() {
            @Override public void onEpoch(EpochEvent e) { if (e.epoch() == 0) stop.request(); }
        };
        FinetuneOptions ob = SmallWorld.options(Task.VQA, data, tmp.resolve("old-state"));
        try (Finetuner f = new Finetuner(ob, List.of(afterFirst), stop)) {
            assertTrue(f.train().interrupted());
        }
        // rewrite the task state as the earlier code wrote it (best_valid, history entries, valid split, config,
        // label2ans), with a best above any accuracy: read, it keeps BEST from improving
        Path rf = ob.output().resolve("LAST.resume.pth");
        Map<String, lxmert.checkpoint.Tensor> sd = new java.util.LinkedHashMap<>(TorchReader.read(rf));
        java.nio.ByteBuffer bb = sd.get(lxmert.train.ResumeFile.STATE_KEY).data();
        byte[] bytes = new byte[bb.remaining()];
        bb.get(bytes);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var st = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(bytes);
        var now = st.get("task_state");
        assertTrue(now.has("best") && !now.has("best_valid"), now.toString());
        var old = json.createObjectNode();
        old.put("best_valid", 2.0);
        old.set("history", now.get("history"));
        old.put("valid", ob.validSplit());
        old.set("config", json.readTree(ob.config().toJson()));
        old.putArray("label2ans").add("yes");
        st.set("task_state", old);
        byte[] w = json.writeValueAsBytes(st);
        sd.put(lxmert.train.ResumeFile.STATE_KEY, lxmert.checkpoint.Tensor.of(lxmert.train.ResumeFile.STATE_KEY,
                lxmert.checkpoint.DType.U8, new long[] {w.length}, java.nio.ByteBuffer.wrap(w)));
        lxmert.checkpoint.TorchWriter.writeZip(rf, sd);
        stop.reset();
        Finetuner.Result r;
        try (Finetuner f = new Finetuner(ob.withResume(true), List.of(), stop)) {
            r = f.train();
        }
        assertEquals(2.0, r.bestValid(), "best_valid of the earlier layout");
        assertEquals(2, r.history().size());
        Finetuner.EpochRecord a0 = straight.history().get(0), b0 = r.history().get(0);
        assertEquals(List.of(a0.epoch(), a0.trainAccuracy(), a0.validAccuracy(), a0.bestValid(), a0.meanLoss()),
                List.of(b0.epoch(), b0.trainAccuracy(), b0.validAccuracy(), b0.bestValid(), b0.meanLoss()),
                "epoch 0 read back from the history entry");
        assertTrue(b0.seconds() > 0, "seconds read back");
        Finetuner.EpochRecord a1 = straight.history().get(1), b1 = r.history().get(1);
        assertEquals(List.of(a1.trainAccuracy(), a1.validAccuracy(), a1.meanLoss()), List.of(b1.trainAccuracy(), b1.validAccuracy(), b1.meanLoss()));
        Map<String, lxmert.checkpoint.Tensor> wa = TorchReader.read(oa.output().resolve("LAST.pth"));
        Map<String, lxmert.checkpoint.Tensor> wb = TorchReader.read(ob.output().resolve("LAST.pth"));
        for (String k : wa.keySet()) assertArrayEquals(wa.get(k).toFloatArray(), wb.get(k).toFloatArray(), 0f, k);
    }

    @Test
    void divergingLossStopsWithStepAndSnapshotNamed() throws Exception {
        FinetuneOptions o = SmallWorld.options(Task.VQA, data, tmp.resolve("nan")).withLr(1e30).withEpochs(3);
        try (Finetuner f = new Finetuner(o, List.of(), null)) {
            lxmert.train.NonFiniteLossException e = assertThrows(lxmert.train.NonFiniteLossException.class, f::train);
            assertTrue(e.getMessage().matches("(?s)loss is (NaN|Infinity|-Infinity) at step \\d+ .*snapshot is .*"), e.getMessage());
        }
    }

    @Test
    void badArgumentsAreNamed() throws Exception {
        FinetuneOptions o = SmallWorld.options(Task.VQA, data, tmp.resolve("bad"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Finetuner(o.withVocab(tmp.resolve("nope.txt")), List.of(), null));
        assertTrue(e.getMessage().contains("nope.txt"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Finetuner(o.withEpochs(0), List.of(), null));
        assertTrue(e.getMessage().contains("--epochs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Finetuner(o.withConfig(o.config().toBuilder().visualFeatDim(99).build()), List.of(), null));
        assertTrue(e.getMessage().contains("visual_feat_dim"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Finetuner(o.withResume(true), List.of(), null).train());
        assertTrue(e.getMessage().contains("LAST.resume.pth"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Task.parse("vqa2"));
    }
}
