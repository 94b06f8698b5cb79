package lxmert.cli;

import java.util.function.Consumer;
import java.util.function.Predicate;

import picocli.CommandLine.Model.CommandSpec;

/** What the option mixins share: which options were given, and how a command warns. */
final class Runtime {
    private Runtime() {}

    /** Whether an option (long name) was given on the command line of {@code spec}'s command. */
    static Predicate<String> given(CommandSpec spec) {
        return name -> spec.commandLine() != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(name);
    }

    /** Warnings of command {@code cmd}: one line on stderr, {@code lxmert CMD: warning: ...}. */
    static Consumer<String> warn(String cmd) {
        return m -> System.err.println("lxmert " + cmd + ": " + m);
    }
}
