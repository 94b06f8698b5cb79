package lxmert.cli;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.RunFolder;
import lxmert.tasks.Task;
import lxmert.util.Check;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The options of {@code lxmert finetune} and {@code %lxmert finetune} (a picocli mixin: {@code @Mixin FinetuneArgs
 * args;}); {@link #resolve} checks them and builds the {@link FinetuneOptions}.
 */
public final class FinetuneArgs {
    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Option(names = "--task", description = "vqa, gqa or nlvr2 (required; with --resume or --load RUN/X: the run folder's)") public String task;
    @Option(names = "--data", defaultValue = "data", description = "data root in the original layout (default ${DEFAULT-VALUE})") public Path data;
    @Option(names = "--output", required = true, description = "output directory") public Path output;
    @Option(names = "--config", defaultValue = "lxr955", description = "lxr955, tiny or a config JSON (default ${DEFAULT-VALUE})") public String config;
    @Option(names = "--vocab", description = "BERT vocabulary (default DATA/bert-base-uncased-vocab.txt)") public Path vocab;
    @Option(names = "--train", description = "comma-separated training splits (default: the task's, e.g. train,nominival for vqa; with --resume: the run folder's)") public String train;
    @Option(names = "--valid", description = "validation split, '' for none (default: the task's, e.g. minival for vqa; with --resume: the run folder's)") public String valid;
    @Option(names = "--epochs", defaultValue = "4", converter = Check.PositiveInt.class,
            description = "training epochs (default ${DEFAULT-VALUE}; with --resume: the run folder's)") public int epochs;
    @Option(names = "--batch-size", defaultValue = "32", converter = Check.PositiveInt.class,
            description = "training examples per update (default ${DEFAULT-VALUE}; with --resume: the run folder's)") public int batchSize;
    @Option(names = "--accumulate", defaultValue = "1", converter = Check.PositiveInt.class,
            description = "micro-batches per update: the same update as one batch of --batch-size (default ${DEFAULT-VALUE})") public int accumulate;
    @Option(names = "--eval-batch-size", defaultValue = "1024", converter = Check.PositiveInt.class,
            description = "examples per batch when predicting the valid split (default ${DEFAULT-VALUE})") public int evalBatchSize;
    @Option(names = "--lr", description = "peak learning rate (default: the task's, 5e-5 for vqa and nlvr2, 1e-5 for gqa; with --resume: the run folder's)", converter = Check.PositiveDouble.class) public Double lr;
    @Option(names = "--seed", defaultValue = "9595",
            description = "random seed of the initialisation, data order and dropout (default ${DEFAULT-VALUE}; with --resume: the run folder's)") public long seed;
    @Mixin public DeviceOption dev;
    @Option(names = "--mce-loss", description = "GQA: cross entropy on the best answer instead of BCE") public boolean mceLoss;
    @Option(names = "--cache-dir", description = "where feature stores go (default: beside each TSV)") public Path cacheDir;
    @Option(names = "--resume", description = "continue from OUTPUT/LAST.resume.pth") public boolean resume;

    @ArgGroup(exclusive = true) public Weights weights;

    /** How to initialise (at most one). */
    public static final class Weights {
        @Option(names = "--from-scratch", description = "random initialisation (the default)") public boolean fromScratch;
        @Option(names = "--load-lxmert", description = "pretrained LXMERT weights (P or P_LXRT.pth, a .safetensors file, or a HuggingFace folder): encoder only") public Path lxmert;
        @Option(names = "--load-lxmert-qa", description = "pretrained LXMERT weights (as --load-lxmert, with the pretraining answer head): encoder + answer-head surgery") public Path lxmertQa;
        @Option(names = "--load", description = "a task snapshot (this project's or the original's, .pth or .safetensors) or a HuggingFace LxmertForQuestionAnswering folder") public Path snapshot;
        @Option(names = "--bert", description = "HuggingFace bert-base-uncased weights (pytorch_model.bin, model.safetensors or its folder): language layers, embeddings, pooler") public Path bert;
    }

    @ArgGroup(exclusive = true) public Size size;

    /** Data size (at most one). */
    public static final class Size {
        @Option(names = "--tiny", description = "first 512 images of each feature file") public boolean tiny;
        @Option(names = "--fast", description = "first 5000 images of each feature file") public boolean fast;
    }

    /**
     * Checks the options (before any work: batch / micro-batches, the data directory, the devices) and returns the
     * run's options; options not given come from the run folder when resuming or loading a run's snapshot (a differing
     * one is reported to {@code warn}).
     */
    public FinetuneOptions resolve(Consumer<String> warn) throws Exception {
        Check.splits(batchSize, accumulate);
        Path weightsPath = weights == null ? null
                : weights.lxmert != null ? weights.lxmert : weights.lxmertQa != null ? weights.lxmertQa : weights.snapshot;
        RunFolder run = resume && RunFolder.isRunFolder(output) ? RunFolder.open(output) : RunFolder.near(weightsPath);
        RunFolder.Chooser ch = new RunFolder.Chooser(run, Runtime.given(spec), warn);
        Task t = ch.task(task, resume ? "in " + output : "beside the weights to load");
        Path data = ch.data(this.data);
        Check.directory("--data", data, "data directory");
        String device = lxmert.util.Devices.spec(dev.apply().devices()); // several: data parallel
        DataOptions d = DataOptions.of(data).withCacheDir(cacheDir).withSize(size == null ? DataOptions.Size.FULL
                : size.tiny ? DataOptions.Size.TINY : DataOptions.Size.FAST);
        FinetuneOptions o = FinetuneOptions.defaults(t, data, output).withConfig(LxmertConfig.resolve(config)).withData(d)
                .withEpochs(epochs).withBatchSize(batchSize).withAccumulate(accumulate).withSeed(seed).withEvalBatchSize(evalBatchSize)
                .withResume(resume).withMceLoss(mceLoss).withDevice(device).withVocab(RunFolder.defaultVocab(vocab, data))
                .withSplits(train != null ? train : t.defaultTrain, valid != null ? valid : t.defaultValid);
        if (lr != null) o = o.withLr(lr);
        if (weights != null) {
            if (weights.lxmert != null) o = o.withWeights(FinetuneOptions.Weights.LXMERT, weights.lxmert);
            else if (weights.lxmertQa != null) o = o.withWeights(FinetuneOptions.Weights.LXMERT_QA, weights.lxmertQa);
            else if (weights.snapshot != null) o = o.withWeights(FinetuneOptions.Weights.SNAPSHOT, weights.snapshot);
            else if (weights.bert != null) o = o.withWeights(FinetuneOptions.Weights.BERT, weights.bert);
        }
        return ch.finetune(o, config, resume && run != null && run.dir().equals(output));
    }
}
