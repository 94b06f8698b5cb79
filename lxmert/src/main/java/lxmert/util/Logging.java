package lxmert.util;

/**
 * Log levels of the project's SLF4J binding (slf4j-simple). The defaults are in {@code simplelogger.properties}
 * (resources of this jar): DJL's start-up INFO lines and its "Failed to detect GPU count" WARN are hidden, other
 * warnings and the project's own INFO lines show. Verbose ({@code --verbose} on the command line,
 * {@code LXMERT_VERBOSE=1} in the environment of the CLI or the notebook kernel) shows every line, as DJL logs them.
 *
 * <p>slf4j-simple fixes a logger's level when the logger is created, so {@link #configure} must run before the
 * first DJL class is used (the CLI calls it right after parsing the command line, the kernel at start).
 */
public final class Logging {
    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    /** True when the environment variable {@code LXMERT_VERBOSE} is set to anything but "", "0" or "false". */
    public static boolean verboseFromEnvironment() {
        String v = System.getenv("LXMERT_VERBOSE");
        return v != null && !v.isBlank() && !v.strip().equals("0") && !v.strip().equalsIgnoreCase("false");
    }

    /** Verbose: DJL logs at INFO again, the GPU probe included (no effect on loggers already created). */
    public static void configure(boolean verbose) {
        if (!verbose) return;
        System.setProperty(PREFIX + "log.ai.djl", "info");
        System.setProperty(PREFIX + "log.ai.djl.util.cuda.CudaUtils", "info");
    }
}
