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
