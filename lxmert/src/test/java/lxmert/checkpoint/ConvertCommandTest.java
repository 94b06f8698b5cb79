package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import lxmert.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConvertCommandTest {
    @TempDir Path tmp;

    private int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void legacyOriginalToHfAndBack() throws Exception {
        Path src = Fixtures.small().resolve("model_LXRT.pth");
        Path hf = tmp.resolve("hf.pth"), back = tmp.resolve("back.pth");
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, run(out, err, "convert", "--in", src.toString(), "--out", hf.toString(), "--layout", "hf"), err.toString());
        assertTrue(out.toString().contains("129 keys") && out.toString().contains("LEGACY") && out.toString().contains("HF"), out.toString());
        StateDict h = TorchReader.read(hf);
        assertTrue(h.containsKey("lxmert.embeddings.word_embeddings.weight"));
        assertTrue(h.containsKey("cls.predictions.decoder.weight"));
        assertEquals(0, run(new StringWriter(), err, "convert", "--in", hf.toString(), "--out", back.toString()), err.toString());
        StateDict orig = TorchReader.read(src), b = TorchReader.read(back);
        assertEquals(new ArrayList<>(orig.keySet()), new ArrayList<>(b.keySet()));
        for (Map.Entry<String, Tensor> e : orig.entrySet()) assertEquals(e.getValue().data(), b.get(e.getKey()).data(), e.getKey());
    }

    @Test
    void taskSnapshotStaysTaskSnapshot() throws Exception {
        Path head = Fixtures.small().resolve("vqa_logit_fc.pth"), out = tmp.resolve("task.pth");
        StringWriter err = new StringWriter();
        assertEquals(0, run(new StringWriter(), err, "convert", "--in", head.toString(), "--out", out.toString()), err.toString());
        assertEquals(new ArrayList<>(TorchReader.read(head).keySet()), new ArrayList<>(TorchReader.read(out).keySet()));
    }

    @Test
    void errorsNameTheFile() throws Exception {
        Path bad = tmp.resolve("bad.pth");
        Files.writeString(bad, "nope");
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "convert", "--in", bad.toString(), "--out", tmp.resolve("o.pth").toString()));
        assertTrue(err.toString().contains(bad.toString()), err.toString());
        assertTrue(!Files.exists(tmp.resolve("o.pth")));
    }
}
