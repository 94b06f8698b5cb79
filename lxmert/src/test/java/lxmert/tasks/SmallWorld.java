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
        return LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2).intermediateSize(64)
                .maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(FEAT_DIM).numObjectLabels(16)
                .numAttrLabels(8).numQaLabels(16).build();
    }

    static FinetuneOptions options(Task task, Path data, Path out) {
        return FinetuneOptions.defaults(task, data, out).withConfig(config()).withData(DataOptions.of(data))
                .withVocab(data.resolve("synth-vocab.txt")).withEpochs(2).withBatchSize(8).withLr(1e-3).withEvalBatchSize(64);
    }
}
