package lxmert.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.djl.Device;
import lxmert.config.LxmertConfig;
import lxmert.util.CpuBudget;

/**
 * {@code bench contention}: the training (or inference) step of {@code bench model}, timed alone and then beside
 * competitors this command starts itself, in one run: a twin (a second {@code bench model} process with the same
 * options, as two notebooks or a notebook and a CI job), and one busy thread per CPU of the {@link CpuBudget} (a
 * separate process). Each phase waits for its competitor to be running, warms up (at least {@code warmupSeconds},
 * long enough for {@code --threads auto} to settle), then times {@code steps} steps; it prints examples/s of the
 * median step and the ratio to the solo rate. A fair share beside one competitor is 0.5x.
 */
public final class ContentionBenchmark {
    private static final Pattern STEP = Pattern.compile("^step (\\d+) ([0-9.]+) s");

    private ContentionBenchmark() {}

    /** What runs beside the timed process. */
    public enum Competitor {
        NONE, TWIN, BUSY;

        public static Competitor of(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "none", "alone" -> NONE;
                case "twin" -> TWIN;
                case "busy" -> BUSY;
                default -> throw new IllegalArgumentException("--beside takes none, twin and busy, got " + s);
            };
        }
    }

    /**
     * @param config       the {@code --config} as given (passed on to the twin)
     * @param threads      the {@code --threads} in force ({@code auto} or N; passed on to the twin)
     */
    public record Options(String config, int batch, ModelBenchmark.Mode mode, int steps, String threads, List<Competitor> beside,
                          double warmupSeconds) {
    }

    /** One phase: the timed process's rate, its ratio to the solo rate, its threads at the end, the twin's rate. */
    public record Phase(String name, double examplesPerSec, double ratio, int threads, double competitorExamplesPerSec) {
        public String line() {
            return String.format(Locale.ROOT, "%-24s %9.2f examples/s  %5.2fx alone  intra-op threads %d%s", name, examplesPerSec, ratio, threads,
                    Double.isNaN(competitorExamplesPerSec) ? "" : String.format(Locale.ROOT, "  (the twin: %.2f examples/s)", competitorExamplesPerSec));
        }
    }

    /** Runs every phase of {@code o} on {@code devices}; logs progress to {@code log}. */
    public static List<Phase> run(Options o, List<Device> devices, PrintStream log) throws Exception {
        LxmertConfig c = LxmertConfig.resolve(o.config());
        int busyThreads = CpuBudget.read().cpus();
        List<Phase> out = new ArrayList<>();
        double solo = Double.NaN;
        try (ModelBenchmark.Session s = ModelBenchmark.Session.open(o.mode(), c, o.batch(), 1_000_000, devices)) {
            for (Competitor k : o.beside()) {
                String name = switch (k) {
                    case NONE -> "alone";
                    case TWIN -> "beside a twin";
                    case BUSY -> "beside " + busyThreads + " busy thread" + (busyThreads == 1 ? "" : "s");
                };
                log.println("contention: " + name + " ...");
                Twin twin = null;
                Process busy = null;
                try {
                    if (k == Competitor.TWIN) twin = Twin.start(o);
                    if (k == Competitor.BUSY) busy = startBusy(busyThreads);
                    // warm-up: at least warmupSeconds and 3 steps (the governor's windows need both)
                    long w0 = System.nanoTime();
                    for (int i = 0; i < 3 || Timing.since(w0) < o.warmupSeconds(); i++) s.step();
                    int twinFrom = twin == null ? 0 : twin.count();
                    Timing.Steps t = Timing.steps(o.steps(), i -> s.step(), null, () -> "");
                    double rate = t.rate(o.batch());
                    if (k == Competitor.NONE) solo = rate;
                    double twinRate = twin == null ? Double.NaN : twin.rateSince(twinFrom, o.batch());
                    Phase p = new Phase(name, rate, rate / solo, s.threadsNow(), twinRate);
                    log.println(p.line());
                    out.add(p);
                } finally {
                    if (twin != null) twin.stop();
                    if (busy != null) stop(busy);
                }
            }
        }
        return out;
    }

    /** The command that starts this JVM's class path with {@code mainClass}, with the heap limit and system properties of this one. */
    static List<String> java(String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xmx") || a.startsWith("-D")) cmd.add(a);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        return cmd;
    }

    /** The second process: {@code bench model} with the same options, steps until stopped; its step times are read as it prints them. */
    static final class Twin {
        private final Process process;
        private final List<Double> seconds = new ArrayList<>();

        private Twin(Process process) {
            this.process = process;
        }

        static Twin start(Options o) throws IOException, InterruptedException {
            List<String> cmd = java("lxmert.cli.Main");
            cmd.addAll(List.of("bench", "model", "--config", o.config(), "--batch-size", Integer.toString(o.batch()), "--mode", o.mode().toString(),
                    "--steps", "1000000", "--threads", o.threads(), "--no-sgemm"));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Twin t = new Twin(p);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        Matcher m = STEP.matcher(l);
                        if (m.find()) synchronized (t.seconds) { t.seconds.add(Double.parseDouble(m.group(2))); t.seconds.notifyAll(); }
                    }
                } catch (IOException e) {
                    // the process was stopped
                }
            }, "contention-twin-reader");
            reader.setDaemon(true);
            reader.start();
            // running when its second step is done (the first includes its warm-up)
            synchronized (t.seconds) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (t.seconds.size() < 2) {
                    if (!p.isAlive()) throw new IOException("the twin process ended with status " + p.exitValue() + " before its second step: " + cmd);
                    if (System.nanoTime() > deadline) throw new IOException("the twin process did not reach its second step in 10 minutes");
                    t.seconds.wait(200);
                }
            }
            return t;
        }

        int count() {
            synchronized (seconds) {
                return seconds.size();
            }
        }

        /** Examples/s of the twin's median step among those finished since step {@code from}; NaN if none. */
        double rateSince(int from, int batch) {
            synchronized (seconds) {
                if (seconds.size() <= from) return Double.NaN;
                double[] s = seconds.subList(from, seconds.size()).stream().mapToDouble(Double::doubleValue).toArray();
                return new Timing.Steps(s).rate(batch);
            }
        }

        void stop() throws InterruptedException {
            ContentionBenchmark.stop(process);
        }
    }

    static Process startBusy(int threads) throws IOException, InterruptedException {
        List<String> cmd = java(Busy.class.getName());
        cmd.add(Integer.toString(threads));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(500); // its threads are spinning
        if (!p.isAlive()) throw new IOException("the busy process ended with status " + p.exitValue());
        return p;
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** The busy competitor: N threads that spin until the process is stopped. */
    public static final class Busy {
        static volatile long sink;

        public static void main(String[] args) {
            int n = Integer.parseInt(args[0]);
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(() -> {
                    long x = 0;
                    while (true) {
                        x = x * 6364136223846793005L + 1442695040888963407L;
                        if (x == 42) sink = x;
                    }
                }, "busy-" + i);
                t.start();
            }
        }
    }
}
