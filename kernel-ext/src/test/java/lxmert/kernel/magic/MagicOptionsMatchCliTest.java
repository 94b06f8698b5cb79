package lxmert.kernel.magic;

import lxmert.cli.DataCommand;
import lxmert.cli.EvaluateCommand;
import lxmert.cli.FinetuneCommand;
import lxmert.cli.TestCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The magics take the same options as the CLI: names, required, defaults, types, value checks and exclusive groups. */
class MagicOptionsMatchCliTest {
    /** Options only one side has on purpose: picocli help / version, the magic's binding and display, and --verbose (the CLI's is inherited from {@code lxmert}). */
    private static final Set<String> OWN = Set.of("-h", "--help", "-V", "--version", "--into", "--no-progress", "--verbose");

    private static TreeMap<String, String> describe(Object command) {
        TreeMap<String, String> out = new TreeMap<>();
        for (OptionSpec o : new CommandLine(command).getCommandSpec().options()) {
            if (OWN.contains(o.longestName())) continue;
            String group = o.group() == null ? "-" : String.valueOf(o.group().options().stream()
                    .map(OptionSpec::longestName).sorted().toList());
            out.put(o.longestName(), "required=" + o.required() + " default=" + o.defaultValue() + " type="
                    + o.type().getSimpleName().replace("Integer", "int").replace("Long", "long")
                    .replace("Double", "double").replace("Boolean", "boolean") + " group=" + group + " converters=" + java.util.Arrays.stream(o.converters())
                    .map(c -> c.getClass().getSimpleName()).toList());
        }
        return out;
    }

    @Test
    void finetune() {
        assertEquals(describe(new FinetuneCommand()), describe(new MagicOptions.Finetune()));
    }

    @Test
    void pretrain() {
        assertEquals(describe(new lxmert.cli.PretrainCommand()), describe(new MagicOptions.Pretrain()));
    }

    @Test
    void test() {
        assertEquals(describe(new TestCommand()), describe(new MagicOptions.Test()));
    }

    @Test
    void evaluate() {
        assertEquals(describe(new EvaluateCommand()), describe(new MagicOptions.Evaluate()));
    }

    @Test
    void synth() {
        assertEquals(describe(new DataCommand.SynthCommand()), describe(new MagicOptions.Synth()));
    }
}
