package lxmert.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import lxmert.data.Nlvr2Process;
import lxmert.data.synth.RandomFeatureTsv;
import lxmert.data.synth.SynthWorld;
import lxmert.util.Check;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code data}: data preparation sub-commands ({@code nlvr2-process}, {@code synth}, hidden {@code make-tsv}). */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Data preparation.",
        subcommands = {
                DataCommand.Nlvr2ProcessCommand.class,
                DataCommand.SynthCommand.class,
                DataCommand.MakeTsvCommand.class,
        })
public final class DataCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    /** The original's {@code data/nlvr2/process_raw_data_scripts/process_dataset.py}. */
    @Command(name = "nlvr2-process", mixinStandardHelpOptions = true,
            description = "Convert the official NLVR2 json-lines files (train/dev/test1.json) into nlvr2/{train,valid,test}.json.")
    public static final class Nlvr2ProcessCommand implements Callable<Integer> {
        @Option(names = "--nlvr", required = true, description = "directory holding train.json, dev.json, test1.json "
                + "(or the nlvr checkout: nlvr2/data/ is searched too)") Path nlvr;
        @Option(names = "--out", required = true, description = "output directory (e.g. data/nlvr2)") Path out;

        @Override
        public Integer call() throws Exception {
            for (Nlvr2Process.Result r : Nlvr2Process.run(nlvr, out)) {
                System.out.println("wrote " + r.output() + " (" + r.count() + " examples from " + r.input() + ")");
            }
            return 0;
        }
    }

    /** Writes the synthetic world. */
    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write the deterministic synthetic world (VQA, GQA, NLVR2, pretraining data, features, answer tables, vocab).")
    public static final class SynthCommand implements Callable<Integer> {
        @CommandLine.Mixin SynthArgs args;

        @Override
        public Integer call() throws Exception {
            SynthWorld.Summary s = new SynthWorld(args.resolve()).write(args.out);
            System.out.println(s);
            return 0;
        }
    }

    /** Hidden helper: a random real-size obj36 TSV for {@code bench features}. */
    @Command(name = "make-tsv", hidden = true, description = "Write a random obj36 TSV (benchmark input).")
    public static final class MakeTsvCommand implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "the TSV file to write") Path out;
        @Option(names = "--images", defaultValue = "1000", converter = Check.PositiveInt.class,
                description = "rows, one image each (default ${DEFAULT-VALUE})") int images;
        @Option(names = "--boxes", defaultValue = "36", converter = Check.PositiveInt.class,
                description = "boxes per image (default ${DEFAULT-VALUE})") int boxes;
        @Option(names = "--dim", defaultValue = "2048", converter = Check.PositiveInt.class,
                description = "feature dimension (default ${DEFAULT-VALUE})") int dim;
        @Option(names = "--seed", defaultValue = "1", description = "random seed of the features (default ${DEFAULT-VALUE})") long seed;

        @Override
        public Integer call() throws Exception {
            RandomFeatureTsv.write(out, images, boxes, dim, seed);
            System.out.println("wrote " + out);
            return 0;
        }
    }
}
