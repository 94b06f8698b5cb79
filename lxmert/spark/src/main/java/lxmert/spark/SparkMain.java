package lxmert.spark;

import lxmert.util.Errors;
import lxmert.util.Logging;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@code lxmert-spark.jar}: the LXMERT jobs that scale out on Apache Spark ({@code test}, {@code evaluate},
 * {@code features}). Errors as the {@code lxmert} CLI: one line, exit 2 for bad usage or input, 1 for failures,
 * stack traces only with {@code --verbose}. Spark, Hadoop, Parquet and Netty log WARN and above unless
 * {@code --verbose} (one SLF4J binding: the project's slf4j-simple).
 */
@Command(name = "lxmert-spark", mixinStandardHelpOptions = true, version = "lxmert-spark 0.1.0",
        description = "LXMERT jobs on Apache Spark (local[*] by default, or any --master / spark-submit).")
public final class SparkMain implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "stack traces on errors and every log line")
    boolean verbose;

    private static final String[] QUIET = {"org.apache.spark", "org.sparkproject", "org.apache.hadoop", "org.apache.parquet",
        "io.netty", "org.apache.kerby", "org.apache.curator", "org.apache.zookeeper"};
    /** Loggers whose WARN says nothing a user can act on (the pure-Java Hadoop code is what runs here). */
    private static final String[] SILENT_WARN = {"org.apache.hadoop.util.NativeCodeLoader"};

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static Consumer<String> warn(String cmd) {
        return m -> System.err.println("lxmert-spark " + cmd + ": " + m);
    }

    /** Spark's loggers at WARN unless verbose; must run before the first Spark class logs. */
    static void quiet(boolean verbose) {
        Logging.configure(verbose);
        if (verbose) return;
        for (String p : QUIET) {
            String key = "org.slf4j.simpleLogger.log." + p;
            if (System.getProperty(key) == null) System.setProperty(key, "warn");
        }
        for (String p : SILENT_WARN) System.setProperty("org.slf4j.simpleLogger.log." + p, "error");
        // a failed task is reported once, as the command's error line: not as the executor's and the scheduler's
        // stack traces (--verbose shows them)
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.spark.executor.Executor", "off");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.spark.scheduler.TaskSetManager", "off");
        for (String noisy : new String[] {"org.apache.spark.util.Utils", "org.apache.spark.sql.execution.datasources.FileFormatWriter",
            "org.apache.spark.sql.execution.datasources.FileFormatDataWriter", "org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter", "org.apache.hadoop.util.Shell"}) {
            System.setProperty("org.slf4j.simpleLogger.log." + noisy, "off");
        }
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.addSubcommand(new SparkTestCommand());
        cl.addSubcommand(new SparkEvaluateCommand());
        cl.addSubcommand(new FeaturesCommand());
        cl.addSubcommand(new BenchCommand());
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            PrintWriter err = cmd.getErr();
            String name = cmd.getCommandSpec().qualifiedName();
            err.println(name + ": error: " + e.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ") + " (see " + name + " --help)");
            if (Arrays.asList(args).contains("--verbose")) e.printStackTrace(err);
            err.flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((e, cmd, pr) -> lxmert.cli.Main.reportError(cause(e), e, cmd, pr));
        cl.setExecutionStrategy(pr -> {
            quiet(verbose(pr));
            return new CommandLine.RunLast().execute(pr);
        });
        return cl;
    }

    static boolean verbose(CommandLine.ParseResult pr) {
        for (CommandLine.ParseResult p = pr; p != null; p = p.subcommand()) if (p.hasMatchedOption("--verbose")) return true;
        return Logging.verboseFromEnvironment();
    }

    /**
     * What went wrong: through Spark's job failure (a {@code SparkException} whose cause is the task's exception) to
     * the exception an executor threw, then through the wrappers {@link Errors#unwrap} knows. When Spark kept only
     * the text of the task's exception (a write job, or an exception that did not deserialize), the innermost
     * "Caused by" (or the lost task's exception) of that text is the error: bad input when its class is one of the
     * project's bad-input exceptions.
     */
    static Throwable cause(Throwable e) {
        Throwable t = Errors.unwrap(e);
        for (int i = 0; i < 10 && t.getCause() != null && t.getCause() != t
                && (isSpark(t) || t instanceof java.io.UncheckedIOException); i++) {
            t = Errors.unwrap(t.getCause());
        }
        if (isSpark(t) && t.getMessage() != null) {
            Throwable told = fromText(t.getMessage());
            if (told != null) return told;
        }
        return t;
    }

    private static boolean isSpark(Throwable t) {
        return t.getClass().getName().startsWith("org.apache.spark.");
    }

    private static final java.util.regex.Pattern EXCEPTION = java.util.regex.Pattern.compile(
            "(?:Caused by: |\\): )([a-zA-Z_$][\\w$]*(?:\\.[a-zA-Z_$][\\w$]*)+(?:Exception|Error)): ([^\\n]*)");
    private static final java.util.Set<String> BAD_INPUT = java.util.Set.of("lxmert.data.DataFormatException",
            "lxmert.checkpoint.CheckpointException", "java.lang.IllegalArgumentException", "java.lang.NumberFormatException",
            "java.nio.file.NoSuchFileException", "java.io.FileNotFoundException", "java.nio.file.AccessDeniedException",
            "java.nio.file.NotDirectoryException");

    /** The innermost exception named in a Spark failure's text, or null. */
    static Throwable fromText(String text) {
        java.util.regex.Matcher m = EXCEPTION.matcher(text);
        String cls = null, msg = null;
        while (m.find()) {
            if (m.group(1).startsWith("org.apache.spark.")) continue;
            cls = m.group(1);
            msg = m.group(2).strip();
        }
        if (cls == null) return null;
        if (cls.equals("java.nio.file.NoSuchFileException")) msg = "file not found: " + msg;
        return BAD_INPUT.contains(cls) ? new IllegalArgumentException(msg) : new RuntimeException(msg + " (" + cls + ")");
    }

    public static void main(String[] args) {
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        System.exit(commandLine().execute(args));
    }
}
