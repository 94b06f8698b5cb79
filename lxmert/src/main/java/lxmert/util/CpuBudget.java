package lxmert.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The CPUs this process may use, and why: the CPUs in its affinity mask ({@code Cpus_allowed_list} of
 * {@code /proc/self/status}, what {@code taskset}/{@code numactl}/a container's cpuset leave it) and its cgroup CPU
 * quota ({@code cpu.max} of cgroup v2, or {@code cpu.cfs_quota_us}/{@code cpu.cfs_period_us} of v1: a container's
 * {@code --cpus}). The budget is the smaller of the two (a quota of 1.5 CPUs gives 1: a second thread would only be
 * throttled); on a machine without {@code /proc} it is {@link Runtime#availableProcessors()}.
 *
 * @param cpus    the threads worth running: min(allowed CPUs, floor(quota)), at least 1
 * @param allowed the allowed CPU numbers, in order (empty when unknown)
 * @param quota   the cgroup quota in CPUs, or NaN when there is none
 * @param why     one line saying where {@code cpus} came from
 */
public record CpuBudget(int cpus, List<Integer> allowed, double quota, String why) {

    /** Reads the budget of this process now. */
    public static CpuBudget read() {
        return read(Path.of("/proc/self/status"), Path.of("/proc/self/cgroup"), Path.of("/sys/fs/cgroup"),
                Runtime.getRuntime().availableProcessors());
    }

    /** The budget from the given files (tests point them at written copies); {@code jvmCpus} when none can be read. */
    static CpuBudget read(Path status, Path cgroupFile, Path cgroupRoot, int jvmCpus) {
        List<Integer> allowed = List.of();
        try {
            for (String l : Files.readAllLines(status)) {
                if (l.startsWith("Cpus_allowed_list:")) allowed = parseList(l.substring(l.indexOf(':') + 1).strip());
            }
        } catch (IOException | IllegalArgumentException e) {
            allowed = List.of();
        }
        double quota = quota(cgroupFile, cgroupRoot);
        int byAffinity = allowed.isEmpty() ? jvmCpus : allowed.size();
        int cpus = byAffinity;
        StringBuilder why = new StringBuilder();
        why.append(allowed.isEmpty() ? jvmCpus + " CPUs (the JVM's count; no affinity list)"
                : allowed.size() + " CPUs in the affinity mask (" + formatList(allowed) + ")");
        if (!Double.isNaN(quota)) {
            int q = Math.max(1, (int) Math.floor(quota + 1e-9));
            why.append(String.format(Locale.ROOT, ", cgroup quota %.2f CPUs", quota));
            if (q < cpus) {
                cpus = q;
                why.append(" (the limit)");
            }
        } else {
            why.append(", no cgroup CPU quota");
        }
        return new CpuBudget(Math.max(1, cpus), allowed, quota, why.toString());
    }

    /** The cgroup CPU quota in CPUs (v2 {@code cpu.max}, else v1 cfs files) along this process's cgroup path; NaN if none. */
    static double quota(Path cgroupFile, Path root) {
        try {
            double best = Double.NaN;
            for (String l : Files.readAllLines(cgroupFile)) {
                String[] f = l.split(":", 3);
                if (f.length < 3) continue;
                boolean v2 = f[0].equals("0") && f[1].isEmpty();
                boolean v1cpu = List.of(f[1].split(",")).contains("cpu");
                if (!v2 && !v1cpu) continue;
                Path base = v2 ? root : root.resolve(f[1]);
                if (!v2 && !Files.isDirectory(base)) base = root.resolve("cpu");
                // the quota of this cgroup and of each one above it: the smallest holds
                for (Path p = base.resolve(f[2].startsWith("/") ? f[2].substring(1) : f[2]).normalize(); p != null && p.startsWith(base); p = p.getParent()) {
                    double q = v2 ? quotaV2(p.resolve("cpu.max")) : quotaV1(p);
                    if (!Double.isNaN(q) && (Double.isNaN(best) || q < best)) best = q;
                }
            }
            return best;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double quotaV2(Path cpuMax) throws IOException {
        if (!Files.isRegularFile(cpuMax)) return Double.NaN;
        String[] f = Files.readString(cpuMax).strip().split("\\s+");
        if (f.length != 2 || f[0].equals("max")) return Double.NaN;
        return Double.parseDouble(f[0]) / Double.parseDouble(f[1]);
    }

    private static double quotaV1(Path dir) throws IOException {
        Path q = dir.resolve("cpu.cfs_quota_us"), p = dir.resolve("cpu.cfs_period_us");
        if (!Files.isRegularFile(q) || !Files.isRegularFile(p)) return Double.NaN;
        long quota = Long.parseLong(Files.readString(q).strip());
        return quota <= 0 ? Double.NaN : quota / Double.parseDouble(Files.readString(p).strip());
    }

    /** A CPU list as the kernel writes it ({@code 0-3,8,10-11}) as numbers in order. */
    public static List<Integer> parseList(String s) {
        List<Integer> out = new ArrayList<>();
        if (s.isBlank()) return out;
        for (String part : s.split(",")) {
            String p = part.strip();
            int dash = p.indexOf('-');
            if (dash < 0) {
                out.add(Integer.parseInt(p));
            } else {
                int a = Integer.parseInt(p.substring(0, dash)), b = Integer.parseInt(p.substring(dash + 1));
                if (b < a) throw new IllegalArgumentException("bad CPU range " + p);
                for (int c = a; c <= b; c++) out.add(c);
            }
        }
        return out;
    }

    /** Numbers in the kernel's list form ({@code 0-3,8}). */
    public static String formatList(List<Integer> cpus) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cpus.size(); ) {
            int j = i;
            while (j + 1 < cpus.size() && cpus.get(j + 1) == cpus.get(j) + 1) j++;
            if (sb.length() > 0) sb.append(',');
            sb.append(cpus.get(i));
            if (j > i) sb.append('-').append(cpus.get(j));
            i = j + 1;
        }
        return sb.toString();
    }
}
