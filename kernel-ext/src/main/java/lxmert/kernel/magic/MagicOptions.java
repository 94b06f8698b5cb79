package lxmert.kernel.magic;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/**
 * The options of the {@code %lxmert} sub-commands, parsed by picocli. Names follow the original LXMERT command
 * line (kebab-case: {@code --batch-size} for {@code --batchSize}, {@code --load-lxmert-qa} for
 * {@code --loadLXMERTQA}); the library's CLI is meant to use the same names so a magic line and a shell command
 * read alike. Every sub-command takes {@code --into NAME} to bind its result to a notebook variable.
 */
public final class MagicOptions {
    private MagicOptions() {
    }

    /** Options every sub-command has. */
    public abstract static class Common {
        @Option(names = "--into", paramLabel = "NAME",
                description = "Bind the result to the notebook variable NAME for later cells.")
        public String into;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        public boolean help;
    }

    /** Options naming a task, its data and a model configuration. */
    public abstract static class TaskCommon extends Common {
        @Option(names = "--task", required = true, paramLabel = "TASK",
                description = "vqa, gqa or nlvr2.")
        public String task;

        @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
                description = "Data root (default: ${DEFAULT-VALUE}).")
        public Path data;

        @Option(names = "--config", paramLabel = "FILE|PRESET",
                description = "Model configuration: a JSON file or a preset name.")
        public String config;

        @Option(names = "--batch-size", paramLabel = "N", description = "Batch size.")
        public Integer batchSize;

        @Option(names = "--tiny", description = "Use only a few hundred examples (smoke runs).")
        public boolean tiny;

        @Option(names = "--fast", description = "Use a reduced number of images.")
        public boolean fast;
    }

    /** {@code %lxmert synth}: create the synthetic world. */
    @Command(name = "synth", description = "Create the bundled synthetic world (features, questions, answer tables).")
    public static final class Synth extends Common {
        @Option(names = "--out", paramLabel = "DIR", defaultValue = "data",
                description = "Where to write it (default: ${DEFAULT-VALUE}).")
        public Path out;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "9595", description = "Random seed.")
        public long seed;
    }

    /** {@code %lxmert finetune}: fine-tune on a task. */
    @Command(name = "finetune", description = "Fine-tune LXMERT on a task, with a live progress display.")
    public static final class Finetune extends TaskCommon {
        @Option(names = "--train", paramLabel = "SPLITS", description = "Training splits, comma-separated.")
        public String train;

        @Option(names = "--valid", paramLabel = "SPLITS", description = "Validation splits, comma-separated.")
        public String valid;

        @Option(names = "--test", paramLabel = "SPLIT", description = "Split to predict after training.")
        public String test;

        @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate.")
        public Double lr;

        @Option(names = "--epochs", paramLabel = "N", description = "Number of epochs.")
        public Integer epochs;

        @Option(names = "--seed", paramLabel = "N", description = "Random seed.")
        public Long seed;

        @Option(names = "--output", paramLabel = "DIR", description = "Snapshot directory (BEST, LAST, log).")
        public Path output;

        @Option(names = "--load", paramLabel = "FILE", description = "Resume from a task snapshot.")
        public Path load;

        @Option(names = "--load-lxmert", paramLabel = "FILE", description = "Start from pre-trained LXMERT weights.")
        public Path loadLxmert;

        @Option(names = "--load-lxmert-qa", paramLabel = "FILE",
                description = "Start from pre-trained LXMERT weights with the QA head mapped to the task's answers.")
        public Path loadLxmertQa;

        @Option(names = "--from-scratch", description = "Initialise everything randomly.")
        public boolean fromScratch;

        @Option(names = "--mce-loss", description = "GQA: cross-entropy on the best answer instead of BCE.")
        public boolean mceLoss;

        @Option(names = "--llayers", paramLabel = "N", description = "Language layers.")
        public Integer lLayers;

        @Option(names = "--xlayers", paramLabel = "N", description = "Cross-modality layers.")
        public Integer xLayers;

        @Option(names = "--rlayers", paramLabel = "N", description = "Object-relationship layers.")
        public Integer rLayers;

        @Option(names = "--no-progress", description = "No live progress display.")
        public boolean noProgress;
    }

    /** {@code %lxmert test}: predict a split with a snapshot. */
    @Command(name = "test", description = "Predict a split with a snapshot; returns the predictions table.")
    public static final class Test extends TaskCommon {
        @Option(names = "--load", required = true, paramLabel = "FILE", description = "Task snapshot to use.")
        public Path load;

        @Option(names = "--test", required = true, paramLabel = "SPLIT", description = "Split to predict.")
        public String test;

        @Option(names = "--output", paramLabel = "DIR", description = "Where to write predictions / submission.")
        public Path output;
    }

    /** {@code %lxmert evaluate}: score predictions. */
    @Command(name = "evaluate", description = "Score predictions (or a snapshot) on a labelled split.")
    public static final class Evaluate extends TaskCommon {
        @Option(names = "--predictions", paramLabel = "FILE", description = "Predictions file to score.")
        public Path predictions;

        @Option(names = "--load", paramLabel = "FILE", description = "Snapshot to predict with, if no predictions.")
        public Path load;

        @Option(names = "--split", required = true, paramLabel = "SPLIT", description = "Labelled split.")
        public String split;
    }

    /** {@code %lxmert load}: load a checkpoint. */
    @Command(name = "load", description = "Load a checkpoint (original .pth, task snapshot) as a model.")
    public static final class Load extends Common {
        @Parameters(index = "0", paramLabel = "FILE", description = "Checkpoint file.")
        public Path file;

        @Option(names = "--task", paramLabel = "TASK", description = "Task head to attach (vqa, gqa, nlvr2).")
        public String task;

        @Option(names = "--config", paramLabel = "FILE|PRESET", description = "Model configuration.")
        public String config;
    }
}
