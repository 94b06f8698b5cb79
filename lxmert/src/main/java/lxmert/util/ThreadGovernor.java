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
 *
 * <p>One thread is not always the best answer to a full machine. With more OpenMP threads than CPUs, GNU OpenMP
 * spins only briefly before it sleeps (its throttled spin count), so a process with one thread more than its CPUs
 * ("wide") gets a larger share without burning it: measured on 2 cores beside two busy threads (AMD EPYC,
 * {@code bench contention --config lxr955 --threads N --beside none,busy}), the lxr955 step ran at 1.72 examples/s
 * with 1 thread, 1.01 with 2 (spinning), 2.11 with 3, of 4.56 alone. Whether that pays depends on the size of the
 * operations (for a small model the one thread wins), so it is measured, not assumed: after {@link #FIRST_GAP} quiet
 * windows with fewer threads than CPUs the governor tries a window wide and keeps it when the step rate rose by more
 * than {@link #MARGIN}, else goes back and waits twice as long before the next try (up to {@link #MAX_GAP} windows;
 * back to {@link #FIRST_GAP} when the CPUs it gets change by more than {@link #SHARE_CHANGE}: other work began or ended).
 * While wide it tries its narrow count again the same way, and leaves wide at once when CPUs stand idle.
 */
public final class ThreadGovernor {
    /** The shortest measuring window, seconds. */
    public static final double WINDOW_SECONDS = 2.0;
    static final int WINDOW_STEPS = 2;
    /**
     * Quiet windows before the first try of the other layout (wide or narrow), and the most between tries: a try costs
     * one window at the worse layout, at most 1 in 25 once the gap is long.
     */
    static final int FIRST_GAP = 3;
    static final int MAX_GAP = 24;
    /** A change of the CPUs this process gets (since its last try) that ends the waiting between tries. */
    static final double SHARE_CHANGE = 0.25;
    /** A try is kept when its step rate beats the window before it by more than this fraction. */
    static final double MARGIN = 0.10;
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
    /** Keeping one thread more than the budget (see the class comment). */
    private boolean wide;
    /** The count to go back to when the try in progress loses; -1: no try in progress. */
    private int tryFrom = -1;
    private double tryBaseRate;
    /** The count in force before going wide: what a try from wide goes back to. */
    private int narrow = 1;
    private int quiet;
    private int gap = FIRST_GAP;
    /** The CPUs this process used in the window before its last try from narrow; -1: none. */
    private double usedAtTry = -1;

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
        double rate = steps / secs;
        if (current > max && idle >= 0.75) { // wide (kept or tried) while the others left: back to what the CPUs allow
            wide = false;
            tryFrom = -1;
            quiet = 0;
            int next = decide(used, idle, narrow, max);
            note(now, "lxmert: intra-op threads %d -> %d (%.2f CPUs idle)", current, next, idle);
            set(next);
        } else if (tryFrom >= 0) { // a try just ended: keep it if it was faster
            boolean won = rate > tryBaseRate * (1 + MARGIN);
            String what = String.format(Locale.ROOT, "%.3g steps/s with %d threads against %.3g with %d", rate, current, tryBaseRate, tryFrom);
            if (won) {
                wide = current > max;
                gap = FIRST_GAP;
                note(now, "lxmert: intra-op threads %d -> %d kept (%s)", tryFrom, current, what);
            } else {
                gap = Math.min(2 * gap, MAX_GAP);
                note(now, "lxmert: intra-op threads back to %d (%s)", tryFrom, what);
                set(tryFrom);
            }
            tryFrom = -1;
            quiet = 0;
        } else if (wide) {
            if (++quiet >= gap) startTry(narrow, rate);
        } else {
            int next = decide(used, idle, current, max);
            if (usedAtTry >= 0 && Math.abs(used - usedAtTry) > SHARE_CHANGE) { // what runs beside it changed
                gap = FIRST_GAP;
                usedAtTry = -1;
            }
            if (next != current) {
                note(now, "lxmert: intra-op threads %d -> %d (this process used %.2f CPUs, %.2f more were idle, of %d it may use)",
                        current, next, used, idle, max);
                set(next);
                quiet = 0;
            } else if (current < max && ++quiet >= gap) {
                narrow = current;
                usedAtTry = used;
                startTry(max + 1, rate);
            }
        }
        begin(probe.nanoTime());
    }

    /** Whether the governor keeps one thread more than its CPUs (see the class comment). */
    public boolean wide() {
        return wide;
    }

    private void startTry(int count, double baseRate) {
        tryFrom = current;
        tryBaseRate = baseRate;
        quiet = 0;
        LOG.debug("lxmert: trying {} intra-op threads (now {}, {} steps/s)", count, current, baseRate);
        set(count);
    }

    private void set(int next) {
        if (next == current) return;
        setThreads.accept(next);
        current = next;
        changes++;
    }

    /** One info line a minute at most; the others at debug level. */
    private void note(long now, String format, Object... args) {
        String msg = String.format(Locale.ROOT, format, args);
        if (now - lastInfoNanos > 60_000_000_000L) {
            LOG.info(msg);
            lastInfoNanos = now;
        } else {
            LOG.debug(msg);
        }
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
