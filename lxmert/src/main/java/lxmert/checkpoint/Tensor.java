package lxmert.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One named tensor of a checkpoint: element type, shape and the raw little-endian bytes in C (row-major) order.
 *
 * <p>The bytes are a {@link ByteBuffer} view that may be a slice of a memory-mapped checkpoint file; reading a
 * checkpoint therefore never copies weight data onto the Java heap (except for the rare non-contiguous view,
 * which is materialised into a contiguous copy). Two tensors may share one underlying storage (tied weights).
 * A tensor may also be <em>lazy</em> ({@link #lazy}): its bytes are produced only when {@link #data()} is called,
 * which lets {@link TorchWriter} stream one tensor at a time.
 *
 * <p>Instances are immutable; {@link #data()} returns a fresh little-endian read-only view every call.
 */
public final class Tensor {
    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;              // null when lazy
    private final Supplier<ByteBuffer> supplier; // null when eager

    private Tensor(String name, DType dtype, long[] shape, ByteBuffer data, Supplier<ByteBuffer> supplier) {
        this.name = Objects.requireNonNull(name, "name");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        for (long d : this.shape) {
            if (d < 0) throw new IllegalArgumentException("tensor " + name + ": negative dimension in shape " + Arrays.toString(shape));
        }
        this.data = data;
        this.supplier = supplier;
        if (data != null) checkSize(data);
    }

    /** A tensor over {@code data} (bytes from its position to its limit, little-endian, C order); not copied. */
    public static Tensor of(String name, DType dtype, long[] shape, ByteBuffer data) {
        return new Tensor(name, dtype, shape, data.slice().order(ByteOrder.LITTLE_ENDIAN), null);
    }

    /** A tensor whose bytes are produced by {@code data} only when needed (e.g. while being written). */
    public static Tensor lazy(String name, DType dtype, long[] shape, Supplier<ByteBuffer> data) {
        return new Tensor(name, dtype, shape, null, Objects.requireNonNull(data, "data"));
    }

    /** A float32 tensor holding a copy of {@code data}. */
    public static Tensor ofFloats(String name, long[] shape, float[] data) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(data.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return new Tensor(name, DType.F32, shape, b, null);
    }

    /** An int64 tensor holding a copy of {@code data}. */
    public static Tensor ofLongs(String name, long[] shape, long[] data) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(data.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return new Tensor(name, DType.I64, shape, b, null);
    }

    /**
     * A tensor viewing {@code storage} (a whole torch storage, little-endian) with a storage offset and strides,
     * all in elements. Contiguous views are zero-copy slices; other views are copied into a contiguous buffer.
     */
    static Tensor fromStorage(String name, DType dtype, long[] shape, long[] stride, long offset, ByteBuffer storage) {
        if (stride.length != shape.length) {
            throw new CheckpointException("tensor " + name + ": shape " + Arrays.toString(shape)
                    + " and stride " + Arrays.toString(stride) + " have different ranks");
        }
        long storageNumel = storage.remaining() / dtype.size();
        long n = numel(shape);
        if (n == 0) return of(name, dtype, shape, ByteBuffer.allocate(0));
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (stride[i] < 0) throw new CheckpointException("tensor " + name + ": negative stride " + Arrays.toString(stride));
            last += (shape[i] - 1) * stride[i];
        }
        if (offset < 0 || last >= storageNumel) {
            throw new CheckpointException("tensor " + name + ": view (offset " + offset + ", shape " + Arrays.toString(shape)
                    + ", stride " + Arrays.toString(stride) + ") exceeds its storage of " + storageNumel + " elements");
        }
        int es = dtype.size();
        if (isContiguous(shape, stride)) {
            ByteBuffer s = storage.slice(Math.toIntExact(offset * es), Math.toIntExact(n * es)).order(ByteOrder.LITTLE_ENDIAN);
            return new Tensor(name, dtype, shape, s, null);
        }
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(n * es)).order(ByteOrder.LITTLE_ENDIAN);
        long[] idx = new long[shape.length];
        for (long k = 0; k < n; k++) {
            long src = offset;
            for (int i = 0; i < shape.length; i++) src += idx[i] * stride[i];
            int p = Math.toIntExact(src * es);
            for (int b = 0; b < es; b++) out.put(storage.get(storage.position() + p + b));
            for (int i = shape.length - 1; i >= 0; i--) {
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
            }
        }
        out.flip();
        return new Tensor(name, dtype, shape, out, null);
    }

    /** True if a view with these sizes and strides is C-contiguous (dimensions of size 1 may have any stride). */
    static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** The C-contiguous strides of a shape. */
    static long[] contiguousStrides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    private void checkSize(ByteBuffer b) {
        long expected = Math.multiplyExact(numel(), (long) dtype.size());
        if (b.remaining() != expected) {
            throw new CheckpointException("tensor " + name + ": shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + expected + " bytes but the data has " + b.remaining());
        }
    }

    /** The same tensor (sharing its data) under another name. */
    public Tensor withName(String newName) {
        return new Tensor(newName, dtype, shape, data, supplier);
    }

    public String name() { return name; }

    /**
     * True if {@code o} has this tensor's data: the same bytes object or the same lazy supplier (one is the other
     * {@link #withName renamed}, as tied weights are), with the same dtype and shape. Equal values alone are not
     * shared data.
     */
    public boolean sharesDataWith(Tensor o) {
        return o != null && dataIdentity() == o.dataIdentity() && dtype == o.dtype && Arrays.equals(shape, o.shape);
    }

    /** The object that identifies this tensor's data (its buffer or its supplier), for {@link #sharesDataWith}. */
    Object dataIdentity() { return data != null ? data : supplier; }

    public DType dtype() { return dtype; }

    /** A copy of the shape. */
    public long[] shape() { return shape.clone(); }

    /** Number of elements (1 for a scalar). */
    public long numel() { return numel(shape); }

    /** Number of data bytes. */
    public long nbytes() { return numel() * dtype.size(); }

    /** True if the bytes are produced on demand. */
    public boolean isLazy() { return data == null; }

    /** A fresh read-only little-endian view of the bytes (position 0, limit = {@link #nbytes()}). */
    public ByteBuffer data() {
        ByteBuffer b;
        if (data != null) {
            b = data;
        } else {
            b = supplier.get();
            if (b == null) throw new CheckpointException("tensor " + name + ": its data supplier returned null");
            b = b.slice();
            checkSize(b);
        }
        return b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The values as floats, converting from any dtype (integers and booleans are cast). */
    public float[] toFloatArray() {
        ByteBuffer b = data();
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        switch (dtype) {
            case F32: b.asFloatBuffer().get(out); break;
            case F64: for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); break;
            case F16: for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2)); break;
            case BF16: for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16); break;
            case I64: for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8); break;
            case I32: for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); break;
            case I16: for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); break;
            case I8: for (int i = 0; i < n; i++) out[i] = b.get(i); break;
            case U8: case BOOL: for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; break;
            default: throw new IllegalStateException("unhandled dtype " + dtype);
        }
        return out;
    }

    /** The values as longs; only for integer and boolean tensors. */
    public long[] toLongArray() {
        ByteBuffer b = data();
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        switch (dtype) {
            case I64: b.asLongBuffer().get(out); break;
            case I32: for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); break;
            case I16: for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); break;
            case I8: for (int i = 0; i < n; i++) out[i] = b.get(i); break;
            case U8: case BOOL: for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; break;
            default:
                throw new IllegalStateException("tensor " + name + " has floating dtype " + dtype + "; use toFloatArray()");
        }
        return out;
    }

    /** IEEE 754 binary16 bits to float. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
