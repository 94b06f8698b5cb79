package lxmert.util;

import java.util.List;
import java.util.function.Consumer;

import ai.djl.Device;
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
 *
 * <p>{@code --threads auto}, the default: intra-op threads start at the {@link CpuBudget} (the CPUs of the affinity
 * mask, at most the cgroup quota) and, on the CPU, follow the CPUs the process gets while it trains or predicts
 * ({@link ThreadGovernor}); inter-op threads stay PyTorch's. The environment's {@code OMP_NUM_THREADS} or DJL's
 * {@code -Dai.djl.pytorch.num_threads} fix the count as {@code --threads N} does.
 */
public final class EngineThreads {
    private static volatile boolean auto = fixedByEnvironment() == null;
    private static volatile boolean started;

    private EngineThreads() {
    }

    /** True while the thread count follows the machine ({@code --threads auto}). */
    public static boolean auto() {
        return auto;
    }

    /** The thread count the environment fixes ({@code OMP_NUM_THREADS}, {@code ai.djl.pytorch.num_threads}), or null. */
    static String fixedByEnvironment() {
        String p = System.getProperty("ai.djl.pytorch.num_threads");
        if (p != null && !p.isBlank()) return "-Dai.djl.pytorch.num_threads=" + p.strip();
        String e = System.getenv("OMP_NUM_THREADS");
        if (e != null && !e.isBlank()) return "OMP_NUM_THREADS=" + e.strip();
        return null;
    }

    /**
     * {@code --threads auto|N} ({@code null}: leaves the mode; the first call of the process still starts auto mode's
     * count at the budget). Returns what is in force.
     */
    public static Result apply(String spec, Consumer<String> log) {
        if (spec == null) {
            if (auto && !started) startAuto();
            return set(null, log);
        }
        if (spec.strip().equalsIgnoreCase("auto")) {
            auto = true;
            startAuto();
            return set(null, log);
        }
        int n;
        try {
            n = Integer.parseInt(spec.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--threads must be auto or a positive whole number, got '" + spec + "'");
        }
        return set(n, log); // checks n, leaves auto mode
    }

    private static void startAuto() {
        started = true;
        JniUtils.setNumThreads(CpuBudget.read().cpus());
    }

    /**
     * False when the system property {@code lxmert.threads.adaptive} is {@code false}: auto mode then keeps its start
     * count (the project's tests do, so that reruns compared bit for bit use one thread count).
     */
    public static boolean adaptive() {
        return !"false".equalsIgnoreCase(System.getProperty("lxmert.threads.adaptive", "true").strip());
    }

    /** A governor for a loop on {@code devices}: adaptive on one CPU device in auto mode, {@link ThreadGovernor#OFF} otherwise. */
    public static ThreadGovernor governor(List<Device> devices) {
        if (!auto || !adaptive() || devices.size() != 1 || devices.get(0).isGpu()) return ThreadGovernor.OFF;
        CpuBudget b = CpuBudget.read();
        return new ThreadGovernor(b.cpus(), b.allowed(), JniUtils.getNumThreads(), JniUtils::setNumThreads);
    }

    /** One line for {@code devices}: the counts in force and why. */
    public static String describe() {
        CpuBudget b = CpuBudget.read();
        String fixedBy = fixedByEnvironment();
        String mode = auto ? "auto: starts at " + b.cpus() + " = " + b.why()
                + (adaptive() ? "; on the CPU it follows the CPUs this process gets (fewer beside other busy processes)"
                : "; not adaptive (-Dlxmert.threads.adaptive=false)")
                : "fixed" + (fixedBy != null ? " by " + fixedBy : " by --threads");
        return "threads: intra-op " + JniUtils.getNumThreads() + ", inter-op " + JniUtils.getNumInteropThreads() + " (" + mode + ")";
    }

    /** What happened: the intra-op and inter-op counts after the call and whether inter-op could be set. */
    public record Result(int intraOp, int interOp, boolean interOpSet) {
    }

    /** Sets both counts to {@code n} (null: leaves them); the engine must be loaded ({@link Natives#prepare}). */
    public static Result set(Integer n, Consumer<String> log) {
        if (n == null) return new Result(JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), false);
        Check.positive("--threads", n);
        auto = false;
        started = true;
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
