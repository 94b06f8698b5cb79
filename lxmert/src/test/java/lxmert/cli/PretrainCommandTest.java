package lxmert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import lxmert.config.LxmertConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** {@code pretrain} end to end on a small synthetic world: the JSON last line, log.log and the files. */
class PretrainCommandTest {
    @TempDir Path tmp;

    @Test
    void pretrainWritesTheJsonLineTheLogAndTheCheckpoints() throws Exception {
        Path data = tmp.resolve("data");
        assertEquals(0, Main.commandLine().execute("data", "synth", "--out", data.toString(), "--seed", "5", "--scale", "0.3",
                "--feat-dim", "16", "--boxes", "8"));
        Path cfg = tmp.resolve("small.json");
        LxmertConfig.builder().vocabSize(400).hiddenSize(32).numAttentionHeads(2).intermediateSize(64)
                .maxPositionEmbeddings(64).lLayers(1).xLayers(1).rLayers(1).visualFeatDim(16).numQaLabels(10).build()
                .save(cfg);
        Path out = tmp.resolve("out");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.commandLine().execute("pretrain", "--data", data.toString(), "--output", out.toString(), "--train", "mscoco_train",
                    "--valid", "mscoco_minival", "--config", cfg.toString(), "--epochs", "2", "--batch-size", "32", "--accumulate", "2",
                    "--lr", "1e-3", "--seed", "1", "--from-scratch", "--tiny");
        } finally {
            System.setOut(old);
        }
        String stdout = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, stdout);
        String[] lines = stdout.strip().split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals(2, j.get("epochs").asInt());
        for (String k : List.of("train_loss", "valid_loss", "qa_accuracy", "train_seconds", "examples_per_sec")) {
            assertTrue(j.get(k).isNumber(), k + " in " + j);
        }
        List<String> names = List.of("Mask_LM", "Matched", "Obj", "Attr", "Feat", "QA");
        assertEquals(names, iter(j.get("losses").fieldNames()));
        double sum = 0;
        for (String n : names) sum += j.get("losses").get(n).asDouble();
        assertEquals(j.get("valid_loss").asDouble(), sum, 1e-4, "the total is the sum of the six");
        String log = Files.readString(out.resolve("log.log"));
        // the log's last "The valid loss" block shows the JSON's numbers, rounded as the original prints
        Matcher m = Pattern.compile("The valid loss is (\\S+)\nThe losses are Mask_LM: (\\S+) ").matcher(log);
        String valid = null, mlm = null;
        int blocks = 0;
        while (m.find()) { valid = m.group(1); mlm = m.group(2); blocks++; }
        assertEquals(2, blocks, log);
        assertEquals(String.format(Locale.ROOT, "%.4f", j.get("valid_loss").asDouble()), valid);
        assertEquals(String.format(Locale.ROOT, "%.4f", j.get("losses").get("Mask_LM").asDouble()), mlm);
        assertTrue(log.contains("The training loss for Epoch 1 is "), log);
        for (String f : List.of("Epoch01_LXRT.pth", "Epoch02_LXRT.pth", "BEST_EVAL_LOSS_LXRT.pth", "LAST_LXRT.pth", "LAST.resume.pth", "config.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }

        // End to end from the written checkpoint. Pretraining again from BEST_EVAL_LOSS (the original's --loadLxmert):
        // the log says what it loaded and the first epoch starts where the first run got to, so its training loss is
        // below the first run's first epoch (from scratch) - a fresh initialisation would not be.
        Path out2 = tmp.resolve("continued");
        Run cont = run("pretrain", "--data", data.toString(), "--output", out2.toString(), "--train", "mscoco_train",
                "--valid", "mscoco_minival", "--config", cfg.toString(), "--epochs", "1", "--batch-size", "32",
                "--lr", "1e-3", "--seed", "1", "--load-lxmert", out.resolve("BEST_EVAL_LOSS").toString(), "--tiny");
        assertEquals(0, cont.rc(), cont.all());
        assertTrue(cont.err().contains("Load LXMERT model from " + out.resolve("BEST_EVAL_LOSS_LXRT.pth")), cont.err());
        List<Double> first = trainLosses(log), second = trainLosses(Files.readString(out2.resolve("log.log")));
        assertEquals(2, first.size(), log);
        assertEquals(1, second.size());
        double scratch1 = first.get(0), scratch2 = first.get(1), continued = second.get(0);
        assertTrue(scratch2 < scratch1, "the first run learned: " + scratch1 + " -> " + scratch2);
        assertTrue(continued < scratch1, "continued epoch 1 " + continued + " vs from-scratch epoch 1 " + scratch1);

        // Fine-tuning VQA from it with the answer-head surgery (the original's --loadLxmertQA): encoder complete, the
        // pretrained answers that the VQA table shares are mapped.
        Run ft = run("finetune", "--task", "vqa", "--data", data.toString(), "--config", cfg.toString(), "--load-lxmert-qa",
                out.resolve("BEST_EVAL_LOSS").toString(), "--epochs", "1", "--batch-size", "32", "--lr", "1e-3",
                "--output", tmp.resolve("vqa").toString());
        assertEquals(0, ft.rc(), ft.all());
        Matcher loaded = Pattern.compile("Loaded (\\d+) answers from LXRTQA pre-training and (\\d+) not").matcher(ft.all());
        assertTrue(loaded.find(), ft.all());
        assertTrue(Integer.parseInt(loaded.group(1)) > 0, loaded.group());
    }

    /** The command's exit status and output (RunFolderCliTest's capture of System.out and System.err). */
    record Run(int rc, String out, String err) {
        String all() { return out + "\n" + err; }
    }

    private static Run run(String... args) {
        RunFolderCliTest.Out o = RunFolderCliTest.exec(args);
        return new Run(o.rc(), o.out(), o.err());
    }

    /** The per-epoch training losses of a log.log, in order. */
    private static List<Double> trainLosses(String log) {
        Matcher m = Pattern.compile("The training loss for Epoch \\d+ is (\\S+)").matcher(log);
        List<Double> l = new java.util.ArrayList<>();
        while (m.find()) l.add(Double.parseDouble(m.group(1)));
        return l;
    }

    private static List<String> iter(java.util.Iterator<String> it) {
        List<String> l = new java.util.ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    /** {@code --bert FILE --from-scratch} is accepted and means the original's pair (BertInitTest checks the weights). */
    @Test
    void bertWithFromScratch() throws Exception {
        assertEquals(lxmert.tasks.pretrain.PretrainOptions.Weights.BERT_FROM_SCRATCH, weights("--bert", "b.bin", "--from-scratch"));
        assertEquals(lxmert.tasks.pretrain.PretrainOptions.Weights.BERT, weights("--bert", "b.bin"));
        assertEquals(lxmert.tasks.pretrain.PretrainOptions.Weights.FROM_SCRATCH, weights("--from-scratch"));
        assertEquals(lxmert.tasks.pretrain.PretrainOptions.Weights.LXMERT, weights("--load-lxmert", "P"));
    }

    private static lxmert.tasks.pretrain.PretrainOptions.Weights weights(String... args) throws Exception {
        PretrainCommand c = new PretrainCommand();
        List<String> all = new java.util.ArrayList<>(List.of("--data", ".", "--output", "out"));
        all.addAll(List.of(args));
        new picocli.CommandLine(c).parseArgs(all.toArray(new String[0]));
        return c.args.resolve().weights();
    }
}
