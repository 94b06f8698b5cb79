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
 * {@code %lxmert finetune} in the kernel with the library backend: the live progress display is shown and updated,
 * a kernel interrupt stops training at the next batch with LAST saved, the run is still bound to its variable and
 * the kernel keeps working.
 */
class FinetuneMagicInterruptTest {
    private JavaKernel kernel;

    @AfterEach
    void close() {
        if (kernel != null) kernel.close();
    }

    @Test
    void interruptStopsTrainingSavesLastAndKeepsTheKernelUsable(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new SynthWorld(new SynthWorld.Config(3, 0.3, 16)).write(data);
        Path cfg = tmp.resolve("tiny16.json");
        LxmertConfig.tiny().toBuilder().visualFeatDim(16)
                .vocabSize(lxmert.text.Vocab.load(data.resolve("synth-vocab.txt")).size()).build().save(cfg);
        Path output = tmp.resolve("out");
        RecordingOutput out = new RecordingOutput();
        kernel = new JavaKernel(KernelConfig.basic(RedefineAgent.attachToSelf(), out));
        LxmertExtension.register(kernel, kernel.getMagics());
        kernel.eval("String DATA = \"" + data + "\"; String CFG = \"" + cfg + "\"; int kept = 41;");
        CompletableFuture<Exception> running = CompletableFuture.supplyAsync(() -> {
            try {
                kernel.eval("%lxmert finetune --task vqa --data $DATA --config $CFG --epochs 3 --batch-size 8 --output "
                        + output + " --into run");
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        long end = System.currentTimeMillis() + 120_000;
        while (out.ofKind("display").isEmpty()) { // the progress bar appears when training starts
            assertTrue(System.currentTimeMillis() < end, () -> "training did not start within 120 s: " + out.stdout());
            assertTrue(!running.isDone(), () -> "the cell ended before training started: " + running.getNow(null)
                    + "\n" + out.stdout() + out.stderr());
            Thread.sleep(20);
        }
        kernel.interrupt();
        Exception e = running.get(120, TimeUnit.SECONDS);
        assertNull(e, "the interrupted training returns its run instead of failing");
        assertTrue(out.stdout().contains("bound run"), out.stdout());
        assertTrue(out.stdout().contains("interrupted"), out.stdout());
        assertEquals("true", text(kernel.eval("run.interrupted()")));
        assertEquals("0", text(kernel.eval("run.history().size()")), "stopped inside the first epoch");
        assertTrue(Files.isRegularFile(output.resolve("LAST.pth")), "LAST saved in " + output);
        assertEquals("42", text(kernel.eval("kept + 1")), "the kernel stays usable and keeps its variables");
        List<RecordingOutput.Event> displays = out.ofKind("display");
        assertEquals(2, displays.size(), "one progress bar and one chart: " + displays);
        List<RecordingOutput.Event> updates = out.ofKind("update");
        assertTrue(!updates.isEmpty(), "the displays are updated in place");
        String lastBar = null;
        for (RecordingOutput.Event u : updates) {
            Object html = u.data().getData(MIMEType.TEXT_HTML);
            if (html != null) lastBar = html.toString();
        }
        assertTrue(lastBar != null && lastBar.contains("done"), "final state shown: " + lastBar);
    }

    private static String text(DisplayData d) {
        return String.valueOf(d.getData(MIMEType.TEXT_PLAIN));
    }
}
