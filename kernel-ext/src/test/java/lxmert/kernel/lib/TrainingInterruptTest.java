package lxmert.kernel.lib;

import lxmert.config.LxmertConfig;
import lxmert.data.synth.SynthWorld;
import lxmert.kernel.Interrupts;
import lxmert.kernel.progress.TrainingProgress;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kernel interrupt during {@link Training#finetune}: the interrupt flag is set and the waiting cell thread is
 * interrupted (what the kernel does); training stops after that batch, saves LAST and returns the run so far.
 */
class TrainingInterruptTest {
    @Test
    void interruptStopsAfterTheBatchSavesLastAndReturns(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new SynthWorld(new SynthWorld.Config(7, 0.3, 16)).write(data);
        Path vocab = data.resolve("synth-vocab.txt");
        LxmertConfig cfg = LxmertConfig.tiny().toBuilder().visualFeatDim(16)
                .vocabSize(lxmert.text.Vocab.load(vocab).size()).build();
        FinetuneOptions opts = FinetuneOptions.defaults(Task.VQA, data, tmp.resolve("out")).withConfig(cfg)
                .withEpochs(2).withBatchSize(8).withVocab(vocab);
        Interrupts interrupts = new Interrupts();
        Thread cell = Thread.currentThread();
        List<Integer> steps = new ArrayList<>();
        int[] finished = new int[1];
        int[] total = new int[1];
        TrainingProgress progress = new TrainingProgress() {
            @Override
            public void onBatch(int epoch, int step, int totalSteps, double loss, double examplesPerSec) {
                steps.add(step);
                total[0] = totalSteps;
                if (steps.size() == 2) {
                    interrupts.request();
                    cell.interrupt();
                }
            }

            @Override
            public void onEpoch(int epoch, double trainAcc, double validAcc) {
            }

            @Override
            public void finish() {
                finished[0]++;
            }
        };
        TrainingRun run = Training.finetune(opts, progress, interrupts, null);
        Thread.interrupted();
        assertTrue(total[0] > 2, "needs more than 2 batches per epoch, has " + total[0]);
        assertTrue(run.interrupted(), "the run reports the interrupt");
        assertEquals(List.of(1, 2), steps, "stopped right after the batch during which the interrupt came");
        assertEquals(1, finished[0], "progress finished once");
        assertTrue(Files.isRegularFile(run.last()), "LAST saved: " + run.last());
        assertEquals(0, run.history().size(), "no epoch finished");
    }
}
