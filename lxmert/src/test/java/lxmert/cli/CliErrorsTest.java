package lxmert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import picocli.CommandLine;

/** Errors of the command line: one line {@code lxmert <command>: error: ...}, exit status 2 or 1, options checked first. */
class CliErrorsTest {
    @TempDir static Path tmp;

    record Run(int rc, String out, String err) {
    }

    static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    static Run run(String... args) {
        return run(Main.commandLine(), args);
    }

    /**
     * Each bad value of each numeric (or enumerated) option of each command: {command words + required options,
     * option, bad value}. Required options get harmless values; the bad one must be refused before any work.
     */
    static Stream<Arguments> badValues() {
        String out = tmp.resolve("never").toString();
        String[] finetune = {"finetune", "--task", "vqa", "--output", out};
        String[] test = {"test", "--task", "vqa", "--load", "x", "--test", "minival", "--output", out};
        String[] bench = {"bench", "model"};
        String[] features = {"bench", "features", "--tsv", "x.tsv"};
        String[] synth = {"data", "synth", "--out", out};
        String[] makeTsv = {"data", "make-tsv", "--out", out};
        String[] tokenize = {"tokenize", "--vocab", "v.txt"};
        String[] convert = {"convert", "--in", "a.pth", "--out", out};
        String[] evaluate = {"evaluate", "--task", "vqa", "--split", "minival", "--predictions", "p.json"};
        String[] pretrain = {"pretrain", "--output", out};
        List<Arguments> cases = new ArrayList<>();
        for (String v : new String[]{"0", "-1", "x"}) {
            cases.add(Arguments.of(finetune, "--epochs", v));
            cases.add(Arguments.of(pretrain, "--epochs", v));
            cases.add(Arguments.of(pretrain, "--batch-size", v));
            cases.add(Arguments.of(pretrain, "--accumulate", v));
            cases.add(Arguments.of(pretrain, "--threads", v));
            cases.add(Arguments.of(finetune, "--batch-size", v));
            cases.add(Arguments.of(finetune, "--eval-batch-size", v));
            cases.add(Arguments.of(finetune, "--accumulate", v));
            cases.add(Arguments.of(finetune, "--threads", v));
            cases.add(Arguments.of(test, "--batch-size", v));
            cases.add(Arguments.of(test, "--threads", v));
            cases.add(Arguments.of(bench, "--batch-size", v));
            cases.add(Arguments.of(bench, "--steps", v));
            cases.add(Arguments.of(bench, "--threads", v));
            cases.add(Arguments.of(synth, "--feat-dim", v));
            cases.add(Arguments.of(synth, "--boxes", v));
            cases.add(Arguments.of(makeTsv, "--images", v));
            cases.add(Arguments.of(makeTsv, "--boxes", v));
            cases.add(Arguments.of(makeTsv, "--dim", v));
        }
        for (String v : new String[]{"0", "-1e-4", "NaN", "Infinity", "x"}) {
            cases.add(Arguments.of(finetune, "--lr", v));
            cases.add(Arguments.of(pretrain, "--lr", v));
            cases.add(Arguments.of(synth, "--scale", v));
        }
        for (String v : new String[]{"-0.1", "1.5", "NaN", "x"}) {
            cases.add(Arguments.of(pretrain, "--word-mask-rate", v));
            cases.add(Arguments.of(pretrain, "--obj-mask-rate", v));
        }
        cases.add(Arguments.of(features, "--top-k", "0"));
        cases.add(Arguments.of(features, "--top-k", "-2"));
        cases.add(Arguments.of(synth, "--boxes", "6"));
        cases.add(Arguments.of(tokenize, "--max-seq-length", "1"));
        cases.add(Arguments.of(tokenize, "--max-seq-length", "0"));
        cases.add(Arguments.of(bench, "--mode", "fast"));
        cases.add(Arguments.of(bench, "--device", "tpu"));
        cases.add(Arguments.of(test, "--precision", "bf16"));
        cases.add(Arguments.of(bench, "--precision", "bf16"));
        cases.add(Arguments.of(bench, "--precision", "fp16")); // --mode train (the default): fp16 is for infer
        cases.add(Arguments.of(bench, "--peak-tflops", "0"));
        cases.add(Arguments.of(bench, "--peak-tflops", "x"));
        cases.add(Arguments.of(bench, "--device", "cpu,gpu0"));
        cases.add(Arguments.of(bench, "--device", "gpu7"));
        cases.add(Arguments.of(new String[]{"verify-reference", "--fixture", out}, "--device", "gpu,gpu"));
        cases.add(Arguments.of(new String[]{"devices"}, "--threads", "0"));
        cases.add(Arguments.of(convert, "--layout", "keras"));
        cases.add(Arguments.of(evaluate, "--vqa-eval-version", "2019"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("badValues")
    void everyBadOptionValueIsRefusedFirstNamingTheOption(String[] command, String option, String value) {
        List<String> args = new ArrayList<>(Arrays.asList(command));
        args.add(option);
        args.add(value);
        Run r = run(args.toArray(String[]::new));
        String sub = command[0].equals("bench") || command[0].equals("data") ? command[0] + " " + command[1] : command[0];
        assertEquals(2, r.rc(), "exit status of " + args + "; stderr: " + r.err());
        assertTrue(r.err().startsWith("lxmert " + sub + ": error: "), r.err());
        assertTrue(r.err().contains(option), "the message names " + option + ": " + r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(Files.exists(tmp.resolve("never")), "nothing was written before the check");
    }

    @Test
    void aBatchThatMicroBatchesDoNotSplitIsRefusedFirst() {
        for (String cmd : new String[]{"finetune", "pretrain"}) {
            Run r = cmd.equals("finetune")
                    ? run("finetune", "--task", "vqa", "--output", tmp.resolve("never").toString(), "--batch-size", "30", "--accumulate", "4")
                    : run("pretrain", "--output", tmp.resolve("never").toString(), "--batch-size", "30", "--accumulate", "4");
            assertEquals(2, r.rc(), r.err());
            assertEquals("lxmert " + cmd + ": error: --batch-size 30 is not a multiple of --accumulate 4", r.err().strip());
            assertFalse(Files.exists(tmp.resolve("never")));
        }
    }

    @Test
    void aMissingDataDirectoryIsNamedAsSuch() {
        for (String[] args : new String[][]{
                {"finetune", "--task", "vqa", "--data", tmp.resolve("nonexistent").toString(), "--output", tmp.resolve("o").toString()},
                {"test", "--task", "vqa", "--data", tmp.resolve("nonexistent").toString(), "--load", "x", "--test", "minival", "--output", "o"},
                {"evaluate", "--task", "vqa", "--data", tmp.resolve("nonexistent").toString(), "--split", "minival", "--predictions", "p"}}) {
            Run r = run(args);
            assertEquals(2, r.rc(), r.err());
            assertEquals("lxmert " + args[0] + ": error: --data: data directory not found: " + tmp.resolve("nonexistent"),
                    r.err().strip());
        }
    }

    /** A directory given where a file is expected is named as such (not "file not found"): exit status 2, one line. */
    @Test
    void aDirectoryWhereAFileIsExpectedIsNamedAsSuch() throws Exception {
        Path world = tmp.resolve("dir-world");
        new lxmert.data.synth.SynthWorld(new lxmert.data.synth.SynthWorld.Config(3, 0.05, 64)).write(world);
        Path dir = Files.createDirectories(tmp.resolve("a-directory"));
        String d = dir.toString(), w = world.toString(), vocab = world.resolve("synth-vocab.txt").toString();
        String out = tmp.resolve("dir-out").toString();
        String[] finetune = {"finetune", "--task", "vqa", "--data", w, "--config", "synth", "--vocab", vocab, "--output", out, "--epochs", "1"};
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[]{"evaluate", "--task", "vqa", "--data", w, "--split", "minival", "--predictions", d});
        cases.add(new String[]{"tokenize", "--vocab", d});
        cases.add(new String[]{"convert", "--in", d, "--out", out + ".pth"});
        cases.add(new String[]{"test", "--task", "vqa", "--data", w, "--config", "synth", "--vocab", vocab, "--load", d,
                "--test", "minival", "--output", out});
        for (String[] extra : new String[][]{{"--config", d}, {"--vocab", d}, {"--load", d}, {"--load-lxmert", d},
                {"--load-lxmert-qa", d}, {"--bert", d}}) {
            List<String> a = new ArrayList<>(Arrays.asList(finetune));
            int at = a.indexOf(extra[0]);
            if (at >= 0) a.set(at + 1, extra[1]); else a.addAll(Arrays.asList(extra));
            cases.add(a.toArray(String[]::new));
        }
        for (String[] args : cases) {
            Run r = run(args);
            String what = String.join(" ", args);
            assertEquals(Main.EXIT_USAGE, r.rc(), what + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + what + ": " + r.err());
            assertTrue(r.err().contains(d + " is a directory"), what + ": " + r.err());
            assertFalse(r.err().contains("not found"), what + ": " + r.err());
        }
    }

    /** A missing fixture, or a directory that is no fixture, is bad input like every other: exit status 2, one line. */
    @Test
    void verifyReferenceOnAMissingFixtureExitsTwoWithOneLine() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("not-a-fixture"));
        for (Path fixture : new Path[]{tmp.resolve("no-such-fixture"), empty}) {
            Run r = run("verify-reference", "--fixture", fixture.toString());
            assertEquals(Main.EXIT_USAGE, r.rc(), r.err());
            String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
            assertTrue(last.startsWith("lxmert verify-reference: error: " + fixture + ": "), r.err());
            assertFalse(last.contains("--verbose"), "bad input: no stack trace hint: " + r.err());
            assertFalse(r.err().contains("\tat "), r.err());
        }
    }

    /** A command that fails while running (exit 1) or on bad input met while running (exit 2). */
    @CommandLine.Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @CommandLine.Option(names = "--input") boolean input;
        @CommandLine.Option(names = "--malformed") boolean malformed;

        @Override
        public Integer call() throws lxmert.data.DataFormatException {
            if (input) throw new IllegalArgumentException("line 3 of f.json: no 'answer'");
            if (malformed) throw new lxmert.data.DataFormatException(java.nio.file.Path.of("f.tsv"), "line 2", "7 fields, expected 10");
            throw new IllegalStateException("the disk is gone");
        }
    }

    @Test
    void failuresWhileRunningExitOneAndStackTracesOnlyWhenVerbose() {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand(new Boom());
        Run failure = run(cl, "boom");
        assertEquals(1, failure.rc());
        assertEquals("lxmert boom: error: the disk is gone (java.lang.IllegalStateException); --verbose shows the stack trace",
                failure.err().strip());
        Run input = run(cl, "boom", "--input");
        assertEquals(2, input.rc());
        assertEquals("lxmert boom: error: line 3 of f.json: no 'answer'", input.err().strip());
        Run malformed = run(cl, "boom", "--malformed");
        assertEquals(2, malformed.rc(), "a malformed data file is bad input");
        assertEquals("lxmert boom: error: f.tsv: line 2: 7 fields, expected 10", malformed.err().strip());
        Run verbose = run(cl, "boom", "--verbose");
        assertEquals(1, verbose.rc());
        assertTrue(verbose.err().startsWith("lxmert boom: error: the disk is gone"), verbose.err());
        assertTrue(verbose.err().contains("\tat lxmert.cli.CliErrorsTest$Boom.call"), "stack trace with --verbose: " + verbose.err());
        Run quietParse = run("finetune", "--task");
        assertEquals(2, quietParse.rc());
        assertFalse(quietParse.err().contains("\tat "), quietParse.err());
    }

    @Test
    void verboseIsAcceptedByEverySubcommand() {
        CommandLine cl = Main.commandLine();
        List<CommandLine> all = new ArrayList<>();
        collect(cl, all);
        for (CommandLine c : all) {
            assertTrue(c.getCommandSpec().findOption("--verbose") != null, c.getCommandSpec().qualifiedName() + " accepts --verbose");
        }
        assertTrue(all.size() > 10, "all commands visited: " + all.size());
    }


    /** Numeric options any value of which is fine. */
    private static final java.util.Set<String> UNCHECKED = java.util.Set.of("--seed");

    @Test
    void everyNumericOptionOfEveryCommandHasACheck() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        int checked = 0;
        for (CommandLine c : all) {
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                Class<?> t = o.type();
                boolean numeric = t == int.class || t == Integer.class || t == long.class || t == Long.class
                        || t == double.class || t == Double.class || t == float.class || t == Float.class;
                if (!numeric || UNCHECKED.contains(o.longestName())) continue;
                assertTrue(o.converters().length > 0, c.getCommandSpec().qualifiedName() + " " + o.longestName()
                        + " needs a range check (converter = lxmert.util.Check.*.class)");
                checked++;
            }
        }
        assertTrue(checked >= 15, "numeric options found: " + checked);
    }
    private static void collect(CommandLine c, List<CommandLine> out) {
        out.add(c);
        for (CommandLine s : c.getSubcommands().values()) collect(s, out);
    }
}
