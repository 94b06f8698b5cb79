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
        System.out.println("offline: " + ai.djl.util.Utils.isOfflineMode());
        System.out.println("device: " + Devices.spec(c.devices()));
        return 0;
    }
}
