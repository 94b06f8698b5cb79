package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Memory check at the released size (lxr955: 473 keys, 228M parameters): writes a state dict with the shapes of
 * {@code lxr955-manifest.json} (deterministic values, one lazily generated tensor at a time), reads it back and
 * measures the peak Java heap of the read: the weights must stay in the memory mapping, not on the heap.
 * Slow (about a GB of disk I/O): run with {@code -Dlxmert.slow=true -Dtest=FullSizeMemoryTest}.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "lxmert.slow", matches = "true")
class FullSizeMemoryTest {

    private static float value(int tensor, long j) {
        return ((tensor * 7919L + j) % 2003) / 2003f - 0.5f;
    }

    private static List<MemoryPoolMXBean> heapPools() {
        List<MemoryPoolMXBean> l = new ArrayList<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) l.add(p);
        return l;
    }

    private static long heapUsed() {
        long s = 0;
        for (MemoryPoolMXBean p : heapPools()) s += p.getUsage().getUsed();
        return s;
    }

    private static long resetAndBaseline() {
        System.gc();
        for (MemoryPoolMXBean p : heapPools()) p.resetPeakUsage();
        return heapUsed();
    }

    private static long peak() {
        long s = 0;
        for (MemoryPoolMXBean p : heapPools()) s += p.getPeakUsage().getUsed();
        return s;
    }

    /** Bytes allocated on the heap by the current thread so far (HotSpot extension). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void fullSizeReadStaysOffHeap() throws Exception {
        JsonNode m = Fixtures.json(Fixtures.shared().resolve("fixtures/lxr955-manifest.json"));
        Map<String, long[]> shapes = Fixtures.shapes(m.get("state_dict").get("keys"));
        assertEquals(m.get("state_dict").get("n_keys").asInt(), shapes.size());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        double[] sums = new double[shapes.size()];
        long params = 0;
        int idx = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            final int i = idx++;
            long[] shape = e.getValue();
            long n = Tensor.numel(shape);
            params += n;
            tensors.put(e.getKey(), Tensor.lazy(e.getKey(), DType.F32, shape, () -> {
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
                FloatBuffer fb = b.asFloatBuffer();
                double s = 0;
                for (long j = 0; j < n; j++) {
                    float v = value(i, j);
                    fb.put(v);
                    s += v;
                }
                sums[i] = s;
                return b;
            }));
        }
        Path f = Files.createTempFile("lxr955-", ".pth");
        try {
            long base = resetAndBaseline();
            long t0 = System.nanoTime();
            TorchWriter.writeZip(f, tensors);
            long writeMs = (System.nanoTime() - t0) / 1_000_000;
            long writePeak = peak() - base;
            long size = Files.size(f);

            base = resetAndBaseline();
            long alloc0 = allocated();
            t0 = System.nanoTime();
            StateDict sd = TorchReader.read(f);
            long readMs = (System.nanoTime() - t0) / 1_000_000;
            // touch every weight (sum through a FloatBuffer view, no copy) and compare with the generated values
            int i = 0;
            for (Tensor t : sd.values()) {
                FloatBuffer fb = t.data().asFloatBuffer();
                double s = 0;
                for (int j = 0; j < fb.limit(); j++) s += fb.get(j);
                assertEquals(sums[i], s, 0.0, t.name());
                i++;
            }
            long touchMs = (System.nanoTime() - t0) / 1_000_000 - readMs;
            long readPeak = peak() - base;
            long readAlloc = allocated() - alloc0;
            long usedAfter = heapUsed() - base;
            assertEquals(shapes.size(), sd.size());
            System.out.printf("lxr955-shaped state dict: %d keys, %,d parameters (tied decoder written as its own storage)%n", sd.size(), params);
            System.out.printf("file size %,d bytes (%.1f MiB); write %d ms, peak heap growth while writing %.1f MiB%n",
                    size, size / 1048576.0, writeMs, writePeak / 1048576.0);
            System.out.printf("read %d ms + touching all weights %d ms; heap allocated by read+touch %.2f MiB, "
                    + "heap used after (no GC) +%.2f MiB, pool peak growth %.2f MiB (max heap %.0f MiB)%n",
                    readMs, touchMs, readAlloc / 1048576.0, usedAfter / 1048576.0, readPeak / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
            assertTrue(readAlloc < 64L << 20, "reading allocated " + readAlloc + " bytes of heap; weights must stay memory-mapped");
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
