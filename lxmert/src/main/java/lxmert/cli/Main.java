package lxmert.cli;

import java.io.PrintWriter;

import lxmert.checkpoint.CheckpointException;
import lxmert.data.DataFormatException;
import lxmert.util.Errors;
import lxmert.util.Logging;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code lxmert} command line: one picocli sub-command per verb, each a thin layer over the library.
 * Sub-commands are registered in {@link #commandLine()}; add yours there (one line each).
 *
 * <p>Errors: every error is one line on stderr, {@code lxmert <command>: error: <message>}; the exit status is
 * {@value #EXIT_USAGE} for bad usage or bad input (picocli parameter errors, including option values refused by
 * {@link lxmert.util.Check}; {@link IllegalArgumentException}, {@link DataFormatException},
 * {@link CheckpointException}, missing or unreadable files) and {@value #EXIT_FAILURE} for a failure while running.
 * The stack trace is printed only with {@code --verbose} (accepted by every sub-command) or {@code LXMERT_VERBOSE=1},
 * which also shows every log line ({@link Logging}).
 */
@Command(name = "lxmert", mixinStandardHelpOptions = true, version = "lxmert 0.1.0",
        description = "LXMERT (Tan & Bansal 2019) on DJL: model, checkpoints, data, fine-tuning, evaluation.")
public final class Main implements Runnable {
    /** Exit status of bad usage or bad input. */
    public static final int EXIT_USAGE = 2;
    /** Exit status of a failure while running. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "stack traces on errors and every log line (also: environment LXMERT_VERBOSE=1)")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with every sub-command registered, the error handlers and the logging set-up. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // --- sub-commands (one line each) ---
        cl.addSubcommand(new VerifyReferenceCommand());
        cl.addSubcommand(new FinetuneCommand());
        cl.addSubcommand(new PretrainCommand());
        cl.addSubcommand(new TestCommand());
        cl.addSubcommand(new TokenizeCommand());
        cl.addSubcommand(new ConvertCommand());
        cl.addSubcommand(new BenchCommand());
        cl.addSubcommand(new DataCommand());
        cl.addSubcommand(new EvaluateCommand());
        cl.addSubcommand(new DevicesCommand());
        cl.setParameterExceptionHandler(Main::parameterError);
        cl.setExecutionExceptionHandler(Main::executionError);
        cl.setExecutionStrategy(pr -> {
            Logging.configure(verbose(pr));
            return new CommandLine.RunLast().execute(pr);
        });
        return cl;
    }

    /** True when {@code --verbose} was given to any command of the parse result, or LXMERT_VERBOSE is set. */
    static boolean verbose(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) return true;
        }
        return Logging.verboseFromEnvironment();
    }

    private static int parameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": error: " + e.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ") + " (see " + name + " --help)");
        if (java.util.Arrays.asList(args).contains("--verbose") || Logging.verboseFromEnvironment()) e.printStackTrace(err);
        err.flush();
        return EXIT_USAGE;
    }

    private static int executionError(Exception e, CommandLine cmd, CommandLine.ParseResult pr) {
        return reportError(Errors.unwrap(e), e, cmd, pr);
    }

    /**
     * The one error line of a failed command ({@code NAME: error: MESSAGE}, the stack trace with {@code --verbose}) for
     * the cause {@code t} of {@code e}; returns the exit status: 2 for bad input, 1 for a failure. Also used by
     * {@code lxmert-spark}, which finds the cause inside Spark's exceptions first.
     */
    public static int reportError(Throwable t, Exception e, CommandLine cmd, CommandLine.ParseResult pr) {
        PrintWriter err = cmd.getErr();
        boolean verbose = verbose(pr);
        boolean input = Errors.isBadInput(t);
        err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + Errors.message(t)
                + (verbose || input ? "" : "; --verbose shows the stack trace"));
        if (verbose) e.printStackTrace(err);
        err.flush();
        return input ? EXIT_USAGE : EXIT_FAILURE;
    }

    public static void main(String[] args) {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        System.exit(commandLine().execute(args));
    }
}
