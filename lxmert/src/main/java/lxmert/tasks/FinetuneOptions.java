package lxmert.tasks;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;

import java.nio.file.Path;

/**
 * Everything a fine-tuning run needs; built by the CLI, the notebook magics or plain Java code.
 *
 * @param weights how to initialise: FROM_SCRATCH, LXMERT (encoder only), LXMERT_QA (encoder + answer surgery),
 *                SNAPSHOT (a task snapshot of this project or of the original); BERT-only init is not available
 *                offline, so the default without weights is from scratch
 */
public record FinetuneOptions(Task task, DataOptions data, Path output, LxmertConfig config, Path vocab,
                              String trainSplits, String validSplit, int epochs, int batchSize, double lr, long seed,
                              Weights weights, Path weightsPath, boolean resume, boolean mceLoss, int evalBatchSize,
                              String device, boolean saveSnapshots) {

    public enum Weights { FROM_SCRATCH, LXMERT, LXMERT_QA, SNAPSHOT }

    public static final int SEQ_LEN = 20;

    /** Defaults of the original's run scripts for {@code task}. */
    public static FinetuneOptions defaults(Task task, Path dataRoot, Path output) {
        return new FinetuneOptions(task, DataOptions.of(dataRoot), output, LxmertConfig.lxr955(),
                dataRoot.resolve("bert-base-uncased-vocab.txt"), task.defaultTrain, task.defaultValid, 4, 32,
                task.defaultLr, 9595, Weights.FROM_SCRATCH, null, false, false, 1024, "cpu", true);
    }

    public FinetuneOptions withConfig(LxmertConfig c) {
        return new FinetuneOptions(task, data, output, c, vocab, trainSplits, validSplit, epochs, batchSize, lr, seed,
                weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withEpochs(int e) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, e, batchSize, lr, seed,
                weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withBatchSize(int b) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, b, lr, seed,
                weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withLr(double x) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, batchSize, x, seed,
                weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withSeed(long s) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, batchSize, lr, s,
                weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withSplits(String train, String valid) {
        return new FinetuneOptions(task, data, output, config, vocab, train, valid, epochs, batchSize, lr, seed,
                weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withWeights(Weights w, Path p) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, batchSize, lr, seed,
                w, p, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withResume(boolean r) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, batchSize, lr, seed,
                weights, weightsPath, r, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withVocab(Path v) {
        return new FinetuneOptions(task, data, output, config, v, trainSplits, validSplit, epochs, batchSize, lr, seed,
                weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withData(DataOptions d) {
        return new FinetuneOptions(task, d, output, config, vocab, trainSplits, validSplit, epochs, batchSize, lr, seed,
                weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withMceLoss(boolean m) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, batchSize, lr, seed,
                weights, weightsPath, resume, m, evalBatchSize, device, saveSnapshots);
    }

    public FinetuneOptions withEvalBatchSize(int b) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, batchSize, lr, seed,
                weights, weightsPath, resume, mceLoss, b, device, saveSnapshots);
    }

    public FinetuneOptions withDevice(String d) {
        return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, batchSize, lr, seed,
                weights, weightsPath, resume, mceLoss, evalBatchSize, d, saveSnapshots);
    }
}
