package lxmert.util;

import java.util.concurrent.atomic.AtomicLong;

import ai.djl.ndarray.NDArray;

/**
 * The one way metric values leave the device: every read of an engine array into Java memory (loss, accuracy,
 * gradient norm) goes through an instance, which counts the reads and the elements read. A trainer owns one and
 * passes it to what logs; a test counts the reads of a training step (the goal: none per step on the hot path,
 * one reduced read per log interval). Thread-safe (the prefetcher and the trainer may share one).
 */
public final class HostReads {
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong elements = new AtomicLong();

    /** A 0-d or one-element array as a double (one read). */
    public double scalar(NDArray a) {
        if (a.size() != 1) throw new IllegalArgumentException("scalar read of an array of shape " + a.getShape());
        count(1);
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray()[0];
    }

    /** The array's values as floats (one read). */
    public float[] floats(NDArray a) {
        count(a.size());
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    }

    /** The array's values as doubles (one read). */
    public double[] doubles(NDArray a) {
        count(a.size());
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    }

    /** The array's values as longs (one read). */
    public long[] longs(NDArray a) {
        count(a.size());
        return a.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
    }

    private void count(long n) {
        reads.incrementAndGet();
        elements.addAndGet(n);
    }

    /** Reads so far. */
    public long count() {
        return reads.get();
    }

    /** Elements read so far. */
    public long elements() {
        return elements.get();
    }

    /** Reads since {@code before} (a value of {@link #count()}). */
    public long since(long before) {
        return reads.get() - before;
    }
}
