package lxmert.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import lxmert.data.Nlvr2Dataset;
import lxmert.data.Nlvr2Example;
import lxmert.data.QaDataset;
import lxmert.data.QaExample;
import lxmert.data.QaTask;
import lxmert.eval.PredictionFiles;

/** The data / bench / evaluate commands end to end on a small synthetic world. */
class CliTest {
    @TempDir static Path tmp;
    static Path world;

    static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.commandLine().execute(args);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, "exit code of " + String.join(" ", args) + "; output: " + out);
        return out;
    }

    static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    @BeforeAll
    static void synth() {
        world = tmp.resolve("data");
        String out = run("data", "synth", "--out", world.toString(), "--seed", "3", "--scale", "0.5", "--feat-dim", "8");
        assertTrue(out.contains("vqa/train"), out);
    }

    @Test
    void evaluateVqaSoftAndOfficial() throws Exception {
        List<QaExample> qs = QaDataset.readSplits(QaTask.VQA, world, "minival");
        Map<String, String> preds = new LinkedHashMap<>();
        double soft = 0;
        for (int i = 0; i < qs.size(); i++) {
            QaExample e = qs.get(i);
            String a = i % 3 == 0 ? "purple" : e.label().entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
            preds.put(e.questionId(), a);
            soft += e.label().getOrDefault(a, 0.0);
        }
        Path p = tmp.resolve("vqa_pred.json");
        PredictionFiles.writeVqa(p, preds);
        JsonNode r = new ObjectMapper().readTree(lastLine(run("evaluate", "--task", "vqa", "--data", world.toString(), "--split", "minival", "--predictions", p.toString())));
        assertEquals(100 * soft / qs.size(), r.get("accuracy").doubleValue(), 1e-9);
        assertEquals(qs.size(), r.get("n").intValue());
        // official metric from the synthetic annotation file, computed here by plain counting (answers need no normalisation)
        JsonNode anns = new ObjectMapper().readTree(world.resolve("vqa/minival_annotations.json").toFile()).get("annotations");
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode a : anns) byId.put(a.get("question_id").asText(), a.get("answers"));
        double off = 0;
        for (var e : preds.entrySet()) {
            JsonNode answers = byId.get(e.getKey());
            double acc = 0;
            for (int held = 0; held < answers.size(); held++) {
                int m = 0;
                for (int k = 0; k < answers.size(); k++) if (k != held && answers.get(k).get("answer").asText().equals(e.getValue())) m++;
                acc += Math.min(1.0, m / 3.0);
            }
            off += acc / answers.size();
        }
        JsonNode r2 = new ObjectMapper().readTree(lastLine(run("evaluate", "--task", "vqa", "--data", world.toString(), "--split", "minival",
                "--predictions", p.toString(), "--annotations", world.resolve("vqa/minival_annotations.json").toString())));
        assertEquals(100 * off / preds.size(), r2.get("accuracy").doubleValue(), 1e-9);
    }

    @Test
    void evaluateGqaAndNlvr2() throws Exception {
        List<QaExample> qs = QaDataset.readSplits(QaTask.GQA, world, "testdev");
        Map<String, String> preds = new LinkedHashMap<>();
        int right = 0;
        for (QaExample e : qs) {
            preds.put(e.questionId(), "yes");
            if (e.label().containsKey("yes")) right++;
        }
        Path p = tmp.resolve("gqa_pred.json");
        PredictionFiles.writeGqa(p, preds);
        JsonNode r = new ObjectMapper().readTree(lastLine(run("evaluate", "--task", "gqa", "--data", world.toString(), "--split", "testdev", "--predictions", p.toString())));
        assertEquals(100.0 * right / qs.size(), r.get("accuracy").doubleValue(), 1e-9);

        List<Nlvr2Example> st = Nlvr2Dataset.readSplits(world, "valid");
        Map<String, Boolean> np = new LinkedHashMap<>();
        Map<String, Boolean> groupOk = new LinkedHashMap<>();
        int ok = 0;
        for (Nlvr2Example e : st) {
            np.put(e.identifier(), true);
            boolean c = e.label() == 1;
            if (c) ok++;
            String[] f = e.identifier().split("-");
            groupOk.merge(f[0] + f[1] + "/" + f[3], c, Boolean::logicalAnd);
        }
        Path n = tmp.resolve("nlvr2.csv");
        PredictionFiles.writeNlvr2(n, np);
        JsonNode r2 = new ObjectMapper().readTree(lastLine(run("evaluate", "--task", "nlvr2", "--data", world.toString(), "--split", "valid", "--predictions", n.toString())));
        assertEquals(100.0 * ok / st.size(), r2.get("accuracy").doubleValue(), 1e-9);
        assertEquals(100.0 * groupOk.values().stream().filter(b -> b).count() / groupOk.size(), r2.get("consistency").doubleValue(), 1e-9);
        assertEquals(st.size(), r2.get("n").intValue());
    }

    @Test
    void benchFeaturesPrintsTheSummaryLine() throws Exception {
        Path tsv = tmp.resolve("bench.tsv");
        run("data", "make-tsv", "--out", tsv.toString(), "--images", "12", "--dim", "16");
        String line = lastLine(run("bench", "features", "--tsv", tsv.toString(), "--cache-dir", tmp.resolve("bc").toString()));
        assertTrue(line.matches("images=12 convert_s=[0-9.]+ reopen_s=[0-9.]+ rss_anon_mb=[0-9.]+"), line);
    }

    @Test
    void nlvr2ProcessCommand() throws Exception {
        Path raw = Files.createDirectories(tmp.resolve("raw"));
        for (String f : new String[]{"train", "dev", "test1"}) {
            Files.writeString(raw.resolve(f + ".json"), "{\"identifier\": \"" + f + "-1-0-0\", \"sentence\": \"s\", \"label\": \"True\"}\n");
        }
        String out = run("data", "nlvr2-process", "--nlvr", raw.toString(), "--out", tmp.resolve("nl").toString());
        assertTrue(out.contains("valid.json"), out);
        assertEquals("test1-1-0-img1", Nlvr2Dataset.readSplit(tmp.resolve("nl/test.json")).get(0).img1());
        try (var files = Files.list(tmp.resolve("nl"))) {
            assertEquals(List.of("test.json", "train.json", "valid.json"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }
}
