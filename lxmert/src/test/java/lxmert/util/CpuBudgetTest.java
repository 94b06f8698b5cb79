package lxmert.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuBudgetTest {
    @TempDir Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void cpuListsAsTheKernelWritesThem() {
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), CpuBudget.parseList("0-3,8,10-11"));
        assertEquals(List.of(5), CpuBudget.parseList("5"));
        assertEquals("0-3,8,10-11", CpuBudget.formatList(List.of(0, 1, 2, 3, 8, 10, 11)));
        assertEquals("1,3", CpuBudget.formatList(List.of(1, 3)));
    }

    @Test
    void affinityWithoutQuota() throws IOException {
        Path status = write("status", "Name:\tjava\nCpus_allowed:\t3\nCpus_allowed_list:\t2-3\n");
        Path cg = write("cgroup", "0::/user.slice/a.scope\n");
        write("fs/user.slice/cpu.max", "max 100000\n");
        CpuBudget b = CpuBudget.read(status, cg, dir.resolve("fs"), 16);
        assertEquals(2, b.cpus());
        assertEquals(List.of(2, 3), b.allowed());
        assertTrue(Double.isNaN(b.quota()));
        assertTrue(b.why().contains("2 CPUs in the affinity mask (2-3)"), b.why());
    }

    @Test
    void theSmallestQuotaAlongTheCgroupPathLimits() throws IOException {
        Path status = write("status", "Cpus_allowed_list:\t0-7\n");
        Path cg = write("cgroup", "0::/kubepods/pod1/c1\n");
        write("fs/kubepods/cpu.max", "400000 100000\n");
        write("fs/kubepods/pod1/cpu.max", "150000 100000\n");
        write("fs/kubepods/pod1/c1/cpu.max", "max 100000\n");
        CpuBudget b = CpuBudget.read(status, cg, dir.resolve("fs"), 8);
        assertEquals(1.5, b.quota(), 1e-12);
        assertEquals(1, b.cpus()); // a second thread would only be throttled
        assertTrue(b.why().contains("cgroup quota 1.50 CPUs (the limit)"), b.why());
    }

    @Test
    void cgroupV1Quota() throws IOException {
        Path status = write("status", "Cpus_allowed_list:\t0-3\n");
        Path cg = write("cgroup", "4:cpu,cpuacct:/docker/abc\n2:memory:/docker/abc\n");
        write("fs/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "200000\n");
        write("fs/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
        CpuBudget b = CpuBudget.read(status, cg, dir.resolve("fs"), 4);
        assertEquals(2.0, b.quota(), 1e-12);
        assertEquals(2, b.cpus());
    }

    @Test
    void withoutProcTheJvmCount() {
        CpuBudget b = CpuBudget.read(dir.resolve("none"), dir.resolve("none2"), dir.resolve("fs"), 3);
        assertEquals(3, b.cpus());
        assertTrue(b.allowed().isEmpty());
    }

    @Test
    void thisMachine() {
        CpuBudget b = CpuBudget.read();
        assertTrue(b.cpus() >= 1 && b.cpus() <= Runtime.getRuntime().availableProcessors() * 2L, b.toString());
    }
}
