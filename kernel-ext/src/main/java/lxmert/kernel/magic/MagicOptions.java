package lxmert.kernel.magic;

import lxmert.cli.DeviceOption;
import lxmert.util.Check;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/**
 * The options of the {@code %lxmert} sub-commands, parsed by picocli. They mirror the library's command line
 * exactly ({@code lxmert finetune}, {@code test}, {@code evaluate}, {@code data synth}: same names, defaults and
 * required options; {@code MagicOptionsMatchCliTest} compares the two), so a magic line and a shell command read
 * alike. Every sub-command adds {@code --into NAME} to bind its result to a notebook variable; {@code load} exists
 * only as a magic.
 */
public final class MagicOptions {
    private MagicOptions() {
    }

    /** Options every sub-command has. */
    public abstract static class Common {
        /** Set by picocli: which options were given explicitly (run folders fill in the others). */
        @Spec
        public CommandSpec spec;

        @Option(names = "--into", paramLabel = "NAME",
                description = "Bind the result to the notebook variable NAME for later cells.")
        public String into;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        public boolean help;

        @Option(names = "--verbose", description = "On an error, also print its stack trace (LXMERT_VERBOSE=1 in the "
                + "kernel's environment does it for every cell).")
        public boolean verbose;
    }

    /** {@code %lxmert synth}: create the synthetic world (as {@code lxmert data synth}). */
    @Command(name = "synth", description = "Write the deterministic synthetic world (VQA, GQA, NLVR2, pretraining data, "
            + "features, answer tables, vocab); returns its summary.")
    public static final class Synth extends Common {
        @Option(names = "--out", required = true, description = "data root to write (e.g. data/)")
        public Path out;

        @Option(names = "--seed", defaultValue = "9595", description = "random seed (default ${DEFAULT-VALUE})")
        public long seed;

        @Option(names = "--scale", defaultValue = "40.0", converter = Check.PositiveDouble.class, description = "size multiplier (default ${DEFAULT-VALUE})")
        public double scale;

        @Option(names = "--feat-dim", defaultValue = "64", converter = Check.PositiveInt.class, description = "visual feature dim (default ${DEFAULT-VALUE})")
        public int featDim;

        @Option(names = "--boxes", defaultValue = "8", converter = Check.PositiveInt.class, description = "boxes per image: objects + clutter (default ${DEFAULT-VALUE})")
        public int boxes;
    }

    /** {@code %lxmert finetune}: fine-tune on a task (as {@code lxmert finetune}). */
    @Command(name = "finetune", description = "Fine-tune LXMERT on vqa, gqa or nlvr2 with a live progress display; "
            + "writes OUTPUT/log.log, BEST.pth, LAST.pth (+ LAST.resume.pth); returns the training run.")
    public static final class Finetune extends Common {
        @Option(names = "--task", description = "vqa, gqa or nlvr2 (with --resume or --load RUN/X: the run folder's)")
        public String task;

        @Option(names = "--data", defaultValue = "data", description = "data root in the original layout (default ${DEFAULT-VALUE})")
        public Path data;

        @Option(names = "--output", required = true, description = "output directory")
        public Path output;

        @Option(names = "--config", defaultValue = "lxr955", description = "lxr955, tiny or a config JSON (default ${DEFAULT-VALUE})")
        public String config;

        @Option(names = "--vocab", description = "BERT vocabulary (default DATA/bert-base-uncased-vocab.txt)")
        public Path vocab;

        @Option(names = "--train", description = "comma-separated training splits (task default)")
        public String train;

        @Option(names = "--valid", description = "validation split (task default; '' for none)")
        public String valid;

        @Option(names = "--epochs", defaultValue = "4", converter = Check.PositiveInt.class)
        public int epochs;

        @Option(names = "--batch-size", defaultValue = "32", converter = Check.PositiveInt.class)
        public int batchSize;

        @Option(names = "--accumulate", defaultValue = "1", converter = Check.PositiveInt.class,
                description = "micro-batches per update: the same update as one batch of --batch-size (default ${DEFAULT-VALUE})")
        public int accumulate;

        @Option(names = "--eval-batch-size", defaultValue = "1024", converter = Check.PositiveInt.class)
        public int evalBatchSize;

        @Option(names = "--lr", description = "learning rate (task default)", converter = Check.PositiveDouble.class)
        public Double lr;

        @Option(names = "--seed", defaultValue = "9595")
        public long seed;

        @Mixin
        public DeviceOption dev;

        @Option(names = "--mce-loss", description = "GQA: cross entropy on the best answer instead of BCE")
        public boolean mceLoss;

        @Option(names = "--cache-dir", description = "where feature stores go (default: beside each TSV)")
        public Path cacheDir;

        @Option(names = "--resume", description = "continue from OUTPUT/LAST.resume.pth")
        public boolean resume;

        @ArgGroup(exclusive = true)
        public Weights weights;

        /** How to initialise (at most one). */
        public static final class Weights {
            @Option(names = "--from-scratch", description = "random initialisation (the default)")
            public boolean fromScratch;

            @Option(names = "--load-lxmert", description = "pretrained LXMERT .pth: encoder only")
            public Path lxmert;

            @Option(names = "--load-lxmert-qa", description = "pretrained LXMERT .pth: encoder + answer-head surgery")
            public Path lxmertQa;

            @Option(names = "--load", description = "a task snapshot (this project's or the original's)")
            public Path snapshot;

            @Option(names = "--bert", description = "HuggingFace bert-base-uncased pytorch_model.bin: language layers, embeddings, pooler")
            public Path bert;
        }

        @ArgGroup(exclusive = true)
        public Size size;

        /** Data size (at most one). */
        public static final class Size {
            @Option(names = "--tiny", description = "first 512 images of each feature file")
            public boolean tiny;

            @Option(names = "--fast", description = "first 5000 images of each feature file")
            public boolean fast;
        }

        @Option(names = "--no-progress", description = "magic only: no live progress display")
        public boolean noProgress;
    }

    /** {@code %lxmert pretrain}: pretrain LXMERT (as {@code lxmert pretrain}). */
    @Command(name = "pretrain", description = "Pretrain LXMERT (masked LM, object prediction, matching, QA) with a live "
            + "progress bar and per-task loss chart; writes OUTPUT/log.log, EpochNN_LXRT.pth, BEST_EVAL_LOSS_LXRT.pth, "
            + "LAST_LXRT.pth (+ LAST.resume.pth); returns the run (per-epoch table).")
    public static final class Pretrain extends Common {
        @Option(names = "--data", defaultValue = "data", description = "data root in the original layout (default ${DEFAULT-VALUE})")
        public Path data;
        @Option(names = "--output", required = true, description = "output directory")
        public Path output;
        @Option(names = "--train", defaultValue = lxmert.tasks.pretrain.PretrainOptions.DEFAULT_TRAIN, description = "training sources (default ${DEFAULT-VALUE})")
        public String train;
        @Option(names = "--valid", defaultValue = lxmert.tasks.pretrain.PretrainOptions.DEFAULT_VALID, description = "valid sources (default ${DEFAULT-VALUE}; '' for none)")
        public String valid;
        @Option(names = "--config", defaultValue = "lxr955", description = "lxr955, tiny, synth or a config JSON (default ${DEFAULT-VALUE})")
        public String config;
        @Option(names = "--vocab", description = "BERT vocabulary (default DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt)")
        public Path vocab;
        @Option(names = "--epochs", defaultValue = "20", converter = Check.PositiveInt.class)
        public int epochs;
        @Option(names = "--batch-size", defaultValue = "256", converter = Check.PositiveInt.class)
        public int batchSize;
        @Option(names = "--accumulate", defaultValue = "1", converter = Check.PositiveInt.class,
                description = "micro-batches per update: the same update as one batch of --batch-size (default ${DEFAULT-VALUE})")
        public int accumulate;
        @Option(names = "--lr", defaultValue = "1e-4", converter = Check.PositiveDouble.class)
        public double lr;
        @Option(names = "--seed", defaultValue = "9595")
        public long seed;
        @Option(names = "--task-mask-lm", description = "masked language modelling")
        public boolean taskMaskLm;
        @Option(names = "--task-obj-predict", description = "masked object prediction (--visual-losses)")
        public boolean taskObjPredict;
        @Option(names = "--task-matched", description = "cross-modality matching")
        public boolean taskMatched;
        @Option(names = "--task-qa", description = "image question answering")
        public boolean taskQa;
        @Option(names = "--visual-losses", defaultValue = "obj,attr,feat", description = "default ${DEFAULT-VALUE}")
        public String visualLosses;
        @Option(names = "--word-mask-rate", defaultValue = "0.15", converter = Check.UnitInterval.class)
        public double wordMaskRate;
        @Option(names = "--obj-mask-rate", defaultValue = "0.15", converter = Check.UnitInterval.class)
        public double objMaskRate;
        @Option(names = "--qa-sets", description = "answer sets of all_ans.json to keep, e.g. vqa,gqa,visual7w (default: all)")
        public String qaSets;
        @Option(names = "--cache-dir", description = "where feature stores go (default: beside each TSV)")
        public Path cacheDir;
        @Option(names = "--resume", description = "continue from OUTPUT/LAST.resume.pth")
        public boolean resume;
        @Mixin
        public DeviceOption dev;

        @ArgGroup(exclusive = true)
        public Weights weights;

        /** How to initialise (at most one). */
        public static final class Weights {
            @Option(names = "--from-scratch", description = "random initialisation (the default)")
            public boolean fromScratch;
            @Option(names = "--load-lxmert", description = "LXMERT weights P (P or P_LXRT.pth), answer head excluded")
            public Path lxmert;
            @Option(names = "--bert", description = "HuggingFace bert-base-uncased pytorch_model.bin")
            public Path bert;
        }

        @ArgGroup(exclusive = true)
        public Size size;

        /** Data size (at most one). */
        public static final class Size {
            @Option(names = "--tiny", description = "first 500 images of each feature file")
            public boolean tiny;
            @Option(names = "--fast", description = "first 5000 images of each feature file")
            public boolean fast;
        }

        @Option(names = "--no-progress", description = "magic only: no live progress display")
        public boolean noProgress;
    }

    /** {@code %lxmert test}: predict a split with a snapshot (as {@code lxmert test}). */
    @Command(name = "test", description = "Predict a split with a snapshot; writes OUTPUT/<split>_predict.json (vqa, gqa) "
            + "or .csv (nlvr2); returns the predictions (table, accuracy).")
    public static final class Test extends Common {
        @Option(names = "--task", description = "vqa, gqa or nlvr2 (default: the run folder's run.json)")
        public String task;

        @Option(names = "--data", defaultValue = "data", description = "data root (default: the run folder's, else ${DEFAULT-VALUE})")
        public Path data;

        @Option(names = "--load", required = true, description = "task snapshot (X, X.pth); RUN/BEST of a run folder needs no other option")
        public Path load;

        @Option(names = "--test", required = true, description = "split to predict")
        public String test;

        @Option(names = "--output", required = true)
        public Path output;

        @Option(names = "--batch-size", defaultValue = "1024", converter = Check.PositiveInt.class)
        public int batchSize;

        @Option(names = "--config", description = "lxr955, tiny or JSON (default: config.json beside the snapshot, else lxr955)")
        public String config;

        @Option(names = "--vocab", description = "vocabulary (default: the run folder's copy, else DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt)")
        public Path vocab;

        @Mixin
        public DeviceOption dev;

        @Option(names = "--precision", defaultValue = "fp32", converter = lxmert.util.Precision.Converter.class,
                description = "fp32 or fp16 (fp16 on a GPU only; LayerNorm and softmax stay float32)")
        public lxmert.util.Precision precision;
    }

    /** {@code %lxmert evaluate}: score a prediction file (as {@code lxmert evaluate}). */
    @Command(name = "evaluate", description = "Score a prediction / submission file; returns the evaluation.")
    public static final class Evaluate extends Common {
        @Option(names = "--task", description = "vqa, gqa or nlvr2 (default: the --run folder's)")
        public String task;

        @Option(names = "--data", defaultValue = "data", description = "data root (default: the --run folder's, else ${DEFAULT-VALUE})")
        public Path data;

        @Option(names = "--run", description = "a fine-tuning run folder (its run.json gives --task and --data)")
        public Path run;

        @Option(names = "--split", required = true, description = "split(s), comma-separated, e.g. minival")
        public String split;

        @Option(names = "--predictions", required = true, description = "VQA/GQA json or NLVR2 csv")
        public Path predictions;

        @Option(names = "--annotations", description = "official VQA annotation file (mscoco_val2014_annotations.json)")
        public Path annotations;

        @Option(names = "--vqa-eval-version", defaultValue = "2021-03-11", description = "with --annotations: 2021-03-11 (the current vqaEval.py, default) or 2017 (the script before its 2021-03-11 fix)")
        public String vqaEvalVersion;
    }

    /** {@code %lxmert load}: load a task snapshot as a model for later cells (magic only). */
    @Command(name = "load", description = "Load a task snapshot as a model usable from later cells (test, attention maps).")
    public static final class Load extends Common {
        @Parameters(index = "0", paramLabel = "FILE", description = "task snapshot (X, X.pth)")
        public Path file;

        @Option(names = "--task", description = "vqa, gqa or nlvr2 (default: the run folder's run.json)")
        public String task;

        @Option(names = "--data", defaultValue = "data", description = "data root: answer table and vocabulary (default: the run folder's, else ${DEFAULT-VALUE})")
        public Path data;

        @Option(names = "--config", description = "lxr955, tiny or JSON (default: config.json beside the snapshot, else lxr955)")
        public String config;

        @Option(names = "--vocab", description = "vocabulary (default DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt)")
        public Path vocab;

        @Mixin
        public DeviceOption dev;
    }
}
