package lxmert.cli;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.tasks.pretrain.PretrainOptions;
import lxmert.tasks.pretrain.PretrainTasks;
import lxmert.tasks.pretrain.Pretrainer;
import lxmert.util.Check;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pretrain}: LXMERT pretraining as the original's lxmert_pretrain.py (run/lxmert_pretrain.bash defaults). */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrain LXMERT (masked LM, object prediction, matching, QA); writes OUTPUT/log.log, "
                + "EpochNN_LXRT.pth, BEST_EVAL_LOSS_LXRT.pth, LAST_LXRT.pth (+ LAST.resume.pth). Last line: one JSON object.")
public final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "data", description = "data root in the original layout (default ${DEFAULT-VALUE})") Path data;
    @Option(names = "--output", required = true, description = "output directory") Path output;
    @Option(names = "--train", defaultValue = PretrainOptions.DEFAULT_TRAIN, description = "training sources (default ${DEFAULT-VALUE})") String train;
    @Option(names = "--valid", defaultValue = PretrainOptions.DEFAULT_VALID, description = "valid sources (default ${DEFAULT-VALUE}; '' for none)") String valid;
    @Option(names = "--config", defaultValue = "lxr955", description = "lxr955, tiny, synth or a config JSON (default ${DEFAULT-VALUE})") String config;
    @Option(names = "--vocab", description = "BERT vocabulary (default DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt)") Path vocab;
    @Option(names = "--epochs", defaultValue = "20", converter = Check.PositiveInt.class) int epochs;
    @Option(names = "--batch-size", defaultValue = "256", converter = Check.PositiveInt.class) int batchSize;
    @Option(names = "--accumulate", defaultValue = "1", converter = Check.PositiveInt.class,
            description = "micro-batches per update: the same update as one batch of --batch-size (default ${DEFAULT-VALUE})") int accumulate;
    @Option(names = "--lr", defaultValue = "1e-4", converter = Check.PositiveDouble.class) double lr;
    @Option(names = "--seed", defaultValue = "9595") long seed;
    @Option(names = "--task-mask-lm", description = "masked language modelling") boolean taskMaskLm;
    @Option(names = "--task-obj-predict", description = "masked object prediction (--visual-losses)") boolean taskObjPredict;
    @Option(names = "--task-matched", description = "cross-modality matching") boolean taskMatched;
    @Option(names = "--task-qa", description = "image question answering") boolean taskQa;
    @Option(names = "--visual-losses", defaultValue = "obj,attr,feat", description = "default ${DEFAULT-VALUE}") String visualLosses;
    @Option(names = "--word-mask-rate", defaultValue = "0.15", converter = Check.UnitInterval.class) double wordMaskRate;
    @Option(names = "--obj-mask-rate", defaultValue = "0.15", converter = Check.UnitInterval.class) double objMaskRate;
    @Option(names = "--qa-sets", description = "answer sets of all_ans.json to keep, e.g. vqa,gqa,visual7w (default: all)") String qaSets;
    @Option(names = "--cache-dir", description = "where feature stores go (default: beside each TSV)") Path cacheDir;
    @Option(names = "--resume", description = "continue from OUTPUT/LAST.resume.pth") boolean resume;
    @Mixin DeviceOption dev;
    String device = "cpu";

    @ArgGroup(exclusive = true) WeightsGroup weights;

    static final class WeightsGroup {
        @Option(names = "--from-scratch", description = "random initialisation (the default)") boolean fromScratch;
        @Option(names = "--load-lxmert", description = "LXMERT weights P (P or P_LXRT.pth), answer head excluded") Path lxmert;
        @Option(names = "--bert", description = "HuggingFace bert-base-uncased pytorch_model.bin") Path bert;
    }

    @ArgGroup(exclusive = true) SizeGroup size;

    static final class SizeGroup {
        @Option(names = "--tiny", description = "first 500 images of each feature file") boolean tiny;
        @Option(names = "--fast", description = "first 5000 images of each feature file") boolean fast;
    }

    @Override
    public Integer call() throws Exception {
        Check.splits(batchSize, accumulate);
        Check.directory("--data", data, "data directory");
        PretrainTasks.parseVisualLosses(visualLosses); // parsed again below; fails early with the option's name
        device = lxmert.util.Devices.spec(dev.apply().devices()); // several: data parallel
        PretrainOptions o = options();
        return Interruptible.run(stop -> {
            try (Pretrainer p = new Pretrainer(o, List.of(new ProgressBar(System.err)), stop)) {
                Pretrainer.Result r = p.train();
                System.out.println(r.summaryJson());
                System.out.flush();
                return r.interrupted() ? 130 : 0;
            }
        });
    }

    PretrainOptions options() throws Exception {
        boolean any = taskMaskLm || taskObjPredict || taskMatched || taskQa;
        PretrainTasks t;
        try {
            t = new PretrainTasks(!any || taskMaskLm, !any || taskObjPredict, !any || taskMatched, !any || taskQa,
                    PretrainTasks.parseVisualLosses(visualLosses), wordMaskRate, objMaskRate);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), e.getMessage());
        }
        DataOptions d = DataOptions.of(data).withCacheDir(cacheDir)
                .withSize(size == null ? DataOptions.Size.FULL : size.tiny ? DataOptions.Size.TINY : DataOptions.Size.FAST);
        PretrainOptions o = PretrainOptions.defaults(data, output).withData(d).withConfig(LxmertConfig.resolve(config))
                .withVocab(FinetuneCommand.defaultVocab(vocab, data)).withSplits(train, valid).withEpochs(epochs)
                .withBatchSize(batchSize).withAccumulate(accumulate).withLr(lr).withSeed(seed).withTasks(t).withQaSets(qaSets)
                .withDevice(device).withResume(resume);
        if (weights != null) {
            if (weights.lxmert != null) o = o.withWeights(PretrainOptions.Weights.LXMERT, weights.lxmert);
            else if (weights.bert != null) o = o.withWeights(PretrainOptions.Weights.BERT, weights.bert);
        }
        return o;
    }
}
