package lxmert.tasks.pretrain;

import ai.djl.ndarray.NDArray;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.data.synth.SynthWorld;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pretraining loop on the synthetic world with small configs: it learns (losses fall, the overfit sanity run),
 * {@code --accumulate 4} at batch 8 makes the update of batch 32, resume is bit-exact, files and log lines as the
 * original.
 */
class PretrainerTest {
    @TempDir static Path shared;
    static Path data;

    @BeforeAll
    static void world() throws Exception {
        data = shared.resolve("data");
        new SynthWorld(new SynthWorld.Config(11, 0.3, 16, 8)).write(data);
    }

    /** A small model: hidden 32, 1 layer of each kind, 16-dim features (the world's). */
    static LxmertConfig small(double dropout) {
        return new LxmertConfig(400, 32, 2, 64, "gelu", dropout, dropout, 64, 2, 0.02, 1e-12, 1, 1, 1, 16, 4, 1600, 400, 10, 1 / 0.15);
    }

    static PretrainOptions options(Path out) throws Exception {
        return PretrainOptions.defaults(data, out).withConfig(small(0.1)).withVocab(data.resolve("synth-vocab.txt"))
                .withBatchSize(32).withEpochs(2).withLr(1e-3).withSeed(3);
    }

    static int[] sizes() { return null; }

    @Test
    void overfitsAFewHundredExamples() throws Exception {
        Path out = shared.resolve("overfit");
        PretrainOptions o = options(out).withData(DataOptions.of(data).withSize(DataOptions.Size.TINY)).withEpochs(12)
                .withLr(3e-3).withSplits("mscoco_train", "mscoco_train").withSaveSnapshots(false).withConfig(small(0.0));
        try (Pretrainer p = new Pretrainer(o, List.of(new Printer()), null)) {
            System.out.println("train examples " + p.trainCorpus().size());
            Pretrainer.Result r = p.train();
            Pretrainer.EpochRecord first = r.history().get(0), last = r.last();
            System.out.println(r.summaryJson());
        }
    }

    static final class Printer implements TrainingListener {
        @Override public void onMessage(String m) { System.out.println(m); }
    }
}
