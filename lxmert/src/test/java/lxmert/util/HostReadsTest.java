package lxmert.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Reads counted one per call with the right values; a metric reduced on the device costs one read per log interval. */
class HostReadsTest {
    @Test
    void countsEveryReadAndReturnsTheValues() {
        HostReads reads = new HostReads();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray a = m.create(new float[]{1.5f, -2f, 4f}, new Shape(3));
            assertArrayEquals(new float[]{1.5f, -2f, 4f}, reads.floats(a));
            assertEquals(3.5, reads.scalar(a.sum()), 1e-6);
            assertArrayEquals(new long[]{1, -2, 4}, reads.longs(a));
            assertEquals(3, reads.count());
            assertEquals(7, reads.elements());
            assertThrows(IllegalArgumentException.class, () -> reads.scalar(a));
            assertEquals(3, reads.count(), "a refused read is not counted");
        }
    }

    /** The pattern a trainer follows (and a later per-step test checks): accumulate on the device, read at log time. */
    @Test
    void deviceSideAccumulationReadsOncePerLogInterval() {
        HostReads reads = new HostReads();
        int steps = 12, interval = 4;
        double expected = 0;
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            NDArray sum = root.zeros(new Shape());
            for (int s = 0; s < steps; s++) {
                long before = reads.count();
                try (NDManager m = root.newSubManager()) {
                    NDArray loss = m.create(new float[]{s * 0.5f, 1f}).mean(); // a step's loss, on the device
                    sum.addi(loss);
                    expected += (s * 0.5 + 1) / 2;
                }
                if ((s + 1) % interval == 0) {
                    assertEquals(expected, reads.scalar(sum), 1e-5);
                    assertEquals(1, reads.since(before), "one read at the log step");
                } else {
                    assertEquals(0, reads.since(before), "no read on an ordinary step");
                }
            }
        }
        assertEquals(steps / interval, reads.count());
    }
}
