package lxmert.kernel.jshell;

import java.lang.instrument.Instrumentation;

/**
 * Java agent entry points that hand the JVM's {@link Instrumentation} to the kernel so that JShell's
 * class redefinitions can be carried out in-process.
 *
 * <p>Why: JShell keeps every variable in a static field of a generated wrapper class. When a snippet that a
 * variable depends on changes (a method it calls, a class it uses), JShell recompiles the variable's wrapper and
 * asks the execution engine to <em>redefine</em> the already loaded class, which keeps the field's value. The
 * stock in-process engine ({@code DirectExecutionControl}) cannot redefine, so JShell loads a fresh class and the
 * variable silently becomes {@code null}/0 — the "values reset after some cells" bug of IJava.
 * With an {@code Instrumentation} the kernel redefines exactly as JShell's default remote (JDI) engine does.
 *
 * <p>The kernel jar's manifest names this class as {@code Premain-Class} and {@code Agent-Class}; the kernelspec
 * starts the JVM with {@code -javaagent:kernel-ext.jar}. Tests attach it to their own JVM
 * ({@link #attachToSelf()}), which needs {@code -Djdk.attach.allowAttachSelf=true}.
 */
public final class RedefineAgent {
    private static volatile Instrumentation instrumentation;

    private RedefineAgent() {
    }

    /** Called by the JVM for {@code -javaagent:kernel-ext.jar}. */
    public static void premain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    /** Called by the JVM when the agent is attached at run time. */
    public static void agentmain(String args, Instrumentation inst) {
        instrumentation = inst;
    }

    /** The instrumentation handed to the agent, or {@code null} when the JVM was started without it. */
    public static Instrumentation instrumentation() {
        return instrumentation;
    }

    /**
     * Attaches this agent to the running JVM (dynamic attach to itself). Builds a manifest-only agent jar in a
     * temporary file: the agent class itself is already on the class path. Returns the instrumentation, or
     * {@code null} with the reason on {@code System.err} when attaching is not allowed.
     */
    public static Instrumentation attachToSelf() {
        if (instrumentation != null) return instrumentation;
        try {
            java.nio.file.Path jar = java.nio.file.Files.createTempFile("lxmert-redefine-agent", ".jar");
            jar.toFile().deleteOnExit();
            java.util.jar.Manifest mf = new java.util.jar.Manifest();
            mf.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
            mf.getMainAttributes().putValue("Agent-Class", RedefineAgent.class.getName());
            mf.getMainAttributes().putValue("Can-Redefine-Classes", "true");
            try (java.util.jar.JarOutputStream out =
                         new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar), mf)) {
                out.flush();
            }
            String pid = Long.toString(ProcessHandle.current().pid());
            Class<?> vmClass = Class.forName("com.sun.tools.attach.VirtualMachine");
            Object vm = vmClass.getMethod("attach", String.class).invoke(null, pid);
            try {
                vmClass.getMethod("loadAgent", String.class).invoke(vm, jar.toString());
            } finally {
                vmClass.getMethod("detach").invoke(vm);
            }
            return instrumentation;
        } catch (Exception | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
            System.err.println("lxmert kernel: could not attach the redefinition agent to this JVM ("
                    + cause + "); JShell variables may be reset when their dependencies are redefined");
            return null;
        }
    }
}
