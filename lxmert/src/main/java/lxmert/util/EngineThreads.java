package lxmert.util;

import java.util.function.Consumer;

import ai.djl.engine.EngineException;
import ai.djl.pytorch.jni.JniUtils;

/**
 * {@code --threads N}: PyTorch's intra-op threads ({@code at::set_num_threads}) and inter-op threads
 * ({@code at::set_num_interop_threads}), through DJL's {@link JniUtils#setNumThreads} and
 * {@link JniUtils#setNumInteropThreads}. Both are process-wide: they hold for every model and every thread of the JVM.
 *
 * <p>PyTorch fixes the inter-op count once per process: a second {@code set_num_interop_threads}, or one after
 * inter-op work has started, fails with "cannot set number of interop threads after parallel work has started or
 * set_num_interop_threads called" (DJL turns it into an {@link EngineException}; checked on DJL 0.36 / PyTorch 2.7.1).
 * Here that is not an error: the inter-op count stays what it was and one line says so. In a notebook kernel every
 * cell shares the one process, so the first {@code --threads} (or DJL's {@code -Dai.djl.pytorch.num_interop_threads})
 * fixes inter-op threads until the kernel restarts; later {@code --threads} change the intra-op threads only.
 * The intra-op count can be changed at any time, and the last call wins for every cell.
 */
public final class EngineThreads {
    private EngineThreads() {
    }

    /** What happened: the intra-op and inter-op counts after the call and whether inter-op could be set. */
    public record Result(int intraOp, int interOp, boolean interOpSet) {
    }

    /** Sets both counts to {@code n} (null: leaves them); the engine must be loaded ({@link Natives#prepare}). */
    public static Result set(Integer n, Consumer<String> log) {
        if (n == null) return new Result(JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), false);
        Check.positive("--threads", n);
        JniUtils.setNumThreads(n);
        boolean interSet = false;
        if (JniUtils.getNumInteropThreads() != n) {
            try {
                JniUtils.setNumInteropThreads(n);
                interSet = true;
            } catch (EngineException e) {
                log.accept("lxmert: --threads " + n + ": intra-op threads set; inter-op threads stay "
                        + JniUtils.getNumInteropThreads() + " (PyTorch fixes them once per process; restart the "
                        + "process or notebook kernel to change them)");
            }
        } else {
            interSet = true;
        }
        return new Result(JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), interSet);
    }
}
