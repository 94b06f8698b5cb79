package lxmert.kernel.magic;

import lxmert.util.Check;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every numeric option of every {@code %lxmert} sub-command is range-checked when the magic line is parsed. */
class MagicOptionValuesTest {
    @TempDir Path tmp;

    private static final Map<String, MagicCommands.Common> SUBCOMMANDS = Map.of("synth", new MagicCommands.Synth(),
            "finetune", new MagicCommands.Finetune(), "test", new MagicCommands.Test(),
            "evaluate", new MagicCommands.Evaluate(), "load", new MagicCommands.Load(), "pretrain", new MagicCommands.Pretrain());

    /** Bad values per kind of check (each converter's boundary and a non-number). */
    private static final Map<Class<?>, List<String>> BAD = Map.of(
            Check.PositiveInt.class, List.of("0", "-1", "x"),
            Check.AtLeastTwo.class, List.of("1", "x"),
            Check.AllOrPositiveInt.class, List.of("0", "-2"),
            Check.PositiveDouble.class, List.of("0", "-1e-4", "NaN", "Infinity", "x"),
            Check.UnitInterval.class, List.of("-0.1", "1.5", "NaN", "x"),
            lxmert.util.Precision.Converter.class, List.of("bf16", "fp8", ""),
            lxmert.cli.DeviceOption.Threads.class, List.of("0", "-1", "x", "autox"));

    /** Numeric options any value of which is fine. */
    private static final Set<String> UNCHECKED = Set.of("--seed");

    /** The sub-command with its required options and positional parameters filled with harmless values. */
    private static List<String> minimal(String sub) {
        List<String> args = new ArrayList<>(List.of(sub));
        CommandLine cl = new CommandLine(SUBCOMMANDS.get(sub));
        for (OptionSpec o : cl.getCommandSpec().options()) {
            if (o.required()) args.addAll(List.of(o.longestName(), "x"));
        }
        cl.getCommandSpec().positionalParameters().forEach(p -> args.add("f"));
        return args;
    }

    static Stream<Arguments> badValues() {
        List<Arguments> out = new ArrayList<>();
        for (String sub : SUBCOMMANDS.keySet()) {
            for (OptionSpec o : new CommandLine(SUBCOMMANDS.get(sub)).getCommandSpec().options()) {
                for (CommandLine.ITypeConverter<?> c : o.converters()) {
                    for (String v : BAD.get(c.getClass())) out.add(Arguments.of(sub, o.longestName(), v));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("badValues")
    void badValuesAreRefusedNamingTheOption(String sub, String option, String value) {
        List<String> args = minimal(sub);
        args.addAll(List.of(option, value));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LxmertMagics.parse(args),
                String.join(" ", args));
        assertTrue(e.getMessage().startsWith("%lxmert: Invalid value for option '" + option + "'"), e.getMessage());
    }

    @Test
    void everyNumericOptionIsChecked() {
        int checked = 0;
        for (var s : SUBCOMMANDS.entrySet()) {
            for (OptionSpec o : new CommandLine(s.getValue()).getCommandSpec().options()) {
                Class<?> t = o.type();
                boolean numeric = t == int.class || t == Integer.class || t == long.class || t == Long.class
                        || t == double.class || t == Double.class || t == float.class || t == Float.class;
                if (!numeric || UNCHECKED.contains(o.longestName())) continue;
                assertTrue(o.converters().length > 0, "%lxmert " + s.getKey() + " " + o.longestName() + " has a Check converter");
                checked++;
            }
        }
        assertTrue(checked >= 10, "numeric options found: " + checked);
    }

    /** Runs a magic line's sub-command (no session: these fail before they need one). */
    private static Object magic(String... args) throws Exception {
        return LxmertMagics.parse(List.of(args)).command().run(null);
    }

    /** Checks that need more than one option's value run first, before any work. */
    @Test
    void checksComeBeforeAnyWork() {
        Path out = tmp.resolve("world");
        var e = assertThrows(IllegalArgumentException.class, () -> magic("synth", "--out", out.toString(), "--boxes", "6"));
        assertTrue(e.getMessage().startsWith("--boxes must be >= "), e.getMessage());
        assertFalse(Files.exists(out));
        Path missing = tmp.resolve("nonexistent");
        e = assertThrows(IllegalArgumentException.class,
                () -> magic("finetune", "--task", "vqa", "--data", missing.toString(), "--output", "o"));
        assertEquals("--data: data directory not found: " + missing, e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> magic("evaluate", "--task", "vqa", "--split", "s",
                "--predictions", "p", "--vqa-eval-version", "2019"));
        assertTrue(e.getMessage().startsWith("--vqa-eval-version"), e.getMessage());
    }

    /**
     * The CLI's early checks (batch / micro-batches, visual losses, --annotations for VQA only) are the magics' too,
     * with the same message, and come before any work: the magic is refused with the message the CLI prints after
     * {@code lxmert CMD: error: }, and nothing is written.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cliChecks")
    void theCliEarlyChecksRefuseTheMagicWithTheCliMessage(String what, List<String> args) throws Exception {
        Path out = tmp.resolve("never");
        List<String> line = args.stream().map(a -> a.replace("OUT", out.toString()).replace("TMP", tmp.toString())).toList();
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cli = lxmert.cli.Main.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true));
        assertEquals(2, cli.execute(line.toArray(String[]::new)), err.toString());
        String prefix = "lxmert " + line.get(0) + ": error: ";
        assertTrue(err.toString().startsWith(prefix), err.toString());
        String cliMessage = err.toString().strip().substring(prefix.length());
        var e = assertThrows(IllegalArgumentException.class, () -> magic(line.toArray(String[]::new)));
        assertEquals(cliMessage, e.getMessage());
        assertFalse(Files.exists(out), "nothing written");
    }

    static Stream<Arguments> cliChecks() {
        return Stream.of(
                Arguments.of("finetune batch not a multiple of --accumulate, before the data directory",
                        List.of("finetune", "--task", "vqa", "--data", "TMP/nonexistent", "--output", "OUT", "--batch-size", "30", "--accumulate", "4")),
                Arguments.of("pretrain batch not a multiple of --accumulate, before the data directory",
                        List.of("pretrain", "--data", "TMP/nonexistent", "--output", "OUT", "--batch-size", "30", "--accumulate", "4")),
                Arguments.of("pretrain unknown visual loss",
                        List.of("pretrain", "--data", "TMP", "--output", "OUT", "--visual-losses", "obj,colour")),
                Arguments.of("evaluate --annotations with gqa",
                        List.of("evaluate", "--task", "gqa", "--data", "TMP", "--split", "testdev", "--predictions", "OUT", "--annotations", "OUT")));
    }
}
