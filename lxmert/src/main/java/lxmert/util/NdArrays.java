package lxmert.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Creates NDArrays whose memory is owned by the engine (freed when the array or its manager closes).
 *
 * <p>DJL's {@code manager.create(float[])} on CPU wraps a fresh Java direct buffer that is only released by
 * the garbage collector, so resident memory drifts upward per batch. Here the data goes through one reused
 * per-thread staging buffer and is cloned into engine memory on the manager's device.
 */
public final class NdArrays {
    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();

    private NdArrays() {}

    private static ByteBuffer staging(long bytes) {
        ByteBuffer b = STAGING.get();
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect((int) Math.max(bytes, 1 << 16)).order(ByteOrder.nativeOrder());
            STAGING.set(b);
        }
        b.clear();
        return b;
    }

    public static NDArray floats(NDManager m, float[] data, Shape shape) {
        return floats(m, data, 0, Math.toIntExact(shape.size()), shape);
    }

    public static NDArray floats(NDManager m, float[] data, int off, int len, Shape shape) {
        ByteBuffer b = staging(len * 4L);
        b.asFloatBuffer().put(data, off, len);
        b.limit(len * 4);
        return fromStaging(m, b, shape, DataType.FLOAT32);
    }

    public static NDArray longs(NDManager m, long[] data, Shape shape) {
        return longs(m, data, 0, Math.toIntExact(shape.size()), shape);
    }

    public static NDArray longs(NDManager m, long[] data, int off, int len, Shape shape) {
        ByteBuffer b = staging(len * 8L);
        b.asLongBuffer().put(data, off, len);
        b.limit(len * 8);
        return fromStaging(m, b, shape, DataType.INT64);
    }

    /**
     * Rows {@code [row0, row0 + rows)} of a row-major [*, seqLen] array, each cut to its first {@code len} columns,
     * as a [rows, len] array ({@code len == seqLen}: the plain copy).
     */
    public static NDArray longRows(NDManager m, long[] data, int row0, int rows, int seqLen, int len) {
        if (len < 1 || len > seqLen) throw new IllegalArgumentException("length " + len + " outside 1.." + seqLen);
        if (len == seqLen) return longs(m, data, row0 * seqLen, rows * seqLen, new Shape(rows, seqLen));
        ByteBuffer b = staging((long) rows * len * 8L);
        java.nio.LongBuffer lb = b.asLongBuffer();
        for (int r = 0; r < rows; r++) lb.put(data, (row0 + r) * seqLen, len);
        b.limit(rows * len * 8);
        return fromStaging(m, b, new Shape(rows, len), DataType.INT64);
    }

    /**
     * The columns that rows {@code [row0, row0 + rows)} of a row-major [*, seqLen] attention mask use: one past the last
     * non-zero entry of any of them (at least 1). Every column from there on is padding in each row, masked out of
     * every attention (the mask adds -10000 before the softmax, whose weight underflows to exactly 0): cutting those
     * columns leaves every unpadded position's output unchanged up to the order of float sums.
     */
    public static int usedColumns(long[] mask, int row0, int rows, int seqLen) {
        return usedColumns(mask, row0, rows, seqLen, x -> x != 0);
    }

    /** As {@link #usedColumns(long[], int, int, int)}, with {@code inUse} telling which entries count (at least 1). */
    public static int usedColumns(long[] a, int row0, int rows, int seqLen, java.util.function.LongPredicate inUse) {
        int used = 1;
        for (int r = 0; r < rows; r++) {
            int base = (row0 + r) * seqLen;
            for (int c = seqLen - 1; c >= used; c--) {
                if (inUse.test(a[base + c])) {
                    used = c + 1;
                    break;
                }
            }
        }
        return used;
    }

    /** Copies little-endian float32 bytes (e.g. a memory-mapped checkpoint slice) into engine memory. */
    public static NDArray fromBytes(NDManager m, ByteBuffer littleEndianData, Shape shape, DataType type) {
        ByteBuffer src = littleEndianData.duplicate();
        ByteBuffer b = staging(src.remaining());
        b.order(ByteOrder.LITTLE_ENDIAN).put(src).flip();
        b.order(ByteOrder.nativeOrder());
        return fromStaging(m, b, shape, type);
    }

    private static NDArray fromStaging(NDManager m, ByteBuffer b, Shape shape, DataType type) {
        try (NDManager tmp = m.newSubManager()) {
            NDArray staged = tmp.create(b.slice().order(ByteOrder.nativeOrder()), shape, type);
            NDArray owned = staged.duplicate();
            owned.attach(m);
            return owned;
        }
    }
}
