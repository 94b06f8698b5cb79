package lxmert.cli;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;

/** Process-level engine settings shared by the commands: threads and device. */
final class Runtime {
    private Runtime() {}

    static void threads(Integer n) {
        if (n != null) {
            if (n < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + n);
            ai.djl.engine.Engine.getEngine("PyTorch");
            JniUtils.setNumThreads(n);
        }
    }

    static Device device(String name) {
        try {
            return Device.fromName(name);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--device: unknown device \"" + name + "\" (use cpu, gpu, gpu0, ...)");
        }
    }
}
