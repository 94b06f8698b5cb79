package lxmert.kernel.magic;

import lxmert.kernel.RecordingSession;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

public class LxmertMagicsTest {
    /** A backend that records the options it received and returns a value per command. */
    public static final class FakeBackend implements LxmertMagicBackend {
        public final List<Object> calls = new ArrayList<>();

        @Override
        public Object synth(MagicOptions.Synth o, MagicCall c) {
            calls.add(o);
            return o.out.toString();
        }

        @Override
        public Object finetune(MagicOptions.Finetune o, MagicCall c) {
            calls.add(o);
            return new FakeResult(o.task, o.epochs);
        }

        @Override
        public Object test(MagicOptions.Test o, MagicCall c) {
            calls.add(o);
            return List.of("a", "b");
        }

        @Override
        public Object evaluate(MagicOptions.Evaluate o, MagicCall c) {
            calls.add(o);
            return 0.5;
        }

        @Override
        public Object load(MagicOptions.Load o, MagicCall c) {
            calls.add(o);
            return o.file;
        }
    }

    /** A public result type (what a training result would be). */
    public record FakeResult(String task, int epochs) {
    }

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void parsesFinetuneOptionsLikeTheCli() {
        LxmertMagics.Parsed p = LxmertMagics.parse(List.of("finetune", "--task", "vqa", "--epochs", "2",
                "--lr", "5e-5", "--batch-size", "32", "--load-lxmert-qa", "snap/pretrained/model",
                "--train", "train,nominival", "--into", "result", "--tiny", "--output", "snap/vqa"));
        assertEquals("finetune", p.subcommand());
        MagicOptions.Finetune f = (MagicOptions.Finetune) p.options();
        assertEquals("vqa", f.task);
        assertEquals(2, f.epochs);
        assertEquals(5e-5, f.lr);
        assertEquals(32, f.batchSize);
        assertEquals(Path.of("snap/pretrained/model"), f.weights.lxmertQa);
        assertEquals("train,nominival", f.train);
        assertEquals("result", f.into);
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
        LxmertMagics m = new LxmertMagics(new RecordingSession(), new UnavailableBackend());
        assertNull(m.run(List.of("help"), out));
        for (String sub : List.of("synth", "finetune", "test", "evaluate", "load")) {
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
    void placeholderBackendSaysNotYetAvailable() {
        LxmertMagics m = new LxmertMagics(new RecordingSession(), new UnavailableBackend());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> m.run(List.of("finetune", "--task", "vqa", "--output", "o"), out));
        assertTrue(e.getMessage().contains("not yet available"), e.getMessage());
    }

    @Test
    void dispatchesAndBindsTheResult() throws Exception {
        RecordingSession s = new RecordingSession();
        FakeBackend b = new FakeBackend();
        LxmertMagics m = new LxmertMagics(s, b);
        Object r = m.run(List.of("finetune", "--task", "gqa", "--epochs", "3", "--output", "o", "--into", "result"), out);
        assertEquals(new FakeResult("gqa", 3), r);
        assertEquals(FakeResult.class.getCanonicalName(), s.declared.get("result"));
        assertSame(r, s.bindings().get("result"));
        assertTrue(printed().contains("bound result"), printed());
        assertEquals(List.of("a", "b"), m.run(List.of("test", "--task", "vqa", "--load", "snap/BEST", "--test",
                "minival", "--output", "o", "--into", "preds"), out));
        assertEquals("java.util.List", s.declared.get("preds"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.run(List.of("load", "x.pth", "--task", "vqa", "--into", "not-a-name"), out));
        assertTrue(e.getMessage().contains("not-a-name"));
    }

    @Test
    void cellBodyAddsOptions() throws Exception {
        assertEquals(List.of("--task", "vqa", "--epochs", "2", "--output", "snap/a b"),
                LxmertMagics.bodyArgs("--task vqa   # which task\n\n# a comment line\n--epochs 2 --output 'snap/a b'\n"));
        FakeBackend b = new FakeBackend();
        LxmertMagics m = new LxmertMagics(new RecordingSession(), b);
        m.execute(List.of("finetune"), "--task nlvr2\n--epochs 1 --output o");
        MagicOptions.Finetune f = (MagicOptions.Finetune) b.calls.get(0);
        assertEquals("nlvr2", f.task);
        assertEquals(1, f.epochs);
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
