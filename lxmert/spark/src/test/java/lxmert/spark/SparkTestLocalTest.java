package lxmert.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** {@code lxmert-spark test} on {@code local[2]} against the single-JVM {@code lxmert test} on the synthetic world. */
class SparkTestLocalTest {
    @TempDir static Path tmp;
    static World w;
    static Path single;
    static String singleOut;

    @BeforeAll
    static void setUp() throws Exception {
        w = World.create(tmp, 0.5);
        Path out = tmp.resolve("single");
        World.Out o = World.run(lxmert.cli.Main.commandLine(), "test", "--task", "vqa", "--data", w.data.toString(),
                "--vocab", w.vocab.toString(), "--load", w.snapshot.toString(), "--test", "minival", "--output", out.toString(),
                "--batch-size", "16");
        assertEquals(0, o.rc(), o.err());
        single = out.resolve("minival_predict.json");
        singleOut = o.out();
    }

    String[] sparkTest(Path out, String... extra) {
        String[] base = {"test", "--task", "vqa", "--data", w.data.toString(), "--vocab", w.vocab.toString(),
            "--load", w.snapshot.toString(), "--test", "minival", "--output", out.toString(), "--batch-size", "16"};
        if (!java.util.Arrays.asList(extra).contains("--master")) extra = Stream.concat(Stream.of(extra), Stream.of("--master", "local[2]")).toArray(String[]::new);
        return Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
    }

    @Test
    void predictionFileIsByteIdenticalToTheSingleJvm() throws Exception {
        Path out = tmp.resolve("spark");
        World.Out o = World.run(SparkMain.commandLine(), sparkTest(out, "--partitions", "3"));
        assertEquals(0, o.rc(), o.err());
        byte[] expected = Files.readAllBytes(single);
        assertArrayEquals(expected, Files.readAllBytes(out.resolve("minival_predict.json")));
        // the test means something: many questions, more than one answer predicted
        JsonNode preds = new ObjectMapper().readTree(expected);
        assertTrue(preds.size() > 50, "questions: " + preds.size());
        Set<String> answers = new HashSet<>();
        for (JsonNode p : preds) answers.add(p.get("answer").asText());
        assertTrue(answers.size() > 1, "answers: " + answers);
        // the same accuracy line as lxmert test
        assertEquals(singleOut.strip(), o.out().strip());
        assertTrue(o.err().contains("predicted in 3 partition(s)"), o.err());
        assertTrue(o.err().contains("stage 0 (3 tasks) done"), o.err());
        // no temporary folder left behind
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(java.util.List.of(out.resolve("minival_predict.json")), s.toList());
        }
    }

    @Test
    void predictionsFromParquetFeaturesAreByteIdenticalToo() throws Exception {
        // the features as Parquet, and a data root that has the questions and answers but no feature TSV at all
        List<String> tsvs = new ArrayList<>();
        try (Stream<Path> s = Files.list(w.data.resolve("mscoco_imgfeat"))) {
            s.filter(p -> p.toString().endsWith(".tsv")).forEach(p -> tsvs.add(p.toString()));
        }
        Path parquet = tmp.resolve("parquet");
        List<String> args = new ArrayList<>(List.of("features", "--out", parquet.toString(), "--master", "local[2]", "--tsv"));
        args.addAll(tsvs);
        World.Out f = World.run(SparkMain.commandLine(), args.toArray(String[]::new));
        assertEquals(0, f.rc(), f.err());
        Path noTsv = tmp.resolve("data-without-tsv");
        try (Stream<Path> s = Files.walk(w.data)) {
            for (Path p : s.toList()) {
                Path rel = w.data.relativize(p);
                if (rel.startsWith("mscoco_imgfeat")) continue;
                if (Files.isDirectory(p)) Files.createDirectories(noTsv.resolve(rel.toString()));
                else Files.copy(p, noTsv.resolve(rel.toString()));
            }
        }
        Path out = tmp.resolve("spark-parquet");
        String[] a = sparkTest(out, "--partitions", "3", "--parquet", parquet.toString());
        for (int i = 0; i < a.length; i++) if (a[i].equals("--data")) a[i + 1] = noTsv.toString();
        World.Out o = World.run(SparkMain.commandLine(), a);
        assertEquals(0, o.rc(), o.err());
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(out.resolve("minival_predict.json")));
        assertFalse(Files.exists(noTsv.resolve("mscoco_imgfeat")), "no TSV and no store in the data root");
    }

    @Test
    void nlvr2PredictionCsvIsByteIdenticalToo() throws Exception {
        Path snap = w.snapshot(lxmert.tasks.Task.NLVR2, tmp.resolve("nlvr2-model"));
        String[] common = {"test", "--task", "nlvr2", "--data", w.data.toString(), "--vocab", w.vocab.toString(),
            "--load", snap.toString(), "--test", "valid", "--batch-size", "8"};
        World.Out a = World.run(lxmert.cli.Main.commandLine(), Stream.concat(Stream.of(common), Stream.of("--output", tmp.resolve("n1").toString())).toArray(String[]::new));
        assertEquals(0, a.rc(), a.err());
        World.Out b = World.run(SparkMain.commandLine(), Stream.concat(Stream.of(common),
                Stream.of("--output", tmp.resolve("n2").toString(), "--master", "local[2]", "--partitions", "3")).toArray(String[]::new));
        assertEquals(0, b.rc(), b.err());
        byte[] expected = Files.readAllBytes(tmp.resolve("n1/valid_predict.csv"));
        assertTrue(new String(expected).strip().split("\\R").length > 10, "rows");
        assertTrue(new String(expected).contains("True") && new String(expected).contains("False"), "both answers predicted");
        assertArrayEquals(expected, Files.readAllBytes(tmp.resolve("n2/valid_predict.csv")));
        assertEquals(a.out(), b.out());
    }

    @Test
    void aJobThatFailsOnTheExecutorsLeavesNoPredictionFile() throws Exception {
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(w.snapshot.resolveSibling("config.json"), bad.resolve("config.json"));
        Files.write(bad.resolve("snap.pth"), new byte[] {1, 2, 3});
        Path out = tmp.resolve("failed");
        String[] args = sparkTest(out, "--partitions", "2");
        for (int i = 0; i < args.length; i++) if (args[i].equals("--load")) args[i + 1] = bad.resolve("snap.pth").toString();
        World.Out o = World.run(SparkMain.commandLine(), args);
        assertEquals(2, o.rc(), o.err());
        String[] lines = o.err().strip().split("\\R");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("lxmert-spark test: error: ") && last.contains(bad.resolve("snap.pth").toString()), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace without --verbose: " + o.err());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(java.util.List.of(), s.toList(), "no prediction file, no temporary folder");
        }
    }

    @Test
    void evaluateGivesTheNumbersOfLxmertEvaluate() {
        String[] args = {"evaluate", "--task", "vqa", "--data", w.data.toString(), "--split", "minival", "--predictions", single.toString()};
        World.Out a = World.run(lxmert.cli.Main.commandLine(), args);
        World.Out b = World.run(SparkMain.commandLine(), args);
        assertEquals(0, a.rc(), a.err());
        assertEquals(0, b.rc(), b.err());
        assertTrue(a.out().startsWith("{\"accuracy\": "), a.out());
        assertEquals(a.out(), b.out());
        // with the official annotations too (VQA)
        String[] off = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--annotations", w.data.resolve("vqa/minival_annotations.json").toString())).toArray(String[]::new);
        a = World.run(lxmert.cli.Main.commandLine(), off);
        b = World.run(SparkMain.commandLine(), off);
        assertEquals(0, a.rc(), a.err());
        assertTrue(a.out().contains("soft_accuracy"), a.out());
        assertEquals(a.out(), b.out());
    }

    @Test
    void taskCpusThatDisagreeWithTaskThreadsAreRefusedBeforeSparkStarts() {
        World.Out o = World.run(SparkMain.commandLine(), sparkTest(tmp.resolve("cpus"), "--task-threads", "1", "--conf", "spark.task.cpus=2"));
        assertEquals(2, o.rc(), o.err());
        assertTrue(o.err().strip().startsWith("lxmert-spark test: error: spark.task.cpus is 2 but --task-threads is 1"), o.err());
        assertEquals(1, o.err().strip().split("\\R").length, o.err());
    }

    @Test
    void aMissingSnapshotIsOneLineNamingItAndExitTwo() {
        String[] a = sparkTest(tmp.resolve("nosnap"));
        for (int i = 0; i < a.length; i++) if (a[i].equals("--load")) a[i + 1] = tmp.resolve("absent.pth").toString();
        World.Out o = World.run(SparkMain.commandLine(), a);
        assertEquals(2, o.rc(), o.err());
        String[] lines = o.err().strip().split("\\R");
        assertTrue(lines[lines.length - 1].startsWith("lxmert-spark test: error: ") && lines[lines.length - 1].contains("absent"), o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }

    @Test
    void benchReportsEachModeAndTheRatio() throws Exception {
        World.Out o = World.run(SparkMain.commandLine(), "bench", "--task", "vqa", "--data", w.data.toString(), "--vocab", w.vocab.toString(),
                "--load", w.snapshot.toString(), "--test", "minival", "--batch-size", "16", "--repeat", "1", "--modes", "single,local");
        assertEquals(0, o.rc(), o.err());
        String[] lines = o.out().strip().split("\\R");
        assertEquals(4, lines.length, o.out());
        ObjectMapper json = new ObjectMapper();
        assertTrue(json.readTree(lines[0]).get("questions").asInt() > 50, lines[0]);
        assertEquals("single", json.readTree(lines[1]).get("mode").asText());
        assertTrue(json.readTree(lines[1]).get("questions_per_s").asDouble() > 0);
        JsonNode local = json.readTree(lines[2]);
        assertEquals("local[2]", local.get("mode").asText());
        assertTrue(local.get("session_start_s").asDouble() > 0 && local.get("first_job_s").asDouble() > 0, lines[2]);
        assertTrue(json.readTree(lines[3]).has("local/single"), lines[3]);
    }

    @Test
    void aBadMasterUrlIsOneLineAndExitTwo() {
        World.Out o = World.run(SparkMain.commandLine(), sparkTest(tmp.resolve("m"), "--master", "nonsense://x"));
        assertEquals(2, o.rc(), o.err());
        assertTrue(o.err().strip().startsWith("lxmert-spark test: error: --master: could not parse the master URL 'nonsense://x'"), o.err());
        assertEquals(1, o.err().strip().split("\\R").length, o.err());
    }
}
