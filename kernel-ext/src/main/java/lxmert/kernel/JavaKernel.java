package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;
import io.github.spencerpark.jupyter.kernel.util.GlobFinder;
import jdk.jshell.EvalException;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import lxmert.kernel.jshell.CellEvaluator;
import lxmert.kernel.jshell.ExecutionGuard;

import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Java kernel: basekernel's Jupyter protocol handling around an in-process JShell (IJava's architecture).
 *
 * <p>Execution model. Every cell runs on one dedicated execution thread ("lxmert-cell"), magics included, so
 * JShell state is only touched from there. The shell thread that received the execute request waits for the
 * cell and forwards its output ({@link OutputPump}); it is the only thread that writes to Jupyter sockets.
 * {@code System.out}/{@code System.err} are redirected to the running cell while it runs.
 *
 * <p>Interrupts ({@code interrupt_request} or SIGINT through {@link Main}): the first sets {@link Interrupts} (which
 * library listeners poll to stop at the next batch) and interrupts the execution thread while user code runs; a
 * second interrupt of the same cell stops the user code hard ({@code ThreadDeath}). Either way the kernel stays
 * usable and later cells run with their state intact.
 *
 * <p>User surface kept from IJava: {@code display(obj)} (returns the display id), {@code updateDisplay(id, obj)},
 * {@code render(obj, mimes...)} statically imported; magics {@code %jars}, {@code %classpath}, {@code %%html},
 * {@code %%markdown}; environment variables through {@link KernelConfig#fromEnvironment}.
 */
public final class JavaKernel extends BaseKernel implements NotebookSession, AutoCloseable {
    private static final String STARTUP_IMPORTS = String.join("\n",
            "import java.util.*;", "import java.util.function.*;", "import java.util.stream.*;",
            "import java.io.*;", "import java.math.*;", "import java.nio.file.*;",
            "import static lxmert.kernel.Display.*;");

    private final KernelConfig config;

    private final CellEvaluator evaluator;
    private final ExecutorService executor;
    private final AtomicReference<Thread> executionThread = new AtomicReference<>();
    private final OutputPump pump = new OutputPump();
    /** Cell magics whose body is text, where {@code $NAME} of an undefined name stays as written (TeX, prices). */
    private static final Set<String> TEXT_BODY_MAGICS = Set.of("html", "markdown");
    private final Magics magics = new Magics();
    private final Interrupts interrupts = new Interrupts();
    private final ExecutionGuard guard = new ExecutionGuard(interrupts::isRequested);
    private final BindingRegistry bindings = new BindingRegistry();
    private final LanguageInfo languageInfo;
    private volatile boolean cellRunning;

    /** Starts JShell, adds the class path, runs the startup scripts and attaches to {@link Notebook}. */
    public JavaKernel(KernelConfig config) throws Exception {
        this.config = config;
        setShouldReplaceStdStreams(false); // done per cell, towards the output pump
        this.languageInfo = new LanguageInfo.Builder("Java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lxmert-cell");
            t.setDaemon(true);
            executionThread.set(t);
            return t;
        });
        // JShell's own diagnostics stream: the process stderr captured now, never a cell's output
        PrintStream engineOut = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        this.evaluator = onExecutionThread(() -> new CellEvaluator(JavaKernel.class.getClassLoader(),
                config.instrumentation(), guard, engineOut));
        registerBuiltinMagics();
        Notebook.attach(this);
        onExecutionThread(() -> {
            for (String entry : hostClasspath()) evaluator.addToClasspath(entry);
            for (String entry : config.classpath()) addClasspathEntries(entry, false);
            evaluator.eval(STARTUP_IMPORTS);
            for (String glob : config.startupScriptGlobs()) {
                for (Path p : resolveGlob(glob, true)) runCell(Files.readString(p));
            }
            if (!config.startupScript().isBlank()) runCell(config.startupScript());
            return null;
        });
    }

    /** The magics registry (basekernel's); extensions register their magics here. */
    public Magics getMagics() {
        return magics;
    }

    /** The cell evaluator (JShell); only to be used on the execution thread. */
    public CellEvaluator evaluator() {
        return evaluator;
    }

    /** Whether JShell redefinitions keep variable values in this kernel (an instrumentation is present). */
    public boolean keepsValuesOnRedefinition() {
        return evaluator.control().canRedefine();
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return languageInfo;
    }

    @Override
    public String getBanner() {
        return "Java " + Runtime.version() + " (lxmert-java kernel: JShell + LXMERT magics)";
    }

    // ------------------------------------------------------------------ execution

    /** Runs a cell (called by basekernel on the shell thread); returns the rendered value of its last part. */
    @Override
    public DisplayData eval(String code) throws Exception {
        KernelOutput sink = config.output() != null ? config.output() : KernelOutput.jupyter(getIO());
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        interrupts.clear();
        pump.open();
        System.setOut(pump.out());
        System.setErr(pump.err());
        System.setIn(getIO().in);
        cellRunning = true;
        try {
            Future<DisplayData> f = executor.submit(() -> {
                Object value = runCell(code);
                return value == CellEvaluator.NO_VALUE ? null : Display.render(this, value);
            });
            return pump.pumpUntilDone(f, sink);
        } finally {
            cellRunning = false;
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
            pump.close();
        }
    }

    /**
     * Runs the parts of a cell in order on the execution thread; returns the value of the last part or
     * {@link CellEvaluator#NO_VALUE}.
     */
    private Object runCell(String code) throws Exception {
        Object last = CellEvaluator.NO_VALUE;
        for (CellParts.Part part : CellParts.split(code)) {
            if (interrupts.isRequested()) throw new Interrupts.CellInterruptedException("interrupted by the user");
            switch (part.kind()) {
                case CODE -> last = evaluator.eval(part.code(), interrupts::isRequested);
                case LINE_MAGIC -> {
                    List<String> args = MagicVariables.expand(part.args(), this::variableText);
                    last = magicResult(() -> magics.applyLineMagic(part.magicName(), args));
                }
                case CELL_MAGIC -> {
                    List<String> args = MagicVariables.expand(part.args(), this::variableText);
                    String body = TEXT_BODY_MAGICS.contains(part.magicName())
                            ? MagicVariables.expandDefined(part.body(), this::variableText)
                            : MagicVariables.expand(part.body(), this::variableText);
                    last = magicResult(() -> magics.applyCellMagic(part.magicName(), args, body));
                }
            }
        }
        return last;
    }

    /** {@code String.valueOf} of the notebook variable {@code name}, empty when no such variable is defined. */
    private java.util.Optional<String> variableText(String name) {
        boolean defined = evaluator.shell().variables().anyMatch(v -> v.name().equals(name)
                && evaluator.shell().status(v).isActive());
        if (!defined) return java.util.Optional.empty();
        try {
            return java.util.Optional.of(String.valueOf(evaluator.eval("String.valueOf(" + name + ")")));
        } catch (Exception e) {
            return java.util.Optional.empty();
        }
    }

    private Object magicResult(Callable call) throws Exception {
        guard.enter();
        try {
            Object v = call.call();
            return v == null ? CellEvaluator.NO_VALUE : v;
        } finally {
            guard.leave();
        }
    }

    private interface Callable {
        Object call() throws Exception;
    }

    /** Runs {@code task} on the execution thread and waits (used outside cells: start-up). */
    private <T> T onExecutionThread(java.util.concurrent.Callable<T> task) throws Exception {
        if (Thread.currentThread() == executionThread.get()) return task.call();
        try {
            return executor.submit(task).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception) throw (Exception) e.getCause();
            throw e;
        }
    }

    /** Interrupt of the running cell (control channel or SIGINT): graceful first, hard on the second request. */
    @Override
    public void interrupt() {
        if (!cellRunning) return;
        int n = interrupts.request();
        if (n == 1) {
            guard.interrupt();
            pump.err().println("[interrupt requested: stopping at the next check; interrupt again to stop now]");
        } else {
            guard.hardStop();
        }
    }

    @Override
    public List<String> formatError(Exception e) {
        List<String> lines = new ArrayList<>();
        if (e instanceof CellEvaluator.CompilationException ce) {
            lines.add("Compilation error in:");
            ce.source().strip().lines().forEach(l -> lines.add("    " + l));
            lines.addAll(ce.diagnostics());
        } else if (e instanceof EvalException ee) {
            lines.add(ee.getExceptionClassName() + (ee.getMessage() == null ? "" : ": " + ee.getMessage()));
            for (StackTraceElement el : ee.getStackTrace()) {
                if (el.getClassName().startsWith("jdk.jshell.") || el.getClassName().startsWith("lxmert.kernel.jshell."))
                    break;
                lines.add("    at " + el);
            }
            for (Throwable c = ee.getCause(); c != null; c = c.getCause()) {
                String name = c instanceof EvalException x ? x.getExceptionClassName() : c.getClass().getName();
                lines.add("Caused by: " + name + (c.getMessage() == null ? "" : ": " + c.getMessage()));
            }
        } else if (e instanceof UnresolvedReferenceException ue) {
            lines.add(CellEvaluator.describeUnresolved(ue));
        } else if (e instanceof CellEvaluator.IncompleteSourceException
                || e instanceof Interrupts.CellInterruptedException
                || e instanceof java.util.concurrent.CancellationException) {
            lines.add(e.getMessage());
        } else if (lxmert.util.Errors.isBadInput(lxmert.util.Errors.unwrap(e)) && !lxmert.util.Logging.verboseFromEnvironment()) {
            // bad usage or input in a magic (an option value, an undefined $NAME, a missing file): the message only
            Throwable t = lxmert.util.Errors.unwrap(e);
            String msg = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
            lines.add("error: " + msg.lines().findFirst().orElse(""));
            msg.lines().skip(1).forEach(lines::add);
        } else {
            return super.formatError(e);
        }
        return lines;
    }

    @Override
    public String isComplete(String code) {
        if (code.stripLeading().startsWith("%%")) return IS_COMPLETE_YES;
        SourceCodeAnalysis.CompletionInfo info;
        try {
            info = evaluator.shell().sourceCodeAnalysis().analyzeCompletion(CellParts.javaOnly(code));
        } catch (RuntimeException e) {
            return IS_COMPLETE_MAYBE;
        }
        return switch (info.completeness()) {
            case COMPLETE, COMPLETE_WITH_SEMI, EMPTY -> IS_COMPLETE_YES;
            case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE -> "    ";
            case UNKNOWN -> IS_COMPLETE_BAD;
        };
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> s = evaluator.shell().sourceCodeAnalysis()
                .completionSuggestions(code, at, anchor);
        Set<String> options = new LinkedHashSet<>();
        s.forEach(x -> options.add(x.continuation()));
        return new ReplacementOptions(new ArrayList<>(options), anchor[0], at);
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        close();
    }

    @Override
    public void close() {
        Notebook.detach(this);
        executor.shutdownNow();
        try {
            evaluator.close();
        } catch (RuntimeException ignored) {
            // closing a JShell whose engine is already gone
        }
    }

    // ------------------------------------------------------------------ NotebookSession

    @Override
    public io.github.spencerpark.jupyter.kernel.display.Renderer renderer() {
        return getRenderer();
    }

    @Override
    public String publishDisplay(DisplayData data) {
        if (!data.hasDisplayId()) data.setDisplayId(UUID.randomUUID().toString());
        pump.display(data);
        return data.getDisplayId();
    }

    /** basekernel's display entry point, routed through the output pump like everything else. */
    @Override
    public void display(DisplayData data) {
        pump.display(data);
    }

    @Override
    public void publishUpdate(String displayId, DisplayData data) {
        data.setDisplayId(displayId);
        pump.updateDisplay(data);
    }

    @Override
    public Interrupts interrupts() {
        return interrupts;
    }

    @Override
    public BindingRegistry bindings() {
        return bindings;
    }

    /** Declares {@code typeName name = Bindings.get("name")} in JShell; must run on the execution thread. */
    @Override
    public boolean declareVariable(String name, String typeName, Object value) throws Exception {
        bindings.put(name, value);
        if (Thread.currentThread() != executionThread.get()) {
            throw new IllegalStateException("variables can only be declared from the running cell (magic thread)");
        }
        evaluator.eval(typeName + " " + name + " = lxmert.kernel.Bindings.get(\"" + name + "\");");
        return true;
    }

    // ------------------------------------------------------------------ class path and built-in magics

    private void registerBuiltinMagics() {
        magics.registerLineMagic("jars", args -> {
            List<String> added = new ArrayList<>();
            for (String glob : args) added.addAll(addClasspathEntries(glob, true));
            return null;
        });
        magics.registerLineMagic("classpath", args -> {
            if (args.isEmpty()) return String.join(File.pathSeparator, evaluator.classpath());
            for (String arg : args) {
                for (String entry : arg.split(File.pathSeparator)) addClasspathEntries(entry, false);
            }
            return null;
        });
        magics.registerCellMagic("html", (args, body) -> {
            DisplayData d = new DisplayData();
            d.putHTML(body);
            publishDisplay(d);
            return null;
        });
        magics.registerCellMagic("markdown", (args, body) -> {
            DisplayData d = new DisplayData();
            d.putMarkdown(body);
            publishDisplay(d);
            return null;
        });
    }

    /**
     * Adds the paths matching {@code glob} to the class path of cells; {@code jarsOnly} keeps files only (what
     * {@code %jars} wants) while {@code %classpath} also takes directories. Throws when nothing matches.
     */
    private List<String> addClasspathEntries(String glob, boolean jarsOnly) throws Exception {
        List<String> added = new ArrayList<>();
        for (Path p : resolveGlob(glob, jarsOnly)) {
            evaluator.addToClasspath(p.toAbsolutePath().toString());
            added.add(p.toString());
        }
        return added;
    }

    private List<Path> resolveGlob(String glob, boolean filesOnly) throws Exception {
        String g = glob.startsWith("~/") ? System.getProperty("user.home") + glob.substring(1) : glob;
        Path direct = Path.of(g);
        if (!direct.isAbsolute()) direct = config.workingDirectory().resolve(g);
        List<Path> out = new ArrayList<>();
        if (!g.contains("*") && !g.contains("?")) {
            if (Files.exists(direct) && (!filesOnly || Files.isRegularFile(direct))) out.add(direct);
        } else {
            GlobFinder finder = new GlobFinder(direct.toString());
            for (Path p : filesOnly ? finder.computeMatchingFiles() : finder.computeMatchingPaths()) out.add(p);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no " + (filesOnly ? "file" : "file or directory") + " matches '" + glob
                    + "' (relative to " + config.workingDirectory() + ")");
        }
        out.sort(null);
        return out;
    }

    private static List<String> hostClasspath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) out.add(e);
        }
        return out;
    }
}
