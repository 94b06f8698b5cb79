package lxmert.tasks.pretrain;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;

import java.nio.file.Path;

/**
 * The settings of a pretraining run ({@code pretrain} on the command line, {@code %lxmert pretrain}), with the
 * original's defaults (run/lxmert_pretrain.bash, lxmert_pretrain.py): train {@code mscoco_train,mscoco_nominival,vgnococo},
 * valid {@code mscoco_minival}, batch 256, lr 1e-4, 20 epochs, all four tasks, visual losses obj,attr,feat, mask
 * rates 0.15, sequence length 20, warm-up 0.05, clip 1.0.
 *
 * @param accumulate  micro-batches per update ({@code --accumulate N}: batchSize / N examples each, the same update
 *                    as one batch of batchSize)
 * @param qaSets      the {@code --qa-sets} filter (null or blank: every answer of all_ans.json)
 * @param weights     the initial weights; {@code weightsPath} the --load-lxmert prefix or the --bert file
 * @param saveSnapshots write EpochNN, BEST_EVAL_LOSS and LAST (tests may turn it off)
 */
public record PretrainOptions(DataOptions data, Path output, String train, String valid, LxmertConfig config, Path vocab,
                              int epochs, int batchSize, int accumulate, double lr, long seed, Weights weights,
                              Path weightsPath, PretrainTasks tasks, String qaSets, String device, boolean resume,
                              boolean saveSnapshots, int seqLen) {
    public static final String DEFAULT_TRAIN = "mscoco_train,mscoco_nominival,vgnococo";
    public static final String DEFAULT_VALID = "mscoco_minival";
    public static final double WARMUP = 0.05;
    public static final double CLIP = 1.0;

    /**
     * FROM_SCRATCH: the seeded initialisation; LXMERT: {@code --load-lxmert}; BERT: {@code --bert}; BERT_FROM_SCRATCH:
     * {@code --bert} with {@code --from-scratch}, as the original (which always loads BERT, then re-initialises every
     * Linear, Embedding and LayerNorm): the seeded initialisation except the MLM output bias
     * {@code cls.predictions.bias}, a bare parameter the re-initialisation does not touch, which keeps BERT's values.
     */
    public enum Weights { FROM_SCRATCH, LXMERT, BERT, BERT_FROM_SCRATCH }

    public PretrainOptions {
        if (weights != Weights.FROM_SCRATCH && weightsPath == null) throw new IllegalArgumentException(weights + " needs a path");
        if (seqLen < 3) throw new IllegalArgumentException("sequence length must be >= 3, got " + seqLen);
    }

    /** The original's defaults on {@code data}, writing to {@code output}, lxr955, all tasks, from scratch. */
    public static PretrainOptions defaults(Path data, Path output) {
        return new PretrainOptions(DataOptions.of(data), output, DEFAULT_TRAIN, DEFAULT_VALID, LxmertConfig.lxr955(),
                data.resolve("bert-base-uncased-vocab.txt"), 20, 256, 1, 1e-4, 9595, Weights.FROM_SCRATCH, null,
                PretrainTasks.all(), null, "cpu", false, true, 20);
    }

    public PretrainOptions withData(DataOptions d) { return new PretrainOptions(d, output, train, valid, config, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withOutput(Path o) { return new PretrainOptions(data, o, train, valid, config, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withSplits(String t, String v) { return new PretrainOptions(data, output, t, v, config, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withConfig(LxmertConfig c) { return new PretrainOptions(data, output, train, valid, c, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withVocab(Path v) { return new PretrainOptions(data, output, train, valid, config, v, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withEpochs(int e) { return new PretrainOptions(data, output, train, valid, config, vocab, e, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withBatchSize(int b) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, b, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withAccumulate(int a) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, a, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withLr(double l) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, accumulate, l, seed, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withSeed(long s) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, accumulate, lr, s, weights, weightsPath, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withWeights(Weights w, Path p) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, accumulate, lr, seed, w, p, tasks, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withTasks(PretrainTasks t) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, t, qaSets, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withQaSets(String q) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, q, device, resume, saveSnapshots, seqLen); }
    public PretrainOptions withDevice(String d) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, d, resume, saveSnapshots, seqLen); }
    public PretrainOptions withResume(boolean r) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, r, saveSnapshots, seqLen); }
    public PretrainOptions withSaveSnapshots(boolean s) { return new PretrainOptions(data, output, train, valid, config, vocab, epochs, batchSize, accumulate, lr, seed, weights, weightsPath, tasks, qaSets, device, resume, s, seqLen); }
}
