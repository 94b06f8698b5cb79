package lxmert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import ai.djl.Device;
import lxmert.config.LxmertConfig;

/** {@code bench model} in each mode on the tiny config: the summary line and the rates follow from the timed steps. */
class ModelBenchmarkTest {
    @ParameterizedTest
    @EnumSource(ModelBenchmark.Mode.class)
    void eachModeTimesItsStepsAndDerivesTheRatesFromTheMedian(ModelBenchmark.Mode mode) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ModelBenchmark.Result r = ModelBenchmark.run(mode, LxmertConfig.resolve("tiny"), 4, 3, List.of(Device.cpu()),
                new PrintStream(log, true));
        assertEquals(3, r.stepSeconds().length);
        assertEquals(3, log.toString().lines().filter(l -> l.matches("step \\d \\S+ s rss_mb=-?\\d+.*")).count(), log.toString());
        double[] s = r.stepSeconds().clone();
        Arrays.sort(s);
        assertEquals(s[1], r.medianStepSec());
        assertEquals(4 / s[1], r.examplesPerSec(), 1e-9 * r.examplesPerSec());
        assertTrue(r.gflops() > 0, "gflops " + r.gflops());
        assertTrue(r.line().startsWith("mode=" + mode + " examples_per_sec="), r.line());
        assertTrue(r.mfuLine(1.0).startsWith("mfu="), r.mfuLine(1.0));
    }

    @Test
    void modesAreNamedAndInferenceRunsOnOneDevice() throws Exception {
        assertEquals(ModelBenchmark.Mode.PRETRAIN, ModelBenchmark.Mode.of("pretrain"));
        assertEquals("--mode must be train, pretrain or infer, got fast",
                assertThrows(IllegalArgumentException.class, () -> ModelBenchmark.Mode.of("fast")).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelBenchmark.run(ModelBenchmark.Mode.INFER,
                LxmertConfig.resolve("tiny"), 2, 1, List.of(Device.cpu(), Device.cpu()), null));
        assertTrue(e.getMessage().startsWith("--device cpu,cpu: bench model --mode infer runs on one device"), e.getMessage());
    }

    @Test
    void fp16IsForInferenceOnAGpuAndRefusedBeforeAnyWork() {
        IllegalArgumentException cpu = assertThrows(IllegalArgumentException.class, () -> ModelBenchmark.run(ModelBenchmark.Mode.INFER,
                lxmert.util.Precision.FP16, LxmertConfig.resolve("tiny"), 2, 1, List.of(Device.cpu()), null));
        assertTrue(cpu.getMessage().startsWith("--precision fp16 runs on a GPU only; the device is cpu"), cpu.getMessage());
        // checked before the model is built: no GPU needed to see the refusal of a training mode
        IllegalArgumentException train = assertThrows(IllegalArgumentException.class, () -> ModelBenchmark.run(ModelBenchmark.Mode.TRAIN,
                lxmert.util.Precision.FP16, LxmertConfig.resolve("tiny"), 2, 1, List.of(Device.gpu(0)), null));
        assertEquals("--precision fp16 is for --mode infer; --mode train trains in fp32", train.getMessage());
    }

    @Test
    void theMedianIsTheUpperMiddleStep() {
        Timing.Steps t = new Timing.Steps(new double[]{0.4, 0.1, 0.3, 0.2});
        assertEquals(0.3, t.median());
        assertEquals(10 / 0.3, t.rate(10), 1e-12);
    }
}
