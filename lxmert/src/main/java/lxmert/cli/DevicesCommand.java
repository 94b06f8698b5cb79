package lxmert.cli;

import java.util.Map;
import java.util.concurrent.Callable;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.cuda.CudaUtils;
import lxmert.util.Devices;
import lxmert.util.Natives;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code devices}: what was found (libtorch, GPUs, threads, the variables that steer the choice) and the choice. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Print the libtorch in use, the GPUs visible through it, the thread counts and the device choice.")
public final class DevicesCommand implements Callable<Integer> {
    @Mixin DeviceOption dev;

    @Override
    public Integer call() {
        Devices.Choice c = dev.apply();
        Natives.Libtorch lib = c.libtorch();
        int driver = Engine.getEngine("PyTorch").getGpuCount();
        System.out.println("libtorch: " + lib.version() + " " + lib.flavor() + " (" + lib.source() + ")");
        System.out.println("libtorch path: " + lib.path());
        System.out.println("libtorch features: " + JniUtils.getFeatures());
        java.nio.file.Path jni = Natives.jniLibrary();
        System.out.println("DJL JNI: " + (jni == null ? "(not found in /proc/self/maps)" : jni));
        System.out.println("CUDA driver GPUs: " + driver + (driver > 0 ? " (CUDA " + CudaUtils.getCudaVersionString() + ")" : ""));
        for (int i = 0; i < driver; i++) {
            System.out.println("  gpu" + i + ": compute capability " + CudaUtils.getComputeCapability(i));
        }
        System.out.println("GPUs usable: " + (lib.cuda() ? driver : 0)
                + (lib.cuda() && driver > 0 ? "" : " (" + Devices.whyNoGpu(lib, driver) + ")"));
        System.out.println(lxmert.util.EngineThreads.describe());
        System.out.println("allocator: " + lxmert.util.Allocator.state());
        Map<String, String> vars = Natives.variables();
        System.out.println("variables: " + (vars.isEmpty() ? "(none set)" : vars));
        String jna = System.getProperty("jna.library.path");
        if (jna != null) System.out.println("jna.library.path: " + jna + " (where DJL's GPU count loads libcudart.so)");
        System.out.println("offline: " + ai.djl.util.Utils.isOfflineMode());
        System.out.println("device: " + Devices.spec(c.devices()));
        return 0;
    }
}
