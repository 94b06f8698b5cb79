package lxmert.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import lxmert.config.LxmertConfig;

/**
 * Run folders describe themselves: after {@code finetune --output RUN}, {@code test --load RUN/BEST},
 * {@code evaluate --run RUN} and {@code finetune --output RUN --resume} need no other option, even with the data
 * root's vocabulary gone; explicit options override with a warning; a changed file is an error naming it.
 */
class RunFolderCliTest {
    @TempDir static Path tmp;
    static Path world;
    static Path run;
    static Path config;
    static Path vocabSaved;
    static final ObjectMapper JSON = new ObjectMapper();

    record Out(int rc, String out, String err) {}

    static Out exec(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.commandLine().execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Out(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Out ok(String... args) {
        Out o = exec(args);
        assertEquals(0, o.rc, String.join(" ", args) + "\nstdout: " + o.out + "\nstderr: " + o.err);
        return o;
    }

    static int occurrences(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }

    static String lastLine(String s) {
        String[] l = s.strip().split("\n");
        return l[l.length - 1];
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @BeforeAll
    static void trainOneEpoch() throws Exception {
        world = tmp.resolve("data");
        ok("data", "synth", "--out", world.toString(), "--seed", "5", "--scale", "0.3", "--feat-dim", "8");
        config = tmp.resolve("cfg.json");
        LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2).intermediateSize(64)
                .maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(8).numObjectLabels(16)
                .numAttrLabels(8).numQaLabels(16).build().save(config);
        run = tmp.resolve("run");
        Out f = ok("finetune", "--task", "vqa", "--data", world.toString(), "--output", run.toString(), "--config", config.toString(),
                "--vocab", world.resolve("synth-vocab.txt").toString(), "--epochs", "1", "--batch-size", "8", "--lr", "1e-3",
                "--eval-batch-size", "64", "--seed", "11");
        // one summary line per loaded split (train,nominival and minival) in the command's output, each printed once
        // (not also by the loader's logger)
        for (String split : List.of("train", "nominival", "minival")) {
            assertEquals(1, occurrences(f.err, "vqa " + split + ": "), f.err);
        }
        assertTrue(f.err.contains("; all labelled"), f.err);
        // the data root's vocabulary is gone: whatever needs it must take the run folder's copy
        vocabSaved = tmp.resolve("vocab-elsewhere.txt");
        Files.move(world.resolve("synth-vocab.txt"), vocabSaved);
    }

    @Test
    void runJsonRecordsTaskDataSplitsAndChecksums() throws Exception {
        JsonNode r = JSON.readTree(run.resolve("run.json").toFile());
        assertEquals("vqa", r.get("task").asText());
        assertEquals(world.toAbsolutePath().normalize().toString(), r.get("data").asText());
        assertEquals("train,nominival", r.get("train").asText());
        assertEquals("minival", r.get("valid").asText());
        assertEquals(sha256(vocabSaved), r.get("vocab").get("sha256").asText(), "checksum of the vocabulary used");
        assertEquals(Files.readString(vocabSaved), Files.readString(run.resolve("vocab.txt")));
        assertEquals(sha256(run.resolve("label2ans.json")), r.get("answers").get("sha256").asText());
        JsonNode l2a = JSON.readTree(run.resolve("label2ans.json").toFile());
        assertEquals(JSON.readTree(world.resolve("vqa/trainval_label2ans.json").toFile()), l2a, "the data's answer table");
        assertEquals(LxmertConfig.load(config), LxmertConfig.load(run.resolve("config.json")));
        assertEquals(8, r.get("training").get("batch_size").asInt());
    }

    @Test
    void testEvaluateAndResumeNeedOnlyTheFolder() throws Exception {
        Path out = tmp.resolve("pred");
        Out t = ok("test", "--load", run.resolve("BEST").toString(), "--test", "minival", "--output", out.toString());
        assertFalse(t.err.contains("warning"), t.err);
        assertEquals(1, occurrences(t.err, "vqa minival: "), "the split's summary line once: " + t.err);
        JsonNode tr = JSON.readTree(lastLine(t.out));
        Path preds = out.resolve("minival_predict.json");
        assertTrue(Files.isRegularFile(preds));
        // the same model with every option spelled out predicts the same answers
        Path out2 = tmp.resolve("pred2");
        ok("test", "--task", "vqa", "--data", world.toString(), "--config", config.toString(), "--vocab", vocabSaved.toString(),
                "--load", run.resolve("BEST").toString(), "--test", "minival", "--output", out2.toString());
        assertEquals(JSON.readTree(preds.toFile()), JSON.readTree(out2.resolve("minival_predict.json").toFile()));
        // evaluate: task and data from the folder; same accuracy as test reported
        JsonNode ev = JSON.readTree(lastLine(ok("evaluate", "--run", run.toString(), "--split", "minival",
                "--predictions", preds.toString()).out));
        assertEquals(tr.get("accuracy").doubleValue(), ev.get("accuracy").doubleValue(), 1e-9);
        // resume of the finished run: batch size, lr, seed, epochs, config and vocabulary from the folder (the
        // defaults, batch 32 and lr 5e-5, would be refused as incompatible with the resume snapshot)
        Out r = ok("finetune", "--output", run.toString(), "--resume");
        assertTrue(lastLine(r.out).contains("\"epochs\": 1"), r.out);
        assertTrue(r.err.contains("weights: from " + run.resolve("LAST.resume.pth")), "says where the weights come from: " + r.err);
        assertFalse(r.err.contains("from scratch"), r.err);
    }

    /**
     * A task snapshot converted to a HuggingFace folder (LxmertForQuestionAnswering; config.json from the run folder)
     * in both weight formats loads with {@code test --load DIR}, its config from the folder's config.json, and
     * predicts what the snapshot predicts.
     */
    @Test
    void hfFolderOfTheSnapshotPredictsTheSame() throws Exception {
        Path ref = tmp.resolve("pred-hf-ref");
        ok("test", "--load", run.resolve("BEST").toString(), "--test", "minival", "--output", ref.toString());
        for (String format : List.of("safetensors", "bin")) {
            Path hf = tmp.resolve("hf-" + format);
            Out c = ok("convert", "--in", run.resolve("BEST.pth").toString(), "--out", hf.toString(), "--layout", "hf", "--format", format);
            assertTrue(c.out.contains("HF_QA (LxmertForQuestionAnswering)"), c.out);
            assertEquals(LxmertConfig.load(config).toBuilder().numQaLabels(JSON.readTree(run.resolve("label2ans.json").toFile()).size()).build(),
                    LxmertConfig.load(hf.resolve("config.json")));
            Path out = tmp.resolve("pred-hf-" + format);
            Out t = ok("test", "--task", "vqa", "--data", world.toString(), "--vocab", vocabSaved.toString(), "--load", hf.toString(),
                    "--test", "minival", "--output", out.toString());
            assertFalse(t.err.contains("warning"), t.err);
            assertEquals(JSON.readTree(ref.resolve("minival_predict.json").toFile()), JSON.readTree(out.resolve("minival_predict.json").toFile()));
        }
    }

    @Test
    void explicitOptionsOverrideWithAWarning() throws Exception {
        Path otherVocab = tmp.resolve("other-vocab.txt");
        Files.writeString(otherVocab, Files.readString(vocabSaved) + "zzzextra\n");
        Out t = ok("test", "--load", run.resolve("BEST").toString(), "--test", "minival", "--output", tmp.resolve("pred3").toString(),
                "--vocab", otherVocab.toString(), "--task", "vqa");
        assertTrue(t.err.contains("lxmert test: warning: --vocab " + otherVocab), t.err);
        assertFalse(t.err.contains("--task"), "an option that agrees gives no warning: " + t.err);
        Out e = exec("test", "--load", run.resolve("BEST").toString(), "--test", "minival", "--output", tmp.resolve("pred4").toString(),
                "--task", "gqa");
        assertTrue(e.err.contains("warning: --task gqa differs from vqa"), e.err);
    }

    /**
     * A data root whose minival has an unknown image, an answer outside the table and unlabelled questions: the test
     * command prints one summary line for the split and an accuracy over the labelled questions only.
     */
    @Test
    void droppedDataIsCountedAndPartlyLabelledSplitsSaySo() throws Exception {
        Path world2 = tmp.resolve("data2");
        try (var files = Files.walk(world)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = world2.resolve(world.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to); else Files.copy(f, to);
            }
        }
        Path mv = world2.resolve("vqa/minival.json");
        com.fasterxml.jackson.databind.node.ArrayNode qs = (com.fasterxml.jackson.databind.node.ArrayNode) JSON.readTree(mv.toFile());
        int n = qs.size();
        ((com.fasterxml.jackson.databind.node.ObjectNode) qs.get(0)).put("img_id", "COCO_val2014_999999999999");
        ((com.fasterxml.jackson.databind.node.ObjectNode) qs.get(1).get("label")).put("not-an-answer", 0.3);
        int unlabelled = 0;
        for (int i = 2; i < n; i += 3) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) qs.get(i)).remove("label");
            unlabelled++;
        }
        JSON.writeValue(mv.toFile(), qs);
        int used = n - 1;
        int labelled = used - unlabelled;
        Path out = tmp.resolve("pred-partial");
        Out t = ok("test", "--load", run.resolve("BEST").toString(), "--data", world2.toString(), "--test", "minival",
                "--output", out.toString());
        assertTrue(t.err.contains("vqa minival: " + n + " questions, " + used + " used (1 dropped: no image features); "
                + "1 gold answer (of 1 question) not in the answer table, left out of the targets; PARTLY LABELLED: " + labelled
                + " of " + used + " questions have answers (accuracy is over those " + labelled + ")"), t.err);
        JsonNode r = JSON.readTree(lastLine(t.out));
        assertEquals(used, r.get("n").asInt());
        assertEquals(labelled, r.get("labelled").asInt());
        // the accuracy, recomputed here from the prediction file and the labels: mean over the labelled questions
        JsonNode preds = JSON.readTree(out.resolve("minival_predict.json").toFile());
        java.util.Map<String, JsonNode> labels = new java.util.HashMap<>();
        for (JsonNode q : qs) if (q.has("label")) labels.put(q.get("question_id").asText(), q.get("label"));
        double sum = 0;
        for (JsonNode p : preds) {
            JsonNode l = labels.get(p.get("question_id").asText());
            if (l != null) sum += l.path(p.get("answer").asText()).asDouble(0);
        }
        assertEquals(100 * sum / labelled, r.get("accuracy").asDouble(), 1e-9);
    }

    @Test
    void aChangedFileIsAnErrorNamingIt() throws Exception {
        Path copy = tmp.resolve("run-changed");
        Files.createDirectories(copy);
        for (String f : List.of("run.json", "config.json", "vocab.txt", "label2ans.json", "BEST.pth")) {
            Files.copy(run.resolve(f), copy.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(copy.resolve("label2ans.json"), Files.readString(copy.resolve("label2ans.json")).replaceFirst("\"", "\"x"));
        Out e = exec("test", "--load", copy.resolve("BEST").toString(), "--test", "minival", "--output", tmp.resolve("pred5").toString());
        assertEquals(Main.EXIT_USAGE, e.rc, e.err);
        assertTrue(e.err.contains(copy.resolve("label2ans.json") + ": SHA-256"), e.err);
        assertEquals(1, e.err.strip().split("\n").length, "one line: " + e.err);
    }
}
