package lxmert.cli;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;

/** Process-level engine settings shared by the commands: threads and device. */
final class Runtime {
    private Runtime() {}

    static void threads(Integer n) {
        if (n != null) {
            if (n < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + n);
            ai.djl.engine.Engine.getEngine("PyTorch");
            JniUtils.setNumThreads(n);
        }
    }

    /** Whether an option (long name) was given on the command line of {@code spec}'s command. */
    static java.util.function.Predicate<String> given(picocli.CommandLine.Model.CommandSpec spec) {
        return name -> spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(name);
    }

    /** Warnings of command {@code cmd}: one line on stderr, {@code lxmert CMD: warning: ...}. */
    static java.util.function.Consumer<String> warn(String cmd) {
        return m -> System.err.println("lxmert " + cmd + ": " + m);
    }

    static Device device(String name) {
        try {
            return Device.fromName(name);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--device: unknown device \"" + name + "\" (use cpu, gpu, gpu0, ...)");
        }
    }
}
