package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import lxmert.config.LxmertConfig;
import lxmert.data.synth.SynthWorld;
import lxmert.kernel.jshell.RedefineAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code %lxmert pretrain} in the kernel with the library backend: one live progress bar and one per-task loss chart
 * updated in place, the run bound with its per-epoch table; a kernel interrupt stops at the next step with LAST
 * saved and the kernel keeps working.
 */
class PretrainMagicTest {
    private JavaKernel kernel;

    @AfterEach
    void close() {
        if (kernel != null) kernel.close();
    }

    @Test
    void pretrainBindsItsRunShowsPerTaskLossesAndStopsCleanlyOnInterrupt(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new SynthWorld(new SynthWorld.Config(3, 0.3, 16)).write(data);
        Path cfg = tmp.resolve("tiny16.json");
        LxmertConfig.tiny().toBuilder().visualFeatDim(16)
                .vocabSize(lxmert.text.Vocab.load(data.resolve("synth-vocab.txt")).size()).build().save(cfg);
        RecordingOutput out = new RecordingOutput();
        kernel = new JavaKernel(KernelConfig.basic(RedefineAgent.attachToSelf(), out));
        LxmertExtension.register(kernel, kernel.getMagics());
        kernel.eval("String DATA = \"" + data + "\"; String CFG = \"" + cfg + "\"; int kept = 41;");
        // a complete short run
        Path done = tmp.resolve("done");
        kernel.eval("%lxmert pretrain --data $DATA --config $CFG --train mscoco_train --epochs 2 --batch-size 32 --tiny --output "
                + done + " --into pre");
        assertTrue(out.stdout().contains("bound pre"), out.stdout());
        assertEquals("2", text(kernel.eval("pre.table().rowCount()")));
        assertEquals("2", text(kernel.eval("pre.history().size()")));
        assertTrue(text(kernel.eval("pre.table().columnNames().toString()")).contains("valid_Mask_LM"));
        assertTrue(Files.isRegularFile(done.resolve("BEST_EVAL_LOSS_LXRT.pth")));
        assertEquals("true", text(kernel.eval("java.nio.file.Files.isRegularFile(pre.bestFile())")));
        List<RecordingOutput.Event> displays = out.ofKind("display");
        assertEquals(2, displays.size(), "one progress bar and one chart: " + displays);
        String lastChart = null;
        for (RecordingOutput.Event u : out.ofKind("update")) {
            Object t = u.data().getData(MIMEType.TEXT_PLAIN);
            if (t != null && t.toString().contains("chart")) lastChart = t.toString();
        }
        assertTrue(lastChart != null && lastChart.contains("per-task loss chart (Mask_LM, Matched, Obj, Attr, Feat, QA)"), "" + lastChart);
        // an interrupted run
        Path output = tmp.resolve("out");
        int displaysBefore = out.ofKind("display").size();
        CompletableFuture<Exception> running = CompletableFuture.supplyAsync(() -> {
            try {
                kernel.eval("%lxmert pretrain --data $DATA --config $CFG --train mscoco_train --epochs 3 --batch-size 8 --tiny --output "
                        + output + " --into run");
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        long end = System.currentTimeMillis() + 120_000;
        while (out.ofKind("display").size() == displaysBefore) {
            assertTrue(System.currentTimeMillis() < end, () -> "training did not start within 120 s: " + out.stdout());
            assertTrue(!running.isDone(), () -> "the cell ended before training started: " + running.getNow(null)
                    + "\n" + out.stdout() + out.stderr());
            Thread.sleep(20);
        }
        kernel.interrupt();
        Exception e = running.get(120, TimeUnit.SECONDS);
        assertNull(e, "the interrupted training returns its run instead of failing");
        assertTrue(out.stdout().contains("bound run"), out.stdout());
        assertEquals("true", text(kernel.eval("run.interrupted()")));
        assertEquals("0", text(kernel.eval("run.history().size()")), "stopped inside the first epoch");
        assertTrue(Files.isRegularFile(output.resolve("LAST_LXRT.pth")), "LAST saved in " + output);
        assertTrue(Files.isRegularFile(output.resolve("LAST.resume.pth")), "resume state saved in " + output);
        assertEquals("42", text(kernel.eval("kept + 1")), "the kernel stays usable and keeps its variables");
    }

    private static String text(DisplayData d) {
        return String.valueOf(d.getData(MIMEType.TEXT_PLAIN));
    }
}
