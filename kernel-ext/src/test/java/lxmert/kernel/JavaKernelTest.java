package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import jdk.jshell.EvalException;
import lxmert.kernel.jshell.CellEvaluator;
import lxmert.kernel.jshell.RedefineAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The kernel in-process: cells, state across cells, output, display ids, magics, class path, interrupts. */
class JavaKernelTest {
    static Instrumentation inst;
    RecordingOutput out;
    JavaKernel kernel;

    @BeforeAll
    static void agent() {
        Main.configureLogging();
        inst = RedefineAgent.attachToSelf();
    }

    @BeforeEach
    void start() throws Exception {
        out = new RecordingOutput();
        kernel = new JavaKernel(KernelConfig.basic(inst, out));
    }

    @AfterEach
    void stop() {
        kernel.close();
    }

    private String text(DisplayData d) {
        assertNotNull(d, "cell had no value");
        return String.valueOf(d.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void expressionValueIsTheCellResult() throws Exception {
        assertEquals("3", text(kernel.eval("int a = 1;\nint b = 2;\na + b")));
        assertNull(kernel.eval("int c = 5;"), "a declaration has no cell value");
        assertEquals("hello", text(kernel.eval("\"hel\" + \"lo\"")));
        assertNull(kernel.eval("\"no value\".length();"), "a trailing ';' makes an expression a statement");
        assertEquals("8", text(kernel.eval("\"a value\".length() + 1")));
    }

    @Test
    void stdoutAndStderrOfTheCellAreForwarded() throws Exception {
        kernel.eval("System.out.println(\"to out\"); System.err.println(\"to err\"); System.out.print(\"tail\");");
        assertEquals("to out\ntail", out.stdout());
        assertEquals("to err\n", out.stderr());
    }

    @Test
    void valuesPersistAcrossManyCellsWithRedefinitions() throws Exception {
        assumeRedefinition();
        kernel.eval("int base = 10;");
        kernel.eval("int twice() { return base * 2; }");
        kernel.eval("int v = twice();");
        kernel.eval("var w = twice() + 1;"); // an inferred-type variable: IJava's engine resets it on redefinition
        kernel.eval("var names = new ArrayList<>(List.of(\"a\"));");
        kernel.eval("class Box { int n; Box(int n) { this.n = n; } }");
        kernel.eval("Box box = new Box(7);");
        kernel.eval("long counter = 0;");
        for (int i = 0; i < 60; i++) {
            kernel.eval("counter += " + (i + 1) + "; names.add(\"n" + i + "\");");
            if (i % 7 == 0) kernel.eval("int twice() { return base * 2 + " + 0 * i + "; }"); // v depends on it
            if (i % 11 == 0) kernel.eval("String label() { return \"l" + i + "\"; }");
            if (i % 13 == 0) kernel.eval("int helper" + i + " = v + box.n;");
            if (i % 17 == 0) kernel.eval("double base2 = base * 1.5;");
        }
        assertEquals("1830", text(kernel.eval("counter")), "sum 1..60 accumulated over 60 cells");
        assertEquals("61", text(kernel.eval("names.size()")));
        assertEquals("20", text(kernel.eval("v")), "v keeps its value after twice() was redefined 9 times");
        assertEquals("21", text(kernel.eval("w")), "var w keeps its value after twice() was redefined 9 times");
        assertEquals("7", text(kernel.eval("box.n")));
        assertEquals("27", text(kernel.eval("helper52")));
        assertEquals("l55", text(kernel.eval("label()")));
        assertEquals("10", text(kernel.eval("base")));
    }

    /**
     * Shows the failure mode the redefinition agent prevents: the stock in-process engine cannot redefine, and
     * JShell then replaces the dependent variable's class, resetting it. If this ever stops failing, the agent
     * is no longer needed (and this test says so).
     */
    @Test
    void withRedefinitionTheSameSequenceKeepsTheValue() throws Exception {
        assumeRedefinition();
        kernel.eval("int f() { return 1; }");
        kernel.eval("var v = f();");
        kernel.eval("int f() { return 5; }");
        assertEquals("1", text(kernel.eval("v")));
        assertEquals("5", text(kernel.eval("f()")));
    }

    @Test
    void withoutRedefinitionDependentVariablesAreReset() throws Exception {
        try (JavaKernel plain = new JavaKernel(KernelConfig.basic(null, new RecordingOutput()))) {
            assertFalse(plain.keepsValuesOnRedefinition());
            plain.eval("int f() { return 1; }");
            plain.eval("var v = f();");
            plain.eval("int f() { return 5; }");
            assertEquals("0", text(plain.eval("v")), "expected JShell's reset without redefinition support");
        }
    }

    private void assumeRedefinition() {
        org.junit.jupiter.api.Assumptions.assumeTrue(kernel.keepsValuesOnRedefinition(),
                "redefinition agent could not attach (needs -Djdk.attach.allowAttachSelf=true)");
    }

    @Test
    void displayReturnsAnIdAndUpdateDisplayTargetsIt() throws Exception {
        DisplayData r = kernel.eval("String id = display(\"first\");\nupdateDisplay(id, \"second\");\nid");
        String id = text(r);
        List<RecordingOutput.Event> shown = out.ofKind("display");
        List<RecordingOutput.Event> updated = out.ofKind("update");
        assertEquals(1, shown.size());
        assertEquals(1, updated.size());
        assertEquals(id, shown.get(0).data().getDisplayId());
        assertEquals(id, updated.get(0).data().getDisplayId());
        assertEquals("first", shown.get(0).data().getData(MIMEType.TEXT_PLAIN));
        assertEquals("second", updated.get(0).data().getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void outputOrderIsKept() throws Exception {
        kernel.eval("System.out.println(\"before\"); display(\"shown\"); System.out.println(\"after\");");
        List<String> kinds = out.events.stream().map(RecordingOutput.Event::kind).toList();
        assertEquals(List.of("stdout", "display", "stdout"), kinds);
    }

    @Test
    void errorsAreReportedAndTheKernelStaysUsable() throws Exception {
        kernel.eval("int kept = 41;");
        CellEvaluator.CompilationException ce = assertThrows(CellEvaluator.CompilationException.class,
                () -> kernel.eval("int x = \"not an int\";"));
        assertTrue(ce.diagnostics().get(0).contains("incompatible types"), ce.diagnostics().toString());
        EvalException ee = assertThrows(EvalException.class, () -> kernel.eval("Integer.parseInt(\"x\")"));
        assertEquals("java.lang.NumberFormatException", ee.getExceptionClassName());
        assertTrue(String.join("\n", kernel.formatError(ee)).contains("NumberFormatException"));
        assertEquals("42", text(kernel.eval("kept + 1")));
    }

    @Test
    void lineMagicsRunBetweenCodeInOrder() throws Exception {
        LxmertExtension.register(kernel);
        DisplayData r = kernel.eval("int a = 1;\n%lxmert help\nSystem.out.println(\"after magic\");\na + 1");
        assertEquals("2", text(r));
        String stdout = out.stdout();
        assertTrue(stdout.contains("finetune") && stdout.contains("evaluate"), stdout);
        assertTrue(stdout.indexOf("finetune") < stdout.indexOf("after magic"));
    }

    @Test
    void jarsAndClasspathMagicsAddClasses(@TempDir Path dir) throws Exception {
        Path jar = compileJar(dir, "demo.Hello", "package demo; public class Hello { public String hi() { return \"hi from jar\"; } }");
        assertThrows(CellEvaluator.CompilationException.class, () -> kernel.eval("new demo.Hello().hi()"));
        kernel.eval("%jars " + dir + "/*.jar");
        assertEquals("hi from jar", text(kernel.eval("new demo.Hello().hi()")));
        assertTrue(text(kernel.eval("%classpath")).contains(jar.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernel.eval("%jars " + dir + "/nothing-*.jar"));
        assertTrue(e.getMessage().contains("nothing-*.jar"), e.getMessage());
    }

    @Test
    void ijavaEnvironmentVariablesAreHonoured(@TempDir Path dir) throws Exception {
        compileJar(dir.resolve("jars"), "demo.Env", "package demo; public class Env { public static int v() { return 7; } }");
        Path script = dir.resolve("startup.jshell");
        Files.writeString(script, "int fromStartup = demo.Env.v() * 6;\n");
        Map<String, String> env = Map.of("IJAVA_CLASSPATH", dir.resolve("jars") + "/*.jar",
                "IJAVA_STARTUP_SCRIPTS_PATH", dir + "/*.jshell", "IJAVA_STARTUP_SCRIPT", "int inline = 1;");
        try (JavaKernel k = new JavaKernel(KernelConfig.fromEnvironment(env, inst).withOutput(new RecordingOutput()))) {
            assertEquals("43", text(k.eval("fromStartup + inline")));
        }
    }

    @Test
    void loggingDoesNotReachCellOutput() throws Exception {
        kernel.eval("org.slf4j.LoggerFactory.getLogger(\"cell\").warn(\"log-line-7f3a\");"
                + "java.util.logging.Logger.getLogger(\"Jupyter\").warning(\"jul-line-7f3a\");");
        assertFalse(out.stdout().contains("7f3a") || out.stderr().contains("7f3a"), out.events.toString());
    }

    @Test
    void interruptWakesABlockedCellAndKeepsState() throws Exception {
        kernel.eval("int survivor = 5;");
        CompletableFuture<Exception> running = CompletableFuture.supplyAsync(() -> {
            try {
                kernel.eval("System.out.println(\"started\");\nwhile (true) { Thread.sleep(20); }");
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        awaitStarted();
        kernel.interrupt();
        Exception e = running.get(20, TimeUnit.SECONDS);
        assertTrue(e instanceof EvalException ee && ee.getExceptionClassName().equals("java.lang.InterruptedException"),
                String.valueOf(e));
        assertEquals("6", text(kernel.eval("survivor + 1")));
        assertFalse(kernel.interrupts().isRequested(), "a new cell clears the flag");
    }

    /** Polling code stops gracefully (its state is kept); the rest of the interrupted cell does not run. */
    @Test
    void interruptFlagIsVisibleToPollingCode() throws Exception {
        CompletableFuture<Exception> running = CompletableFuture.supplyAsync(() -> {
            try {
                kernel.eval("long spins = 0;\nSystem.out.println(\"started\");\n"
                        + "while (!lxmert.kernel.Interrupts.current().isRequested()) { spins++; }\n"
                        + "String rest = \"ran\";");
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        awaitStarted();
        kernel.interrupt();
        Exception e = running.get(20, TimeUnit.SECONDS);
        assertTrue(e instanceof java.util.concurrent.CancellationException, String.valueOf(e));
        assertEquals("true", text(kernel.eval("spins > 0")));
        assertThrows(CellEvaluator.CompilationException.class, () -> kernel.eval("rest"));
    }

    @Test
    void secondInterruptStopsABusyCellHard() throws Exception {
        CompletableFuture<Exception> running = CompletableFuture.supplyAsync(() -> {
            try {
                kernel.eval("System.out.println(\"started\");\nlong x = 0; while (true) { x++; }");
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        awaitStarted();
        kernel.interrupt(); // busy loop ignores the flag and the thread interrupt
        Thread.sleep(300);
        assertFalse(running.isDone(), "a busy loop that does not poll keeps running after one interrupt");
        kernel.interrupt();
        Exception e = running.get(20, TimeUnit.SECONDS);
        assertTrue(e instanceof EvalException ee && ee.getExceptionClassName().equals("java.lang.ThreadDeath"),
                String.valueOf(e));
        assertEquals("2", text(kernel.eval("1 + 1")));
    }

    /** Waits until the running cell printed "started" (its user code runs). */
    private void awaitStarted() throws InterruptedException {
        long end = System.currentTimeMillis() + 30_000;
        while (!out.stdout().contains("started")) {
            assertTrue(System.currentTimeMillis() < end, "cell did not start within 30 s");
            Thread.sleep(20);
        }
        Thread.sleep(100);
    }

    /** An interrupt that arrives before user code runs still wakes it (the guard interrupts on entry). */
    @Test
    void interruptBeforeUserCodeStartsStillStopsIt() throws Exception {
        kernel.interrupts().request(); // as if the request came while JShell was compiling
        Exception e = assertThrows(Exception.class, () -> kernel.evaluator().eval("Thread.sleep(60_000);"));
        assertTrue(e instanceof EvalException ee && ee.getExceptionClassName().equals("java.lang.InterruptedException"),
                String.valueOf(e));
        kernel.interrupts().clear();
    }

    static Path compileJar(Path dir, String className, String source) throws Exception {
        Files.createDirectories(dir);
        Path src = dir.resolve("src");
        Path classes = dir.resolve("classes");
        Path file = src.resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.createDirectories(classes);
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), file.toString()));
        Path jar = dir.resolve(className.replace('.', '-') + ".jar");
        try (JarOutputStream jo = new JarOutputStream(Files.newOutputStream(jar))) {
            String entry = className.replace('.', '/') + ".class";
            jo.putNextEntry(new JarEntry(entry));
            jo.write(Files.readAllBytes(classes.resolve(entry)));
            jo.closeEntry();
        }
        return jar;
    }
}
