package lxmert.cli;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.tasks.RunFolder;
import lxmert.tasks.pretrain.PretrainOptions;
import lxmert.tasks.pretrain.PretrainTasks;
import lxmert.util.Check;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The options of {@code lxmert pretrain} and {@code %lxmert pretrain} (a picocli mixin: {@code @Mixin PretrainArgs
 * args;}); {@link #resolve} checks them and builds the {@link PretrainOptions}.
 */
public final class PretrainArgs {
    @Option(names = "--data", defaultValue = "data", description = "data root in the original layout (default ${DEFAULT-VALUE})") public Path data;
    @Option(names = "--output", required = true, description = "output directory") public Path output;
    @Option(names = "--train", defaultValue = PretrainOptions.DEFAULT_TRAIN, description = "training sources (default ${DEFAULT-VALUE})") public String train;
    @Option(names = "--valid", defaultValue = PretrainOptions.DEFAULT_VALID, description = "valid sources (default ${DEFAULT-VALUE}; '' for none)") public String valid;
    @Option(names = "--config", defaultValue = "lxr955", description = "lxr955, tiny, synth or a config JSON (default ${DEFAULT-VALUE})") public String config;
    @Option(names = "--vocab", description = "BERT vocabulary (default DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt)") public Path vocab;
    @Option(names = "--epochs", defaultValue = "20", converter = Check.PositiveInt.class,
            description = "training epochs (default ${DEFAULT-VALUE})") public int epochs;
    @Option(names = "--batch-size", defaultValue = "256", converter = Check.PositiveInt.class,
            description = "training examples per update (default ${DEFAULT-VALUE})") public int batchSize;
    @Option(names = "--accumulate", defaultValue = "1", converter = Check.PositiveInt.class,
            description = "micro-batches per update: the same update as one batch of --batch-size (default ${DEFAULT-VALUE})") public int accumulate;
    @Option(names = "--lr", defaultValue = "1e-4", converter = Check.PositiveDouble.class,
            description = "peak learning rate (default ${DEFAULT-VALUE})") public double lr;
    @Option(names = "--seed", defaultValue = "9595",
            description = "random seed of the initialisation, data order, masking and dropout (default ${DEFAULT-VALUE})") public long seed;
    @Option(names = "--task-mask-lm", description = "masked language modelling") public boolean taskMaskLm;
    @Option(names = "--task-obj-predict", description = "masked object prediction (--visual-losses)") public boolean taskObjPredict;
    @Option(names = "--task-matched", description = "cross-modality matching") public boolean taskMatched;
    @Option(names = "--task-qa", description = "image question answering") public boolean taskQa;
    @Option(names = "--visual-losses", defaultValue = "obj,attr,feat",
            description = "masked-object losses, any of obj, attr, feat (default ${DEFAULT-VALUE})") public String visualLosses;
    @Option(names = "--word-mask-rate", defaultValue = "0.15", converter = Check.UnitInterval.class,
            description = "probability that a word is masked for masked LM (default ${DEFAULT-VALUE})") public double wordMaskRate;
    @Option(names = "--obj-mask-rate", defaultValue = "0.15", converter = Check.UnitInterval.class,
            description = "probability that an object is masked for object prediction (default ${DEFAULT-VALUE})") public double objMaskRate;
    @Option(names = "--qa-sets", description = "answer sets of all_ans.json to keep, e.g. vqa,gqa,visual7w (default: all)") public String qaSets;
    @Option(names = "--cache-dir", description = "where feature stores go (default: beside each TSV)") public Path cacheDir;
    @Option(names = "--resume", description = "continue from OUTPUT/LAST.resume.pth") public boolean resume;
    @Mixin public DeviceOption dev;

    @Option(names = "--from-scratch", description = "random initialisation (the default); with --bert, as the original: BERT is"
            + " loaded, then every Linear/Embedding/LayerNorm re-initialised, so only BERT's MLM output bias remains") public boolean fromScratch;
    @ArgGroup(exclusive = true) public Weights weights;

    /** Weights to start from (at most one). */
    public static final class Weights {
        @Option(names = "--load-lxmert", description = "LXMERT weights P (P or P_LXRT.pth), answer head excluded") public Path lxmert;
        @Option(names = "--bert", description = "HuggingFace bert-base-uncased weights: pytorch_model.bin, model.safetensors or its folder") public Path bert;
    }

    @ArgGroup(exclusive = true) public Size size;

    /** Data size (at most one). */
    public static final class Size {
        @Option(names = "--tiny", description = "first 500 images of each feature file") public boolean tiny;
        @Option(names = "--fast", description = "first 5000 images of each feature file") public boolean fast;
    }

    /**
     * Checks the options (before any work: batch / micro-batches, the tasks and visual losses, the data directory,
     * the devices) and returns the run's options.
     */
    public PretrainOptions resolve() throws Exception {
        Check.splits(batchSize, accumulate);
        boolean any = taskMaskLm || taskObjPredict || taskMatched || taskQa;
        PretrainTasks t = new PretrainTasks(!any || taskMaskLm, !any || taskObjPredict, !any || taskMatched, !any || taskQa,
                PretrainTasks.parseVisualLosses(visualLosses), wordMaskRate, objMaskRate);
        Check.directory("--data", data, "data directory");
        String device = lxmert.util.Devices.spec(dev.apply().devices()); // several: data parallel
        DataOptions d = DataOptions.of(data).withCacheDir(cacheDir)
                .withSize(size == null ? DataOptions.Size.FULL : size.tiny ? DataOptions.Size.TINY : DataOptions.Size.FAST);
        PretrainOptions o = PretrainOptions.defaults(data, output).withData(d).withConfig(LxmertConfig.resolve(config))
                .withVocab(RunFolder.defaultVocab(vocab, data)).withSplits(train, valid).withEpochs(epochs)
                .withBatchSize(batchSize).withAccumulate(accumulate).withLr(lr).withSeed(seed).withTasks(t).withQaSets(qaSets)
                .withDevice(device).withResume(resume);
        if (weights != null) {
            if (weights.lxmert != null) o = o.withWeights(PretrainOptions.Weights.LXMERT, weights.lxmert);
            else if (weights.bert != null) o = o.withWeights(fromScratch ? PretrainOptions.Weights.BERT_FROM_SCRATCH : PretrainOptions.Weights.BERT, weights.bert);
        }
        return o;
    }
}
