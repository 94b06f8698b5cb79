package lxmert.util;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Intra-op threads that follow the CPUs this process actually gets ({@code --threads auto}, the default on the CPU).
 *
 * <p>Why: libtorch's GNU OpenMP threads spin while they wait at the end of each parallel operation. Alone on the
 * machine that is the fastest way to wait; beside another busy process the spinning thread burns the time slice its
 * partner needs, and every one of the step's thousands of small operations waits for a descheduled thread: measured
 * on 2 cores (AMD EPYC, {@code bench model --config tiny --batch-size 32}), a training process beside an identical
 * twin kept 0.20x of its solo speed, beside two busy loops 0.22x. One thread has nothing to wait for: 0.58x and 0.43x
 * of the two-thread solo speed. {@code OMP_WAIT_POLICY=PASSIVE} instead cost 39% of the solo speed.
 *
 * <p>How: every window (at least {@link #WINDOW_SECONDS} s and 2 steps) it reads the CPU time this process used
 * (all threads: {@code getProcessCpuTime}) and the idle time of the CPUs it may run on ({@code /proc/stat}), and sets
 * the intra-op threads to what it could have used, used + idle, between 1 and the {@link CpuBudget} (with a margin:
 * {@link #decide}). Alone, a process with 2 threads
 * uses 2 CPUs and keeps 2; beside a twin each gets about 1 CPU and drops to 1; when the other process ends, idle
 * time appears and it goes back to 2. The count is set on the calling thread, the one that runs the operations
 * (PyTorch keeps OpenMP's thread count per thread). Where {@code /proc/stat} cannot be read it does nothing.
 */
public final class ThreadGovernor {
    /** The shortest measuring window, seconds. */
    public static final double WINDOW_SECONDS = 2.0;
    static final int WINDOW_STEPS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(ThreadGovernor.class);
    private static final Path PROC_STAT = Path.of("/proc/stat");
    /** A governor that never changes anything (GPU, fixed {@code --threads}, several devices). */
    public static final ThreadGovernor OFF = new ThreadGovernor(1, 1, n -> { }, null);

    /** What the governor reads: per-CPU ticks ({@link #parseStat}), the process's CPU time and the clock, in ns. */
    public interface Probe {
        /** Per CPU that counts: {total ticks, idle ticks}; null when unreadable. */
        long[][] stat();

        /** CPU time of the whole process, ns; negative when unknown. */
        long cpuNanos();

        long nanoTime();
    }

    private final int max;
    private final IntConsumer setThreads;
    private final Probe probe;
    private final boolean on;
    private int current;
    private long t0;
    private long cpu0;
    private long[][] stat0;
    private int steps;
    private int changes;
    private long lastInfoNanos = Long.MIN_VALUE;

    /**
     * @param max        the most threads (the {@link CpuBudget})
     * @param cpus       the CPUs whose idle time counts (empty: every CPU of {@code /proc/stat})
     * @param current    the thread count in force now
     * @param setThreads sets the count on the calling thread
     */
    public ThreadGovernor(int max, List<Integer> cpus, int current, IntConsumer setThreads) {
        this(max, current, setThreads, procProbe(cpus));
    }

    /** A governor over {@code probe} (null: off). */
    public ThreadGovernor(int max, int current, IntConsumer setThreads, Probe probe) {
        this.max = Math.max(1, max);
        this.current = Math.min(Math.max(1, current), this.max);
        this.setThreads = setThreads;
        this.probe = probe;
        this.on = probe != null && max > 1 && probe.stat() != null && probe.cpuNanos() >= 0;
    }

    /** The probe of this machine: {@code /proc/stat} for {@code cpus} (empty: all) and the JVM's process CPU time. */
    static Probe procProbe(List<Integer> cpus) {
        List<Integer> only = List.copyOf(cpus);
        return new Probe() {
            @Override
            public long[][] stat() {
                try {
                    return parseStat(Files.readAllLines(PROC_STAT), only);
                } catch (IOException | RuntimeException e) {
                    return null;
                }
            }

            @Override
            public long cpuNanos() {
                return processCpuNanos();
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
    }

    /** The thread count now. */
    public int threads() {
        return current;
    }

    /** How many times the count changed. */
    public int changes() {
        return changes;
    }

    /** Call after each step, on the thread that runs the steps; measures and, at a window's end, decides. */
    public void afterStep() {
        if (!on) return;
        long now = probe.nanoTime();
        if (stat0 == null) {
            begin(now);
            return;
        }
        steps++;
        double secs = (now - t0) / 1e9;
        if (secs < WINDOW_SECONDS || steps < WINDOW_STEPS) return;
        long[][] stat = probe.stat();
        long cpu = probe.cpuNanos();
        if (stat == null || cpu < 0) {
            begin(now);
            return;
        }
        double used = (cpu - cpu0) / 1e9 / secs;
        double idle = idleCpus(stat0, stat);
        int next = decide(used, idle, current, max);
        if (next != current) {
            String msg = String.format(Locale.ROOT, "lxmert: intra-op threads %d -> %d (this process used %.2f CPUs, %.2f more "
                    + "were idle, of %d it may use)", current, next, used, idle, max);
            if (now - lastInfoNanos > 60_000_000_000L) {
                LOG.info(msg);
                lastInfoNanos = now;
            } else {
                LOG.debug(msg);
            }
            setThreads.accept(next);
            current = next;
            changes++;
        }
        begin(probe.nanoTime());
    }

    /**
     * The count for a window in which this process used {@code used} CPUs while {@code idle} CPUs stood idle, with
     * {@code current} threads: fewer when it could have used less than current - 0.5 (round(used + idle)), more when
     * it could have used at least current + 0.75 (floor(used + idle + 0.25)); between the two it keeps the count, so
     * that a share near a half CPU does not flip the count every window.
     */
    public static int decide(double used, double idle, int current, int max) {
        double avail = used + idle;
        int next = current;
        if (avail < current - 0.5) next = (int) Math.round(avail);
        else if (avail >= current + 0.75) next = (int) Math.floor(avail + 0.25);
        return Math.max(1, Math.min(max, next));
    }

    private void begin(long now) {
        stat0 = probe.stat();
        cpu0 = probe.cpuNanos();
        t0 = now;
        steps = 0;
    }

    /** Idle CPUs over the window: per CPU, idle (+ iowait) ticks / all ticks, summed over the CPUs that count. */
    static double idleCpus(long[][] a, long[][] b) {
        double idle = 0;
        for (int c = 0; c < Math.min(a.length, b.length); c++) {
            if (a[c] == null || b[c] == null) continue;
            long total = b[c][0] - a[c][0], id = b[c][1] - a[c][1];
            if (total > 0) idle += Math.max(0, Math.min(1, (double) id / total));
        }
        return idle;
    }

    /** The {@code cpuN} lines of {@code /proc/stat} for the CPUs in {@code only} (empty: all), indexed by CPU number. */
    static long[][] parseStat(List<String> lines, List<Integer> only) {
        int maxCpu = -1;
        for (String l : lines) if (l.startsWith("cpu") && l.length() > 3 && Character.isDigit(l.charAt(3))) maxCpu = Math.max(maxCpu, cpuNumber(l));
        long[][] out = new long[maxCpu + 1][];
        for (String l : lines) {
            if (!l.startsWith("cpu") || l.length() <= 3 || !Character.isDigit(l.charAt(3))) continue;
            int n = cpuNumber(l);
            if (!only.isEmpty() && !only.contains(n)) continue;
            String[] f = l.strip().split("\\s+");
            long total = 0;
            // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice)
            for (int i = 1; i < Math.min(f.length, 9); i++) total += Long.parseLong(f[i]);
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            out[n] = new long[] {total, idle};
        }
        return out;
    }

    private static int cpuNumber(String line) {
        int e = 3;
        while (e < line.length() && Character.isDigit(line.charAt(e))) e++;
        return Integer.parseInt(line.substring(3, e));
    }

    /** CPU time of the whole process (every thread, native ones included), ns; -1 when the JVM cannot tell. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime();
        return -1;
    }
}
