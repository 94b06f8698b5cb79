package lxmert.tasks;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;

import java.nio.file.Path;

/**
 * Everything a fine-tuning run needs; built by the CLI, the notebook magics or plain Java code.
 *
 * @param weights how to initialise: FROM_SCRATCH, LXMERT (encoder only), LXMERT_QA (encoder + answer surgery),
 *                SNAPSHOT (a task snapshot of this project or of the original), BERT (a HuggingFace bert-base-uncased
 *                pytorch_model.bin given as a file: the original's default); without weights, from scratch
 * @param accumulate micro-batches per update ({@code --accumulate N}: batchSize / N examples each, gradients summed,
 *                one clip and one BertAdam step: the update of one batch of batchSize, the task losses being means
 *                over examples); 1 = the original's step
 */
public record FinetuneOptions(Task task, DataOptions data, Path output, LxmertConfig config, Path vocab,
                              String trainSplits, String validSplit, int epochs, int batchSize, double lr, long seed,
                              Weights weights, Path weightsPath, boolean resume, boolean mceLoss, int evalBatchSize,
                              String device, boolean saveSnapshots, int accumulate) {

    public enum Weights { FROM_SCRATCH, LXMERT, LXMERT_QA, SNAPSHOT, BERT }

    public static final int SEQ_LEN = 20;

    /** Defaults of the original's run scripts for {@code task}. */
    public static FinetuneOptions defaults(Task task, Path dataRoot, Path output) {
        return new FinetuneOptions(task, DataOptions.of(dataRoot), output, LxmertConfig.lxr955(),
                dataRoot.resolve("bert-base-uncased-vocab.txt"), task.defaultTrain, task.defaultValid, 4, 32,
                task.defaultLr, 9595, Weights.FROM_SCRATCH, null, false, false, 1024, "cpu", true, 1);
    }

    public FinetuneOptions withConfig(LxmertConfig c) { return toBuilder().config(c).build(); }

    public FinetuneOptions withEpochs(int e) { return toBuilder().epochs(e).build(); }

    public FinetuneOptions withBatchSize(int b) { return toBuilder().batchSize(b).build(); }

    public FinetuneOptions withAccumulate(int a) { return toBuilder().accumulate(a).build(); }

    public FinetuneOptions withLr(double x) { return toBuilder().lr(x).build(); }

    public FinetuneOptions withSeed(long x) { return toBuilder().seed(x).build(); }

    public FinetuneOptions withSplits(String train, String valid) { return toBuilder().splits(train, valid).build(); }

    public FinetuneOptions withWeights(Weights w, Path p) { return toBuilder().weights(w, p).build(); }

    public FinetuneOptions withResume(boolean r) { return toBuilder().resume(r).build(); }

    public FinetuneOptions withVocab(Path v) { return toBuilder().vocab(v).build(); }

    public FinetuneOptions withData(DataOptions d) { return toBuilder().data(d).build(); }

    public FinetuneOptions withMceLoss(boolean m) { return toBuilder().mceLoss(m).build(); }

    public FinetuneOptions withEvalBatchSize(int b) { return toBuilder().evalBatchSize(b).build(); }

    public FinetuneOptions withDevice(String d) { return toBuilder().device(d).build(); }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A mutable copy of the options; {@link #build()} makes the record. */
    public static final class Builder {
        private Task task;
        private DataOptions data;
        private Path output;
        private LxmertConfig config;
        private Path vocab;
        private String trainSplits;
        private String validSplit;
        private int epochs;
        private int batchSize;
        private double lr;
        private long seed;
        private Weights weights;
        private Path weightsPath;
        private boolean resume;
        private boolean mceLoss;
        private int evalBatchSize;
        private String device;
        private boolean saveSnapshots;
        private int accumulate;

        Builder(FinetuneOptions o) {
            task = o.task; data = o.data; output = o.output; config = o.config; vocab = o.vocab;
            trainSplits = o.trainSplits; validSplit = o.validSplit; epochs = o.epochs; batchSize = o.batchSize;
            lr = o.lr; seed = o.seed; weights = o.weights; weightsPath = o.weightsPath; resume = o.resume;
            mceLoss = o.mceLoss; evalBatchSize = o.evalBatchSize; device = o.device; saveSnapshots = o.saveSnapshots;
            accumulate = o.accumulate;
        }

        public Builder config(LxmertConfig c) { config = c; return this; }
        public Builder epochs(int e) { epochs = e; return this; }
        public Builder batchSize(int b) { batchSize = b; return this; }
        public Builder lr(double x) { lr = x; return this; }
        public Builder seed(long x) { seed = x; return this; }
        public Builder splits(String train, String valid) { trainSplits = train; validSplit = valid; return this; }
        public Builder weights(Weights w, Path p) { weights = w; weightsPath = p; return this; }
        public Builder resume(boolean r) { resume = r; return this; }
        public Builder vocab(Path v) { vocab = v; return this; }
        public Builder data(DataOptions d) { data = d; return this; }
        public Builder mceLoss(boolean m) { mceLoss = m; return this; }
        public Builder evalBatchSize(int b) { evalBatchSize = b; return this; }
        public Builder device(String d) { device = d; return this; }
        public Builder saveSnapshots(boolean s) { saveSnapshots = s; return this; }
        public Builder accumulate(int a) { accumulate = a; return this; }

        public FinetuneOptions build() {
            return new FinetuneOptions(task, data, output, config, vocab, trainSplits, validSplit, epochs, batchSize, lr,
                    seed, weights, weightsPath, resume, mceLoss, evalBatchSize, device, saveSnapshots, accumulate);
        }
    }
}
