package lxmert.kernel;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a {@link JavaKernel} starts: extra class path, startup scripts, the instrumentation used for JShell
 * redefinitions, and an optional output sink (tests). {@link #fromEnvironment(Map, Instrumentation)} reads IJava's
 * variables: {@code IJAVA_CLASSPATH} (path-separated entries, globs allowed), {@code IJAVA_STARTUP_SCRIPTS_PATH}
 * (path-separated files or globs of Java code run at start) and {@code IJAVA_STARTUP_SCRIPT} (inline code).
 */
public record KernelConfig(List<String> classpath, List<String> startupScriptGlobs, String startupScript,
                           Instrumentation instrumentation, KernelOutput output, Path workingDirectory) {

    public KernelConfig {
        classpath = List.copyOf(classpath);
        startupScriptGlobs = List.copyOf(startupScriptGlobs);
        startupScript = startupScript == null ? "" : startupScript;
    }

    /** A configuration with nothing extra; {@code output} may be {@code null} (publish over Jupyter). */
    public static KernelConfig basic(Instrumentation instrumentation, KernelOutput output) {
        return new KernelConfig(List.of(), List.of(), "", instrumentation, output, Path.of("").toAbsolutePath());
    }

    /** IJava's environment variables, read from {@code env}. */
    public static KernelConfig fromEnvironment(Map<String, String> env, Instrumentation instrumentation) {
        return new KernelConfig(splitPath(env.get("IJAVA_CLASSPATH")), splitPath(env.get("IJAVA_STARTUP_SCRIPTS_PATH")),
                env.getOrDefault("IJAVA_STARTUP_SCRIPT", ""), instrumentation, null, Path.of("").toAbsolutePath());
    }

    /** Same configuration writing output to {@code out}. */
    public KernelConfig withOutput(KernelOutput out) {
        return new KernelConfig(classpath, startupScriptGlobs, startupScript, instrumentation, out, workingDirectory);
    }

    static List<String> splitPath(String value) {
        List<String> out = new ArrayList<>();
        if (value == null) return out;
        for (String s : value.split(java.io.File.pathSeparator)) {
            if (!s.isBlank()) out.add(s.strip());
        }
        return out;
    }
}
