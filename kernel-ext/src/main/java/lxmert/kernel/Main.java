package lxmert.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import lxmert.kernel.jshell.RedefineAgent;

import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts the lxmert-java kernel: {@code java -javaagent:kernel-ext.jar -cp kernel-ext.jar:lib/* lxmert.kernel.Main
 * CONNECTION_FILE} (what the kernelspec runs).
 *
 * <p>Logging goes to the process's stderr (the Jupyter server's log), never into cells: slf4j-simple is told to
 * keep the stderr stream it sees now (before cells redirect {@code System.err}) and basekernel's
 * java.util.logging handlers are created now for the same reason, at level WARNING. DJL's start-up INFO lines and
 * its GPU-probe WARN are hidden unless the kernel starts with {@code LXMERT_VERBOSE=1} ({@code lxmert.util.Logging}).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: lxmert.kernel.Main CONNECTION_FILE");
            System.exit(2);
        }
        configureLogging();
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
        Path connectionFile = Path.of(args[0]);
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(connectionFile));
        Instrumentation inst = RedefineAgent.instrumentation();
        if (inst == null) {
            org.slf4j.LoggerFactory.getLogger(Main.class).warn("started without -javaagent:kernel-ext.jar: "
                    + "variables may be reset to null when snippets they depend on are redefined");
        }
        JavaKernel kernel = new JavaKernel(KernelConfig.fromEnvironment(System.getenv(), inst));
        LxmertExtension.register(kernel);
        installSigint(kernel);
        JupyterConnection connection = new JupyterConnection(props);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        kernel.close();
        System.exit(0);
    }

    /** Pins logging to the process's stderr before any cell can redirect {@code System.err}. */
    static void configureLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.cacheOutputStream") == null) {
            System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "true");
        }
        if (System.getProperty("org.slf4j.simpleLogger.showDateTime") == null) {
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        }
        // quiet DJL start-up lines unless LXMERT_VERBOSE=1 (levels in the library's simplelogger.properties)
        lxmert.util.Logging.configure(lxmert.util.Logging.verboseFromEnvironment());
        org.slf4j.LoggerFactory.getLogger(Main.class); // initialises the binding with the current stderr
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (var h : root.getHandlers()) h.setLevel(Level.WARNING);
    }

    /** SIGINT (interrupt_mode "signal") interrupts the running cell instead of killing the kernel. */
    @SuppressWarnings("restriction")
    private static void installSigint(JavaKernel kernel) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> kernel.interrupt());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            org.slf4j.LoggerFactory.getLogger(Main.class).warn("cannot handle SIGINT: {}", e.toString());
        }
    }
}
