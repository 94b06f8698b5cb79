package lxmert.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.djl.pytorch.jni.JniUtils;

/**
 * {@code bench model --profile FILE}: one step under libtorch's profiler (DJL's {@link JniUtils#startProfile}), its
 * Chrome trace written to FILE, and a table of the operators by self time (time in the operator minus the operators
 * it called, nested by start and end on each thread), with the number of calls. Matrix products
 * ({@link #MATMUL}) are told apart from everything else: the time outside them is what the step spends beyond the
 * machine's matmul rate. Top-level operators are the calls that came from Java (each one JNI call or more).
 */
public final class OpProfile {
    /** The operators whose self time is matrix-product time. */
    public static final Set<String> MATMUL = Set.of("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::addmv", "aten::mv",
            "aten::dot", "aten::_addmm_activation");

    /** One operator: calls, self and total (inclusive) milliseconds. */
    public record Op(String name, long calls, double selfMs, double totalMs) {}

    /** The operators by self time, the profiled span's sum of top-level time, and the number of top-level calls. */
    public record Summary(List<Op> ops, double topLevelMs, long topLevelCalls) {
        public double matmulMs() {
            return ops.stream().filter(o -> MATMUL.contains(o.name())).mapToDouble(Op::selfMs).sum();
        }

        /** The table: the first {@code rows} operators and the matmul / rest split. */
        public void print(PrintStream out, int rows) {
            out.printf(Locale.ROOT, "profile: %d top-level operator calls (from Java), %.1f ms in them; matrix products %.1f ms (%.1f%%), "
                    + "everything else %.1f ms%n", topLevelCalls, topLevelMs, matmulMs(), 100 * matmulMs() / Math.max(topLevelMs, 1e-9),
                    topLevelMs - matmulMs());
            out.printf(Locale.ROOT, "%-44s %8s %10s %7s %10s%n", "operator", "calls", "self ms", "self %", "total ms");
            for (Op o : ops.subList(0, Math.min(rows, ops.size()))) {
                out.printf(Locale.ROOT, "%-44s %8d %10.1f %6.1f%% %10.1f%n", o.name().length() > 44 ? o.name().substring(0, 44) : o.name(),
                        o.calls(), o.selfMs(), 100 * o.selfMs() / Math.max(topLevelMs, 1e-9), o.totalMs());
            }
        }
    }

    private OpProfile() {}

    private record Ev(String name, long tid, double ts, double dur) {}

    /** Runs {@code step} once under the profiler and writes the trace to {@code trace}. */
    public static Summary profile(Timing.Step step, Path trace) throws Exception {
        JniUtils.startProfile(false, false, false);
        try {
            step.run(0);
        } finally {
            JniUtils.stopProfile(trace.toAbsolutePath().toString());
        }
        return summarize(trace);
    }

    /** The summary of a Chrome trace as libtorch's profiler writes it ({@code ph: X} events with {@code ts} and {@code dur} in µs). */
    public static Summary summarize(Path trace) throws IOException {
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        List<Ev> evs = new ArrayList<>();
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText())) continue;
            evs.add(new Ev(e.path("name").asText(), e.path("tid").asLong(), e.path("ts").asDouble(), e.path("dur").asDouble()));
        }
        // by thread, by start; an enclosing event first when two start together
        evs.sort(Comparator.comparingLong(Ev::tid).thenComparingDouble(Ev::ts).thenComparing(Comparator.comparingDouble(Ev::dur).reversed()));
        Map<String, double[]> agg = new HashMap<>(); // calls, self, total
        double topMs = 0;
        long topCalls = 0;
        Deque<double[]> stack = new ArrayDeque<>(); // {end, childTime, index}
        List<Ev> open = new ArrayList<>();
        long tid = Long.MIN_VALUE;
        for (Ev e : evs) {
            if (e.tid() != tid) {
                while (!stack.isEmpty()) close(stack, open, agg);
                tid = e.tid();
            }
            while (!stack.isEmpty() && stack.peek()[0] <= e.ts() + 1e-6) close(stack, open, agg);
            if (stack.isEmpty()) {
                topMs += e.dur() / 1000;
                topCalls++;
            } else {
                stack.peek()[1] += e.dur();
            }
            open.add(e);
            stack.push(new double[] {e.ts() + e.dur(), 0, open.size() - 1});
        }
        while (!stack.isEmpty()) close(stack, open, agg);
        List<Op> ops = new ArrayList<>();
        agg.forEach((k, v) -> ops.add(new Op(k, (long) v[0], v[1] / 1000, v[2] / 1000)));
        ops.sort(Comparator.comparingDouble(Op::selfMs).reversed());
        return new Summary(ops, topMs, topCalls);
    }

    private static void close(Deque<double[]> stack, List<Ev> open, Map<String, double[]> agg) {
        double[] top = stack.pop();
        Ev e = open.get((int) top[2]);
        double[] a = agg.computeIfAbsent(e.name(), k -> new double[3]);
        a[0]++;
        a[1] += Math.max(0, e.dur() - top[1]);
        a[2] += e.dur();
    }
}
