package lxmert.kernel.magic;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.data.synth.SynthWorld;
import lxmert.eval.VqaOfficialEval;
import lxmert.kernel.lib.Evaluation;
import lxmert.kernel.lib.LoadedModel;
import lxmert.kernel.lib.Predictions;
import lxmert.kernel.lib.Training;
import lxmert.kernel.lib.TrainingRun;
import lxmert.kernel.progress.TrainingProgress;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.RunFolder;
import lxmert.tasks.Task;
import lxmert.util.Check;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code %lxmert} magics over the library: each method maps the options (the CLI's, see {@link MagicOptions})
 * to the library API the way the CLI command does and returns a notebook object — {@link TrainingRun},
 * {@link Predictions}, {@link Evaluation}, {@link LoadedModel}, {@link SynthWorld.Summary}. The same objects are
 * built from plain Java with the {@code lxmert.kernel.lib} classes and the library.
 */
public final class LibraryBackend implements LxmertMagicBackend {

    @Override
    public Object synth(MagicOptions.Synth o, MagicCall call) throws Exception {
        Check.atLeast("--boxes", o.boxes, SynthWorld.MIN_BOXES);
        SynthWorld.Summary s = new SynthWorld(new SynthWorld.Config(o.seed, o.scale, o.featDim, o.boxes)).write(o.out);
        System.out.println(s);
        return s;
    }

    @Override
    public Object finetune(MagicOptions.Finetune o, MagicCall call) throws Exception {
        FinetuneOptions opts = finetuneOptions(o);
        TrainingProgress progress = o.noProgress ? null : call.progress(opts.task().id + " fine-tuning");
        TrainingRun run = Training.finetune(opts, progress, call.interrupts(), System.out);
        System.out.println(run.interrupted()
                ? "interrupted: LAST saved in " + run.output() + " (continue with --resume)"
                : run.result().summaryJson());
        return run;
    }

    @Override
    public Object pretrain(MagicOptions.Pretrain o, MagicCall call) throws Exception {
        Check.directory("--data", o.data, "data directory");
        lxmert.tasks.pretrain.PretrainOptions opts = pretrainOptions(o);
        TrainingProgress progress = o.noProgress ? null : call.progress("pretraining");
        lxmert.kernel.lib.PretrainRun run = Training.pretrain(opts, progress, call.interrupts(), System.out);
        System.out.println(run.interrupted()
                ? "interrupted: LAST saved in " + run.output() + " (continue with --resume)"
                : run.result().summaryJson());
        return run;
    }

    /** The CLI's {@code pretrain} options as {@link lxmert.tasks.pretrain.PretrainOptions} (as {@code lxmert pretrain}). */
    public static lxmert.tasks.pretrain.PretrainOptions pretrainOptions(MagicOptions.Pretrain o) throws Exception {
        boolean any = o.taskMaskLm || o.taskObjPredict || o.taskMatched || o.taskQa;
        lxmert.tasks.pretrain.PretrainTasks t = new lxmert.tasks.pretrain.PretrainTasks(!any || o.taskMaskLm, !any || o.taskObjPredict,
                !any || o.taskMatched, !any || o.taskQa, lxmert.tasks.pretrain.PretrainTasks.parseVisualLosses(o.visualLosses),
                o.wordMaskRate, o.objMaskRate);
        DataOptions.Size size = o.size == null ? DataOptions.Size.FULL : o.size.tiny ? DataOptions.Size.TINY : DataOptions.Size.FAST;
        lxmert.tasks.pretrain.PretrainOptions p = lxmert.tasks.pretrain.PretrainOptions.defaults(o.data, o.output)
                .withData(DataOptions.of(o.data).withCacheDir(o.cacheDir).withSize(size)).withConfig(LxmertConfig.resolve(o.config))
                .withVocab(LoadedModel.defaultVocab(o.vocab, o.data)).withSplits(o.train, o.valid).withEpochs(o.epochs)
                .withBatchSize(o.batchSize).withAccumulate(o.accumulate).withLr(o.lr).withSeed(o.seed).withTasks(t).withQaSets(o.qaSets)
                .withResume(o.resume).withDevice(lxmert.util.Devices.spec(o.dev.apply().devices()));
        if (o.weights != null) {
            if (o.weights.lxmert != null) p = p.withWeights(lxmert.tasks.pretrain.PretrainOptions.Weights.LXMERT, o.weights.lxmert);
            else if (o.weights.bert != null) p = p.withWeights(lxmert.tasks.pretrain.PretrainOptions.Weights.BERT, o.weights.bert);
        }
        return p;
    }

    /** The CLI's {@code finetune} options as {@link FinetuneOptions} (same defaults as {@code lxmert finetune}). */
    public static FinetuneOptions finetuneOptions(MagicOptions.Finetune o) throws Exception {
        Path weightsPath = o.weights == null ? null : o.weights.lxmert != null ? o.weights.lxmert
                : o.weights.lxmertQa != null ? o.weights.lxmertQa : o.weights.snapshot;
        RunFolder run = o.resume && RunFolder.isRunFolder(o.output) ? RunFolder.open(o.output) : RunFolder.near(weightsPath);
        RunFolder.Chooser ch = new RunFolder.Chooser(run, given(o), System.out::println);
        Task t = ch.task(o.task, o.resume ? "in " + o.output : "beside the weights to load");
        Path data = ch.data(o.data);
        Check.directory("--data", data, "data directory");
        LxmertConfig c = LxmertConfig.resolve(o.config);
        DataOptions.Size size = o.size == null ? DataOptions.Size.FULL
                : o.size.tiny ? DataOptions.Size.TINY : DataOptions.Size.FAST;
        DataOptions d = DataOptions.of(data).withCacheDir(o.cacheDir).withSize(size);
        FinetuneOptions f = FinetuneOptions.defaults(t, data, o.output).withConfig(c).withData(d)
                .withEpochs(o.epochs).withBatchSize(o.batchSize).withAccumulate(o.accumulate).withSeed(o.seed).withEvalBatchSize(o.evalBatchSize)
                .withResume(o.resume).withMceLoss(o.mceLoss).withDevice(lxmert.util.Devices.spec(o.dev.apply().devices()))
                .withSplits(o.train != null ? o.train : t.defaultTrain, o.valid != null ? o.valid : t.defaultValid);
        if (o.lr != null) f = f.withLr(o.lr);
        f = f.withVocab(LoadedModel.defaultVocab(o.vocab, data));
        if (o.weights != null) {
            if (o.weights.lxmert != null) f = f.withWeights(FinetuneOptions.Weights.LXMERT, o.weights.lxmert);
            else if (o.weights.lxmertQa != null) f = f.withWeights(FinetuneOptions.Weights.LXMERT_QA, o.weights.lxmertQa);
            else if (o.weights.snapshot != null) f = f.withWeights(FinetuneOptions.Weights.SNAPSHOT, o.weights.snapshot);
            else if (o.weights.bert != null) f = f.withWeights(FinetuneOptions.Weights.BERT, o.weights.bert);
        }
        return ch.finetune(f, o.config, o.resume && run != null && run.dir().equals(o.output));
    }

    /**
     * Whether an option was given in the magic line (picocli's parse result); options built in Java without parsing
     * count as given when set.
     */
    private static java.util.function.Predicate<String> given(MagicOptions.Common o) {
        if (o.spec == null || o.spec.commandLine() == null || o.spec.commandLine().getParseResult() == null) return n -> true;
        return n -> o.spec.commandLine().getParseResult().hasMatchedOption(n);
    }

    @Override
    public Object test(MagicOptions.Test o, MagicCall call) throws Exception {
        ai.djl.Device d = o.dev.apply().single("test");
        o.precision.checkDevice(d);
        String device = lxmert.util.Devices.name(d);
        RunFolder.Model rm = new RunFolder.Chooser(RunFolder.near(o.load), given(o), System.out::println)
                .model(o.task, o.data, o.config, o.vocab, "beside " + o.load);
        Check.directory("--data", rm.data(), "data directory");
        try (LoadedModel m = LoadedModel.open(rm, o.load, device, o.precision)) {
            Predictions p = m.test(DataOptions.of(rm.data()), o.test, o.output, o.batchSize);
            for (String line : p.result().dataSummary()) System.out.println(line);
            int labelled = p.result().labelled();
            System.out.println("wrote " + p.file() + " (" + p.n() + " predictions)"
                    + (Double.isNaN(p.accuracy()) ? "" : String.format(Locale.ROOT, "; accuracy %.2f%%", 100 * p.accuracy()))
                    + (labelled > 0 && labelled < p.n() ? " over the " + labelled + " labelled" : ""));
            return p;
        }
    }

    @Override
    public Object evaluate(MagicOptions.Evaluate o, MagicCall call) throws Exception {
        VqaOfficialEval.Version version = VqaOfficialEval.Version.parse(o.vqaEvalVersion);
        RunFolder.Chooser ch = new RunFolder.Chooser(o.run == null ? null : RunFolder.open(o.run), given(o), System.out::println);
        Task task = ch.task(o.task, "given with --run");
        Path data = ch.data(o.data);
        Check.directory("--data", data, "data directory");
        Evaluation e = Evaluation.score(task, data, o.split, o.predictions, o.annotations, version);
        System.out.println(e);
        return e;
    }

    @Override
    public Object load(MagicOptions.Load o, MagicCall call) throws Exception {
        String device = lxmert.util.Devices.name(o.dev.apply().single("load"));
        RunFolder.Model rm = new RunFolder.Chooser(RunFolder.near(o.file), given(o), System.out::println)
                .model(o.task, o.data, o.config, o.vocab, "beside " + o.file);
        Check.directory("--data", rm.data(), "data directory");
        LoadedModel m = LoadedModel.open(rm, o.file, device);
        System.out.println(m);
        return m;
    }
}
