package lxmert.tasks;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.data.synth.SynthWorld;

import java.io.IOException;
import java.nio.file.Path;

/** A small synthetic world and a matching tiny config for fast end-to-end tests. */
final class SmallWorld {
    static final int FEAT_DIM = 32;

    private SmallWorld() {}

    static Path create(Path dir, double scale) throws IOException {
        new SynthWorld(new SynthWorld.Config(7, scale, FEAT_DIM)).write(dir);
        return dir;
    }

    static LxmertConfig config() {
        return new LxmertConfig(400, 32, 2, 64, "gelu", 0.1, 0.1, 64, 2, 0.02, 1e-12, 1, 1, 1, FEAT_DIM, 4, 16, 8, 16, 1 / 0.15);
    }

    static FinetuneOptions options(Task task, Path data, Path out) {
        return FinetuneOptions.defaults(task, data, out).withConfig(config()).withData(DataOptions.of(data))
                .withVocab(data.resolve("synth-vocab.txt")).withEpochs(2).withBatchSize(8).withLr(1e-3).withEvalBatchSize(64);
    }
}
