package lxmert.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** {@code --device}: parsing, checks with clear messages, the default, and the engine-backed resolution on this machine. */
class DevicesTest {
    @Test
    void parsesEveryForm() {
        assertEquals(List.of(Device.cpu()), Devices.parse("cpu", 0, "-"));
        assertEquals(List.of(Device.gpu(0)), Devices.parse("gpu", 2, "-"));
        assertEquals(List.of(Device.gpu(1)), Devices.parse("GPU1", 2, "-"));
        assertEquals(List.of(Device.gpu(0), Device.gpu(1)), Devices.parse("gpu0, gpu1", 2, "-"));
        assertEquals(List.of(Device.cpu(), Device.cpu(), Device.cpu()), Devices.parse("cpu,cpu,cpu", 0, "-"));
        assertEquals("gpu0,gpu1", Devices.spec(Devices.parse("gpu0,gpu1", 4, "-")));
    }

    @Test
    void defaultIsTheFirstGpuWhenOneIsVisibleElseCpu() {
        assertEquals(List.of(Device.cpu()), Devices.parse(null, 0, "-"));
        assertEquals(List.of(Device.cpu()), Devices.parse(" ", 0, "-"));
        assertEquals(List.of(Device.gpu(0)), Devices.parse(null, 1, "-"));
    }

    @Test
    void badSpecsAreRefusedWithTheReason() {
        assertEquals("--device: unknown device \"tpu\" in \"tpu\" (use cpu, gpu, gpu0, gpu1, ... or a comma-separated list such as gpu0,gpu1)",
                assertThrows(IllegalArgumentException.class, () -> Devices.parse("tpu", 0, "-")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Devices.parse("gpu0,", 1, "-")).getMessage()
                .startsWith("--device: unknown device \"\""));
        assertEquals("--device gpu0: no GPU is visible: because",
                assertThrows(IllegalArgumentException.class, () -> Devices.parse("gpu0", 0, "because")).getMessage());
        assertEquals("--device gpu2: gpu2 does not exist; 2 GPUs are visible (gpu0..gpu1)",
                assertThrows(IllegalArgumentException.class, () -> Devices.parse("gpu2", 2, "-")).getMessage());
        assertEquals("--device gpu0,gpu0: gpu0 is listed twice",
                assertThrows(IllegalArgumentException.class, () -> Devices.parse("gpu0,gpu0", 2, "-")).getMessage());
        assertEquals("--device cpu,gpu0: CPU and GPU devices do not mix",
                assertThrows(IllegalArgumentException.class, () -> Devices.parse("cpu,gpu0", 2, "-")).getMessage());
    }

    @Test
    void resolvesOnThisMachineAndExplainsAMissingGpu() {
        StringBuilder log = new StringBuilder();
        Devices.Choice c = Devices.resolve(null, false, s -> log.append(s).append('\n'));
        Natives.Libtorch lib = c.libtorch();
        assertEquals(Natives.PYTORCH_VERSION, lib.version());
        assertTrue(lib.path().toFile().isDirectory(), lib.toString());
        int usable = lib.cuda() ? Engine.getEngine("PyTorch").getGpuCount() : 0;
        assertEquals(usable > 0 ? Device.gpu(0) : Device.cpu(), c.first());
        if (usable == 0) {
            String msg = assertThrows(IllegalArgumentException.class, () -> Devices.resolve("gpu", false, s -> { })).getMessage();
            assertTrue(msg.startsWith("--device gpu: no GPU is visible: "), msg);
            assertTrue(msg.contains(lib.cuda() ? "CUDA_VISIBLE_DEVICES" : "PYTORCH_LIBRARY_PATH"), msg);
        }
        // the JNI library the engine loaded, as `lxmert devices` names it (DJL's prebuilt one, extracted beside the
        // bundled libtorch, in the default build; environment/build-djl-jni's with bring-your-own PyTorch)
        java.nio.file.Path jni = Natives.jniLibrary();
        assertTrue(jni != null && jni.getFileName().toString().equals(Natives.DJL_VERSION + "-libdjl_torch.so")
                && java.nio.file.Files.isRegularFile(jni), "jni " + jni);
        assertEquals("cpu,cpu", Devices.spec(Devices.resolve("cpu,cpu", false, s -> { }).devices()));
        assertEquals("--device cpu,cpu: test runs on one device; several devices (data parallel) are for training: finetune, pretrain, bench model",
                assertThrows(IllegalArgumentException.class,
                        () -> Devices.resolve("cpu,cpu", false, s -> { }).single("test")).getMessage());
    }

    @Test
    void aPrefilledCacheIsFoundByDjlsDirectoryName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path cpu = java.nio.file.Files.createDirectories(tmp.resolve("pytorch/" + Natives.PYTORCH_VERSION + "-cpu-linux-x86_64"));
        java.nio.file.Files.writeString(cpu.resolve("libtorch.so"), "");
        java.nio.file.Path half = java.nio.file.Files.createDirectories(tmp.resolve("pytorch/" + Natives.PYTORCH_VERSION + "-cu128-linux-x86_64"));
        String before = System.getProperty("LXMERT_DJL_CACHE");
        System.setProperty("LXMERT_DJL_CACHE", tmp.toString());
        try {
            assertEquals(null, Natives.prefilledCudaCache(), "a CUDA directory without libtorch.so (an interrupted copy) is not used");
            java.nio.file.Files.writeString(half.resolve("libtorch.so"), "");
            assertEquals(half, Natives.prefilledCudaCache());
        } finally {
            if (before == null) System.clearProperty("LXMERT_DJL_CACHE"); else System.setProperty("LXMERT_DJL_CACHE", before);
        }
    }

    @Test
    void flavorComesFromDjlsCacheDirectoryName() {
        assertEquals("cpu", Natives.flavorOf(java.nio.file.Path.of("/x/2.7.1-20250812-cpu-linux-x86_64"), false));
        assertEquals("cu128", Natives.flavorOf(java.nio.file.Path.of("/x/2.7.1-cu128-linux-x86_64"), true));
    }
}
