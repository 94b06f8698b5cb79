package lxmert.kernel.jshell;

import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates notebook cells with an in-process JShell: a cell is split into complete snippets
 * ({@link SourceCodeAnalysis#analyzeCompletion}), each is evaluated in order, and the value of a trailing
 * expression is returned as the Java object itself. A trailing expression that the user ends with {@code ;}
 * ({@code display(table);}) is a statement and gives no value, as in IPython.
 *
 * <p>Not thread safe: one cell at a time, on the caller's thread (the kernel's execution thread).
 */
public final class CellEvaluator implements AutoCloseable {
    /** Returned by {@link #eval(String)} when the cell ends in something that has no value (a declaration...). */
    public static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "NO_VALUE";
        }
    };

    private final JShell shell;
    private final InProcessExecutionControl control;
    private final List<String> classpath = new ArrayList<>();

    /**
     * @param parent          class loader whose classes cells see (the kernel's own)
     * @param instrumentation for redefinitions that keep values; {@code null} to run without (values may reset)
     * @param guard           brackets user code so interrupts reach only user code
     * @param out             stream JShell itself writes to (diagnostic output of the engine), not cell output
     */
    public CellEvaluator(ClassLoader parent, Instrumentation instrumentation, ExecutionGuard guard, PrintStream out) {
        SnippetLoader loader = new SnippetLoader(parent);
        InProcessExecutionControl ctl = new InProcessExecutionControl(loader, instrumentation, guard);
        this.control = ctl;
        this.shell = JShell.builder()
                .in(InputStream.nullInputStream())
                .out(out)
                .err(out)
                .executionEngine(new ExecutionControlProvider() {
                    @Override
                    public String name() {
                        return "lxmert-in-process";
                    }

                    @Override
                    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                        return ctl;
                    }
                }, Map.of())
                .build();
    }

    /** The execution engine (for interrupting user code and reading its state). */
    public InProcessExecutionControl control() {
        return control;
    }

    /** The JShell instance (for completion and inspection). */
    public JShell shell() {
        return shell;
    }

    /** Adds class path entries ({@link File#pathSeparator}-separated) for compiling and running cells. */
    public void addToClasspath(String path) {
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isBlank() || classpath.contains(entry)) continue;
            shell.addToClasspath(entry);
            classpath.add(entry);
        }
    }

    /** The entries added with {@link #addToClasspath(String)}, in order. */
    public List<String> classpath() {
        return List.copyOf(classpath);
    }

    /**
     * Evaluates a cell. Returns the value of a trailing expression (possibly {@code null}) or {@link #NO_VALUE}.
     *
     * @throws CompilationException a snippet does not compile (names the snippet and the diagnostics)
     * @throws JShellException      user code threw ({@link EvalException}) or used an unresolved definition
     * @throws IncompleteSourceException the cell ends in an incomplete statement
     */
    public Object eval(String cell) throws Exception {
        return eval(cell, () -> false);
    }

    /**
     * As {@link #eval(String)}, checking {@code stopRequested} before each snippet and throwing
     * {@link java.util.concurrent.CancellationException} when it is set.
     */
    public Object eval(String cell, java.util.function.BooleanSupplier stopRequested) throws Exception {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = cell;
        Object result = NO_VALUE;
        try {
            while (!remaining.isBlank()) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
                SourceCodeAnalysis.Completeness c = info.completeness();
                if (c == SourceCodeAnalysis.Completeness.EMPTY) break;
                if (stopRequested.getAsBoolean()) {
                    throw new java.util.concurrent.CancellationException("interrupted before: " + firstLine(remaining));
                }
                if (c == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
                        || c == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE) {
                    throw new IncompleteSourceException(remaining.strip());
                }
                String source = c == SourceCodeAnalysis.Completeness.UNKNOWN ? remaining : info.source();
                remaining = c == SourceCodeAnalysis.Completeness.UNKNOWN ? "" : info.remaining();
                result = evalSnippet(source);
                // an expression the user ended with ';' is a statement: no cell value (IPython's convention)
                if (c == SourceCodeAnalysis.Completeness.COMPLETE && source.strip().endsWith(";")) result = NO_VALUE;
            }
        } finally {
            control.clearValues();
        }
        return result;
    }

    private Object evalSnippet(String source) throws Exception {
        Object result = NO_VALUE;
        for (SnippetEvent e : shell.eval(source)) {
            if (e.causeSnippet() != null) continue; // updates of dependent snippets
            Snippet s = e.snippet();
            if (e.status() == Snippet.Status.REJECTED) {
                throw new CompilationException(source, describe(s));
            }
            JShellException ex = e.exception();
            if (ex != null) throw ex;
            if (hasValue(s) && InProcessExecutionControl.isValueKey(e.value())) {
                result = control.takeValue(e.value());
            }
        }
        return result;
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " ...";
    }

    private static boolean hasValue(Snippet s) {
        return s.kind() == Snippet.Kind.EXPRESSION
                || s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private List<String> describe(Snippet s) {
        List<String> lines = new ArrayList<>();
        shell.diagnostics(s).forEach(d -> lines.add(format(s.source(), d)));
        if (lines.isEmpty()) lines.add("rejected by JShell (no diagnostics)");
        return lines;
    }

    private static String format(String source, Diag d) {
        long pos = d.getStartPosition();
        String where = "";
        if (pos >= 0 && pos <= source.length()) {
            int line = 1;
            for (int i = 0; i < pos; i++) if (source.charAt(i) == '\n') line++;
            where = "line " + line + ": ";
        }
        return (d.isError() ? "error: " : "warning: ") + where + d.getMessage(Locale.ROOT);
    }

    /** Unresolved references of a defined but incomplete snippet are reported as this. */
    public static String describeUnresolved(UnresolvedReferenceException e) {
        return "'" + e.getSnippet().source().strip() + "' uses a definition that does not exist yet";
    }

    /** The current value of a top-level variable rendered as JShell does, if defined. */
    public Optional<String> varValue(String name) {
        return shell.variables().filter(v -> v.name().equals(name)).findFirst().map(shell::varValue);
    }

    /** Hard stop of running user code (see {@link InProcessExecutionControl#stop()}). */
    public void stop() {
        shell.stop();
    }

    @Override
    public void close() {
        shell.close();
    }

    /** A snippet that does not compile. */
    public static final class CompilationException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String source;
        private final List<String> diagnostics;

        CompilationException(String source, List<String> diagnostics) {
            super("cannot compile:\n" + source.strip() + "\n" + String.join("\n", diagnostics));
            this.source = source;
            this.diagnostics = List.copyOf(diagnostics);
        }

        public String source() {
            return source;
        }

        public List<String> diagnostics() {
            return diagnostics;
        }
    }

    /** A cell that ends in the middle of a statement. */
    public static final class IncompleteSourceException extends Exception {
        private static final long serialVersionUID = 1L;

        IncompleteSourceException(String source) {
            super("incomplete statement at the end of the cell:\n" + source);
        }
    }
}
