package lxmert.cli;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.Finetuner;
import lxmert.tasks.RunFolder;
import lxmert.tasks.Task;
import lxmert.util.Check;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code finetune}: VQA / GQA / NLVR2 fine-tuning as the original's run scripts. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune LXMERT on vqa, gqa or nlvr2; writes OUTPUT/log.log, BEST.pth, LAST.pth (+ LAST.resume.pth).")
public final class FinetuneCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--task", description = "vqa, gqa or nlvr2 (with --resume or --load RUN/X: the run folder's)") String task;
    @Option(names = "--data", defaultValue = "data", description = "data root in the original layout (default ${DEFAULT-VALUE})") Path data;
    @Option(names = "--output", required = true, description = "output directory") Path output;
    @Option(names = "--config", defaultValue = "lxr955", description = "lxr955, tiny or a config JSON (default ${DEFAULT-VALUE})") String config;
    @Option(names = "--vocab", description = "BERT vocabulary (default DATA/bert-base-uncased-vocab.txt)") Path vocab;
    @Option(names = "--train", description = "comma-separated training splits (task default)") String trainSplits;
    @Option(names = "--valid", description = "validation split (task default; '' for none)") String validSplit;
    @Option(names = "--epochs", defaultValue = "4", converter = Check.PositiveInt.class) int epochs;
    @Option(names = "--batch-size", defaultValue = "32", converter = Check.PositiveInt.class) int batchSize;
    @Option(names = "--accumulate", defaultValue = "1", converter = Check.PositiveInt.class,
            description = "micro-batches per update: the same update as one batch of --batch-size (default ${DEFAULT-VALUE})") int accumulate;
    @Option(names = "--eval-batch-size", defaultValue = "1024", converter = Check.PositiveInt.class) int evalBatchSize;
    @Option(names = "--lr", description = "learning rate (task default)", converter = Check.PositiveDouble.class) Double lr;
    @Option(names = "--seed", defaultValue = "9595") long seed;
    @Mixin DeviceOption dev;
    /** The device chosen by {@link DeviceOption#apply()} in {@link #call()}. */
    String device = "cpu";
    @Option(names = "--mce-loss", description = "GQA: cross entropy on the best answer instead of BCE") boolean mce;
    @Option(names = "--cache-dir", description = "where feature stores go (default: beside each TSV)") Path cacheDir;
    @Option(names = "--resume", description = "continue from OUTPUT/LAST.resume.pth") boolean resume;

    @ArgGroup(exclusive = true) WeightsGroup weights;

    static final class WeightsGroup {
        @Option(names = "--from-scratch", description = "random initialisation (the default)") boolean fromScratch;
        @Option(names = "--load-lxmert", description = "pretrained LXMERT .pth: encoder only") Path lxmert;
        @Option(names = "--load-lxmert-qa", description = "pretrained LXMERT .pth: encoder + answer-head surgery") Path lxmertQa;
        @Option(names = "--load", description = "a task snapshot (this project's or the original's)") Path snapshot;
        @Option(names = "--bert", description = "HuggingFace bert-base-uncased pytorch_model.bin: language layers, embeddings, pooler") Path bert;
    }

    @ArgGroup(exclusive = true) SizeGroup size;

    static final class SizeGroup {
        @Option(names = "--tiny", description = "first 512 images of each feature file") boolean tiny;
        @Option(names = "--fast", description = "first 5000 images of each feature file") boolean fast;
    }

    @Override
    public Integer call() throws Exception {
        device = lxmert.util.Devices.spec(dev.apply().devices()); // several: data parallel
        FinetuneOptions o = options();
        return Interruptible.run(stop -> {
            try (Finetuner f = new Finetuner(o, List.of(new ProgressBar(System.err)), stop)) {
                Finetuner.Result r = f.train();
                System.out.println(r.summaryJson());
                System.out.flush();
                return r.interrupted() ? 130 : 0;
            }
        });
    }

    /** --vocab, else DATA/bert-base-uncased-vocab.txt, else the synthetic world's DATA/synth-vocab.txt. */
    static Path defaultVocab(Path vocab, Path data) {
        if (vocab != null) return vocab;
        Path real = data.resolve("bert-base-uncased-vocab.txt");
        Path synth = data.resolve("synth-vocab.txt");
        if (!java.nio.file.Files.exists(real) && java.nio.file.Files.exists(synth)) return synth;
        return real;
    }

    FinetuneOptions options() throws Exception {
        Check.splits(batchSize, accumulate);
        Path weightsPath = weights == null ? null
                : weights.lxmert != null ? weights.lxmert : weights.lxmertQa != null ? weights.lxmertQa : weights.snapshot;
        RunFolder run = resume && RunFolder.isRunFolder(output) ? RunFolder.open(output) : RunFolder.near(weightsPath);
        RunFolder.Chooser ch = new RunFolder.Chooser(run, Runtime.given(spec), Runtime.warn("finetune"));
        Task t = ch.task(task, resume ? "in " + output : "beside the weights to load");
        Path data = ch.data(this.data);
        Check.directory("--data", data, "data directory");
        LxmertConfig c = LxmertConfig.resolve(config);
        DataOptions d = DataOptions.of(data).withCacheDir(cacheDir)
                .withSize(size == null ? DataOptions.Size.FULL : size.tiny ? DataOptions.Size.TINY : DataOptions.Size.FAST);
        FinetuneOptions o = FinetuneOptions.defaults(t, data, output).withConfig(c).withData(d)
                .withEpochs(epochs).withBatchSize(batchSize).withAccumulate(accumulate).withSeed(seed).withEvalBatchSize(evalBatchSize)
                .withResume(resume).withMceLoss(mce).withDevice(device)
                .withSplits(trainSplits != null ? trainSplits : t.defaultTrain, validSplit != null ? validSplit : t.defaultValid);
        if (lr != null) o = o.withLr(lr);
        o = o.withVocab(defaultVocab(vocab, data));
        if (weights != null) {
            if (weights.lxmert != null) o = o.withWeights(FinetuneOptions.Weights.LXMERT, weights.lxmert);
            else if (weights.lxmertQa != null) o = o.withWeights(FinetuneOptions.Weights.LXMERT_QA, weights.lxmertQa);
            else if (weights.snapshot != null) o = o.withWeights(FinetuneOptions.Weights.SNAPSHOT, weights.snapshot);
            else if (weights.bert != null) o = o.withWeights(FinetuneOptions.Weights.BERT, weights.bert);
        }
        return ch.finetune(o, config, resume && run != null && run.dir().equals(output));
    }
}
