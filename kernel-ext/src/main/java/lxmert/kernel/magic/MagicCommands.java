package lxmert.kernel.magic;

import lxmert.cli.EvaluateArgs;
import lxmert.cli.FinetuneArgs;
import lxmert.cli.ModelArgs;
import lxmert.cli.PretrainArgs;
import lxmert.cli.SynthArgs;
import lxmert.cli.TestArgs;
import lxmert.data.DataOptions;
import lxmert.data.synth.SynthWorld;
import lxmert.kernel.lib.Evaluation;
import lxmert.kernel.lib.LoadedModel;
import lxmert.kernel.lib.PretrainRun;
import lxmert.kernel.lib.Predictions;
import lxmert.kernel.lib.Training;
import lxmert.kernel.lib.TrainingRun;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.RunFolder;
import lxmert.tasks.pretrain.PretrainOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code %lxmert} sub-commands. Each takes the options of its CLI command through the same picocli mixin
 * ({@code lxmert.cli.FinetuneArgs}, {@code PretrainArgs}, {@code TestArgs}, {@code EvaluateArgs}, {@code SynthArgs}),
 * whose {@code resolve} runs the CLI's checks and builds the library's options, plus the magic-only options of
 * {@link Common}; {@link Common#run} calls the library and returns the notebook object ({@link TrainingRun},
 * {@link PretrainRun}, {@link Predictions}, {@link Evaluation}, {@link LoadedModel}, {@link SynthWorld.Summary}).
 * {@code load} exists only as a magic.
 */
public final class MagicCommands {
    private MagicCommands() {
    }

    /** The magic-only options every sub-command has, and its body. */
    public abstract static class Common {
        @Option(names = "--into", paramLabel = "NAME",
                description = "Bind the result to the notebook variable NAME for later cells.")
        public String into;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        public boolean help;

        @Option(names = "--verbose", description = "On an error, also print its stack trace (LXMERT_VERBOSE=1 in the "
                + "kernel's environment does it for every cell).")
        public boolean verbose;

        /** Runs the sub-command (messages on {@code System.out}); returns the object the notebook gets. */
        public abstract Object run(MagicCall call) throws Exception;
    }

    @Command(name = "synth", description = "Write the deterministic synthetic world (VQA, GQA, NLVR2, pretraining data, "
            + "features, answer tables, vocab); returns its summary.")
    public static final class Synth extends Common {
        @Mixin public SynthArgs args;

        @Override
        public Object run(MagicCall call) throws Exception {
            SynthWorld.Summary s = new SynthWorld(args.resolve()).write(args.out);
            System.out.println(s);
            return s;
        }
    }

    @Command(name = "finetune", description = "Fine-tune LXMERT on vqa, gqa or nlvr2 with a live progress display; "
            + "writes OUTPUT/log.log, BEST.pth, LAST.pth (+ LAST.resume.pth); returns the training run.")
    public static final class Finetune extends Common {
        @Mixin public FinetuneArgs args;

        @Option(names = "--no-progress", description = "magic only: no live progress display")
        public boolean noProgress;

        @Override
        public Object run(MagicCall call) throws Exception {
            FinetuneOptions o = args.resolve(System.out::println);
            TrainingRun run = Training.finetune(o, noProgress ? null : call.progress(o.task().id + " fine-tuning"),
                    call.interrupts(), System.out);
            System.out.println(run.interrupted() ? interrupted(run.output()) : run.result().summaryJson());
            return run;
        }
    }

    @Command(name = "pretrain", description = "Pretrain LXMERT (masked LM, object prediction, matching, QA) with a live "
            + "progress bar and per-task loss chart; writes OUTPUT/log.log, EpochNN_LXRT.pth, BEST_EVAL_LOSS_LXRT.pth, "
            + "LAST_LXRT.pth (+ LAST.resume.pth); returns the run (per-epoch table).")
    public static final class Pretrain extends Common {
        @Mixin public PretrainArgs args;

        @Option(names = "--no-progress", description = "magic only: no live progress display")
        public boolean noProgress;

        @Override
        public Object run(MagicCall call) throws Exception {
            PretrainOptions o = args.resolve();
            PretrainRun run = Training.pretrain(o, noProgress ? null : call.progress("pretraining"), call.interrupts(), System.out);
            System.out.println(run.interrupted() ? interrupted(run.output()) : lxmert.tasks.pretrain.Pretrainer.summaryJson(run.result()));
            return run;
        }
    }

    private static String interrupted(Path output) {
        return "interrupted: LAST saved in " + output + " (continue with --resume)";
    }

    @Command(name = "test", description = "Predict a split with a snapshot; writes OUTPUT/<split>_predict.json (vqa, gqa) "
            + "or .csv (nlvr2); returns the predictions (table, accuracy).")
    public static final class Test extends Common {
        @Mixin public TestArgs args;

        @Override
        public Object run(MagicCall call) throws Exception {
            TestArgs.Resolved t = args.resolve(System.out::println);
            RunFolder.Model rm = t.model();
            try (LoadedModel m = LoadedModel.open(rm, args.load, t.device(), args.precision)) {
                Predictions p = m.test(DataOptions.of(rm.data()), args.test, args.output, args.batchSize);
                for (String line : p.result().dataSummary()) System.out.println(line);
                int labelled = p.result().labelled();
                System.out.println("wrote " + p.file() + " (" + p.n() + " predictions)"
                        + (Double.isNaN(p.accuracy()) ? "" : String.format(Locale.ROOT, "; accuracy %.2f%%", 100 * p.accuracy()))
                        + (labelled > 0 && labelled < p.n() ? " over the " + labelled + " labelled" : ""));
                return p;
            }
        }
    }

    @Command(name = "evaluate", description = "Score a prediction / submission file; returns the evaluation.")
    public static final class Evaluate extends Common {
        @Mixin public EvaluateArgs args;

        @Override
        public Object run(MagicCall call) throws Exception {
            EvaluateArgs.Resolved r = args.resolve(System.out::println);
            Evaluation e = Evaluation.score(r.task(), r.data(), args.split, args.predictions, args.annotations, r.version());
            System.out.println(e);
            return e;
        }
    }

    @Command(name = "load", description = "Load a task snapshot as a model usable from later cells (test, attention maps).")
    public static final class Load extends Common {
        @Parameters(index = "0", paramLabel = "FILE", description = "task snapshot (X, X.pth, X.safetensors) or a HuggingFace LxmertForQuestionAnswering folder")
        public Path file;

        @Mixin public ModelArgs model;

        @Override
        public Object run(MagicCall call) throws Exception {
            String device = lxmert.util.Devices.name(model.dev.apply().single("load"));
            LoadedModel m = LoadedModel.open(model.model(file, System.out::println), file, device);
            System.out.println(m);
            return m;
        }
    }
}
