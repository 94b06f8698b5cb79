package lxmert.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lxmert} command line: one picocli sub-command per verb, each a thin layer over the library.
 * Sub-commands are registered in {@link #commandLine()}; add yours there (one line each).
 */
@Command(name = "lxmert", mixinStandardHelpOptions = true, version = "lxmert 0.1.0",
        description = "LXMERT (Tan & Bansal 2019) on DJL: model, checkpoints, data, fine-tuning, evaluation.")
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with every sub-command registered. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // --- sub-commands (one line each) ---
        cl.addSubcommand(new VerifyReferenceCommand());
        cl.addSubcommand(new FinetuneCommand());
        cl.addSubcommand(new TestCommand());
        cl.addSubcommand(new TokenizeCommand());
        cl.addSubcommand(new ConvertCommand());
        cl.addSubcommand(new BenchCommand());
        cl.addSubcommand(new DataCommand());
        cl.addSubcommand(new EvaluateCommand());
        return cl;
    }

    public static void main(String[] args) {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        System.exit(commandLine().execute(args));
    }
}
