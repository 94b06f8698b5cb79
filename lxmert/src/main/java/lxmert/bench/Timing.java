package lxmert.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The benchmarks' one timing and memory helper: wall-clock seconds, timed steps (the first includes the warm-up of
 * allocator and kernels, which the median ignores), rates per median step (examples/s, GFLOP/s), and the process's
 * memory (heap used; resident, anonymous and file-backed set from {@code /proc/self/status}), once or as the peak
 * sampled while something runs.
 */
public final class Timing {
    private Timing() {}

    /** Seconds elapsed since {@code t0}, a {@link System#nanoTime()}. */
    public static double since(long t0) { return (System.nanoTime() - t0) / 1e9; }

    public interface Step { void run(int step) throws Exception; }

    /** Runs {@code step} {@code n} times, logging {@code step S SEC s rss_mb=M} and {@code extra} for each to {@code log}. */
    public static Steps steps(int n, Step step, PrintStream log, Supplier<String> extra) throws Exception {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            long f0 = minorFaults();
            long t0 = System.nanoTime();
            step.run(i);
            s[i] = since(t0);
            long f = minorFaults() - f0;
            if (log != null) log.printf("step %d %.3f s rss_mb=%d page_faults=%d%s%n", i, s[i], Memory.now().rss() >> 20, f0 < 0 ? -1 : f, extra.get());
        }
        return new Steps(s);
    }

    /**
     * Minor page faults of this process so far ({@code /proc/self/stat} field 10), -1 when unknown: fresh pages the
     * kernel had to zero, the cost of an allocator that gives memory back and takes it again every step.
     */
    public static long minorFaults() {
        try {
            String st = Files.readString(Path.of("/proc/self/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]); // field 10 of the line; f[0] is field 3 (state)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The seconds of each step. */
    public record Steps(double[] seconds) {
        /** The median step (the upper one of an even count). */
        public double median() {
            double[] s = seconds.clone();
            Arrays.sort(s);
            return s[s.length / 2];
        }

        /** {@code work} per second of the median step: examples/s, or GFLOP/s with work = GFLOPs. */
        public double rate(double work) { return work / median(); }
    }

    /** Bytes of heap used and of the resident set (total, anonymous, file-backed); -1 when unavailable (not Linux). */
    public record Memory(long heap, long rss, long anon, long file) {
        public static Memory now() {
            long rss = -1, anon = -1, file = -1;
            try {
                for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (l.startsWith("VmRSS:")) rss = kb(l);
                    else if (l.startsWith("RssAnon:")) anon = kb(l);
                    else if (l.startsWith("RssFile:")) file = kb(l);
                }
            } catch (IOException e) { /* not Linux */ }
            return new Memory(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), rss, anon, file);
        }

        /** {@link #now()} after a few full collections (the heap then holds what is reachable). */
        public static Memory afterGc() {
            for (int i = 0; i < 3; i++) System.gc();
            return now();
        }

        private static long kb(String line) { return Long.parseLong(line.replaceAll("\\D", "")) * 1024; }

        /** Bytes in MiB (-1 stays -1). */
        public static double mb(long bytes) { return bytes < 0 ? -1 : bytes / 1048576.0; }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "heap used %.1f MiB, RSS %.1f MiB (anon %.1f, file %.1f)", mb(heap), mb(rss), mb(anon), mb(file));
        }
    }

    /** The peak anonymous resident set and heap used, sampled every 2 ms from construction to {@link #close()}. */
    public static final class Peak extends Thread implements AutoCloseable {
        private volatile boolean stop;
        private long anon = -1;
        private long heap = -1;

        public Peak() {
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            while (!stop) {
                take();
                try {
                    sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void take() {
            Memory m = Memory.now();
            anon = Math.max(anon, m.anon());
            heap = Math.max(heap, m.heap());
        }

        /** Stops sampling after one last sample; then {@link #anon()} and {@link #heap()} are the peaks in bytes. */
        @Override
        public void close() throws InterruptedException {
            stop = true;
            join();
            take();
        }

        public long anon() { return anon; }

        public long heap() { return heap; }
    }
}
