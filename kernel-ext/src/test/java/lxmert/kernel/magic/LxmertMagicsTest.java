package lxmert.kernel.magic;

import lxmert.data.synth.SynthWorld;
import lxmert.kernel.RecordingSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

public class LxmertMagicsTest {
    /** A public result type (for {@link LxmertMagics#declaredType}). */
    public record FakeResult(String task, int epochs) {
    }

    @TempDir Path tmp;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Every option of every magic (the CLI's mixins and the magic-only ones) is described, with its default when it has one. */
    @Test
    void everyMagicOptionHasADescriptionNamingItsDefault() {
        int options = 0;
        for (Object magic : new Object[]{new MagicCommands.Synth(), new MagicCommands.Finetune(), new MagicCommands.Pretrain(),
                new MagicCommands.Test(), new MagicCommands.Evaluate(), new MagicCommands.Load()}) {
            picocli.CommandLine c = new picocli.CommandLine(magic);
            for (picocli.CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                String where = "%lxmert " + c.getCommandName() + " " + o.longestName();
                String d = String.join(" ", o.description());
                assertFalse(d.isBlank(), where + " has no description");
                if (o.defaultValue() != null && o.type() != boolean.class) {
                    assertTrue(d.contains("default") && d.contains(o.defaultValue()),
                            where + " has the default " + o.defaultValue() + " but its description does not say so: " + d);
                }
                options++;
            }
            for (picocli.CommandLine.Model.PositionalParamSpec p : c.getCommandSpec().positionalParameters()) {
                assertFalse(String.join(" ", p.description()).isBlank(), "%lxmert " + c.getCommandName() + " " + p.paramLabel());
            }
        }
        assertTrue(options > 60, "options seen: " + options);
    }

    @Test
    void parsesFinetuneOptionsLikeTheCli() {
        LxmertMagics.Parsed p = LxmertMagics.parse(List.of("finetune", "--task", "vqa", "--epochs", "2",
                "--lr", "5e-5", "--batch-size", "32", "--load-lxmert-qa", "snap/pretrained/model",
                "--train", "train,nominival", "--into", "result", "--tiny", "--output", "snap/vqa"));
        assertEquals("finetune", p.subcommand());
        MagicCommands.Finetune c = (MagicCommands.Finetune) p.command();
        lxmert.cli.FinetuneArgs f = c.args;
        assertEquals("vqa", f.task);
        assertEquals(2, f.epochs);
        assertEquals(5e-5, f.lr);
        assertEquals(32, f.batchSize);
        assertEquals(Path.of("snap/pretrained/model"), f.weights.lxmertQa);
        assertEquals("train,nominival", f.train);
        assertEquals("result", c.into);
        assertTrue(f.size.tiny);
        assertEquals(Path.of("snap/vqa"), f.output);
        assertEquals("lxr955", f.config, "the CLI's default config");
        assertEquals(Path.of("data"), f.data, "default data root");
    }

    @Test
    void reportsMissingAndUnknownOptionsWithUsage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LxmertMagics.parse(List.of("finetune", "--task", "vqa", "--epochs", "2")));
        assertTrue(e.getMessage().contains("--output") && e.getMessage().contains("Usage: %lxmert finetune"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LxmertMagics.parse(List.of("fly")));
        assertTrue(e.getMessage().contains("fly"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LxmertMagics.parse(List.of("test", "--task", "gqa",
                "--load", "x", "--test", "testdev", "--output", "o", "--bogus")));
        assertTrue(e.getMessage().contains("--bogus"), e.getMessage());
    }

    @Test
    void helpListsSubcommandsAndSubcommandHelpItsOptions() throws Exception {
        LxmertMagics m = new LxmertMagics(new RecordingSession());
        assertNull(m.run(List.of("help"), out));
        for (String sub : List.of("synth", "finetune", "pretrain", "test", "evaluate", "load")) {
            assertTrue(printed().contains(sub), printed());
        }
        bytes.reset();
        m.run(List.of("help", "finetune"), out);
        assertTrue(printed().contains("--load-lxmert-qa") && printed().contains("--into"), printed());
        bytes.reset();
        m.run(List.of("evaluate", "--help"), out);
        assertTrue(printed().contains("--predictions"), printed());
    }

    @Test
    void runsTheSubcommandAndBindsItsResult() throws Exception {
        RecordingSession s = new RecordingSession();
        LxmertMagics m = new LxmertMagics(s);
        Path world = tmp.resolve("world");
        Object r = m.run(List.of("synth", "--out", world.toString(), "--scale", "0.05", "--feat-dim", "4", "--into", "world"), out);
        SynthWorld.Summary summary = assertInstanceOf(SynthWorld.Summary.class, r);
        assertEquals(world, summary.root());
        assertTrue(Files.isRegularFile(world.resolve("synth-vocab.txt")));
        assertEquals(SynthWorld.Summary.class.getCanonicalName(), s.declared.get("world"));
        assertSame(r, s.bindings().get("world"));
        assertTrue(printed().contains("bound world"), printed());
        Path other = tmp.resolve("other");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.run(List.of("synth", "--out", other.toString(), "--into", "not-a-name"), out));
        assertTrue(e.getMessage().contains("not-a-name"));
        assertFalse(Files.exists(other), "a bad --into is refused before the sub-command runs");
    }

    @Test
    void cellBodyAddsOptions() throws Exception {
        assertEquals(List.of("--task", "vqa", "--epochs", "2", "--output", "snap/a b"),
                LxmertMagics.bodyArgs("--task vqa   # which task\n\n# a comment line\n--epochs 2 --output 'snap/a b'\n"));
        LxmertMagics m = new LxmertMagics(new RecordingSession());
        Path world = tmp.resolve("body world");
        Object r = m.execute(List.of("synth"), "--out '" + world + "'  # where\n--scale 0.05 --feat-dim 4");
        assertEquals(world, ((SynthWorld.Summary) r).root());
    }

    @Test
    void declaredTypesArePublicAndUsable() {
        assertEquals("java.util.List", LxmertMagics.declaredType(List.of(1, 2)));
        assertEquals("java.util.ArrayList", LxmertMagics.declaredType(new ArrayList<>()));
        assertEquals("java.lang.String", LxmertMagics.declaredType("s"));
        assertEquals("Object", LxmertMagics.declaredType(null));
        assertEquals(FakeResult.class.getCanonicalName(), LxmertMagics.declaredType(new FakeResult("x", 1)));
        assertEquals("java.lang.Runnable", LxmertMagics.declaredType((Runnable) () -> { }));
    }
}
