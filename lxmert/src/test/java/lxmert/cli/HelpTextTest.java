package lxmert.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every option of every command (hidden ones included) is described in {@code --help}, with its default when it has one. */
class HelpTextTest {
    /** Options whose default is a sentinel their description explains in words. */
    private static final java.util.Set<String> SENTINEL_DEFAULTS = java.util.Set.of("lxmert bench features --top-k");

    @Test
    void everyOptionOfEveryCommandHasADescriptionNamingItsDefault() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        int options = 0;
        for (CommandLine c : all) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                String where = c.getCommandSpec().qualifiedName() + " " + o.longestName();
                String d = String.join(" ", o.description());
                assertTrue(!d.isBlank(), where + " has no description");
                boolean hasDefault = o.defaultValue() != null && o.type() != boolean.class && o.type() != Boolean.class;
                if (hasDefault && !SENTINEL_DEFAULTS.contains(where)) {
                    // the description as --help prints it (${DEFAULT-VALUE} filled in) names the default the code has
                    assertTrue(d.contains("default") && d.contains(o.defaultValue()), where + " has the default "
                            + o.defaultValue() + " but its description does not say so: " + d);
                }
                options++;
            }
        }
        assertTrue(all.size() > 10 && options > 80, "commands " + all.size() + ", options " + options);
    }

    static void collect(CommandLine c, List<CommandLine> out) {
        out.add(c);
        for (CommandLine s : c.getSubcommands().values()) collect(s, out);
    }
}
