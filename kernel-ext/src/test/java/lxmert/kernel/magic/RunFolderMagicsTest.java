package lxmert.kernel.magic;

import lxmert.config.LxmertConfig;
import lxmert.data.synth.SynthWorld;
import lxmert.kernel.RecordingSession;
import lxmert.kernel.lib.Evaluation;
import lxmert.kernel.lib.LoadedModel;
import lxmert.kernel.lib.Predictions;
import lxmert.tasks.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The magics and notebook objects use a run folder alone: {@code %lxmert test/load/evaluate}, {@code LoadedModel.open(RUN/BEST)}. */
class RunFolderMagicsTest {
    @TempDir Path tmp;

    private String captured(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void magicsNeedOnlyTheRunFolder() throws Exception {
        Path world = tmp.resolve("data");
        new SynthWorld(new SynthWorld.Config(5, 0.3, 8)).write(world);
        Path cfg = tmp.resolve("cfg.json");
        LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2).intermediateSize(64)
                .maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(8).numObjectLabels(16)
                .numAttrLabels(8).numQaLabels(16).build().save(cfg);
        Path run = tmp.resolve("run");
        LxmertMagics m = new LxmertMagics(new RecordingSession());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            m.run(List.of("finetune", "--task", "vqa", "--data", world.toString(), "--output", run.toString(), "--config",
                    cfg.toString(), "--vocab", world.resolve("synth-vocab.txt").toString(), "--epochs", "1", "--batch-size", "8",
                    "--lr", "1e-3", "--eval-batch-size", "64", "--no-progress"), System.out);
            assertTrue(Files.isRegularFile(run.resolve("run.json")));
            for (String split : List.of("train", "nominival", "minival")) {
                assertTrue(captured(printed).contains("vqa " + split + ": "), "summary line of each split: " + captured(printed));
            }
            int before = captured(printed).length();
            Files.move(world.resolve("synth-vocab.txt"), tmp.resolve("moved-vocab.txt"));

            Path out = tmp.resolve("pred");
            Object p = m.run(List.of("test", "--load", run.resolve("BEST").toString(), "--test", "minival", "--output",
                    out.toString()), System.out);
            Predictions preds = assertInstanceOf(Predictions.class, p);
            assertEquals(Task.VQA, preds.task());
            assertTrue(preds.n() > 0 && Files.isRegularFile(out.resolve("minival_predict.json")));
            assertTrue(captured(printed).substring(before).contains("vqa minival: "), "test prints the summary: " + captured(printed));

            Object l = m.run(List.of("load", run.resolve("BEST").toString()), System.out);
            try (LoadedModel lm = assertInstanceOf(LoadedModel.class, l)) {
                assertEquals(Task.VQA, lm.task());
                assertEquals(preds.accuracy(), lm.test("minival", null).accuracy(), 1e-12);
            }
            try (LoadedModel lm = LoadedModel.open(run.resolve("BEST"))) {
                assertEquals(preds.accuracy(), lm.test("minival", null).accuracy(), 1e-12, "plain Java, folder only");
                assertEquals(8, lm.net().bert().config().visual_feat_dim(), "config from the folder");
                var att = lm.attention("minival", 0, 0);
                assertEquals(List.of(preds.rows().get(0).id(), preds.rows().get(0).sent()), List.of(att.exampleId(), att.sentence()),
                        "the attention map's example is the split's first");
            }

            Object e = m.run(List.of("evaluate", "--run", run.toString(), "--split", "minival", "--predictions",
                    out.resolve("minival_predict.json").toString()), System.out);
            assertEquals(preds.accuracy(), assertInstanceOf(Evaluation.class, e).accuracy(), 1e-9);

            // the snapshot as a HuggingFace LxmertForQuestionAnswering folder: %lxmert load and LoadedModel.open take it,
            // its config from the folder's config.json
            Path hf = tmp.resolve("hf-qa");
            var canonical = lxmert.checkpoint.Checkpoints.readCanonical(run.resolve("BEST.pth"), s -> {});
            lxmert.checkpoint.HfFolder.write(hf, canonical, lxmert.checkpoint.HfFolder.fit(canonical, LxmertConfig.load(cfg),
                    new java.util.ArrayList<>()), true);
            Object h = m.run(List.of("load", hf.toString(), "--task", "vqa", "--data", world.toString(), "--vocab",
                    tmp.resolve("moved-vocab.txt").toString()), System.out);
            try (LoadedModel lm = assertInstanceOf(LoadedModel.class, h)) {
                assertEquals(preds.accuracy(), lm.test("minival", null).accuracy(), 1e-12, "%lxmert load HF folder");
            }
            try (LoadedModel lm = LoadedModel.open(Task.VQA, hf, null, world, tmp.resolve("moved-vocab.txt"), "cpu")) {
                assertEquals(preds.accuracy(), lm.test("minival", null).accuracy(), 1e-12, "LoadedModel.open HF folder");
                assertEquals(8, lm.net().bert().config().visual_feat_dim(), "config from the HF folder's config.json");
            }

            assertFalse(captured(printed).contains("warning"), captured(printed));
            m.run(List.of("load", run.resolve("BEST").toString(), "--task", "vqa", "--vocab", tmp.resolve("moved-vocab.txt").toString(),
                    "--data", tmp.toString()), System.out);
            assertFalse(captured(printed).contains("warning: --vocab"), "same vocabulary content: " + captured(printed));
            assertTrue(captured(printed).contains("warning: --data " + tmp + " differs from"), captured(printed));
        } finally {
            System.setOut(old);
        }
    }
}
