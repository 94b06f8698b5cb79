package lxmert.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader and writer for NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), C order, dtypes
 * {@code <f4}, {@code <f8}, {@code <i8}, {@code <i4} and {@code |b1}. Errors name the file and what was found.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** A loaded array: shape, numpy dtype descriptor and the raw little-endian C-order bytes. */
    public record Array(long[] shape, String descr, ByteBuffer data) {
        public Array {
            shape = shape.clone();
            data = data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public long[] shape() { return shape.clone(); }

        @Override
        public ByteBuffer data() { return data.duplicate().order(ByteOrder.LITTLE_ENDIAN); }

        public int numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return Math.toIntExact(n);
        }

        /** Values as floats (integers and booleans are cast). */
        public float[] toFloatArray() {
            int n = numel();
            float[] out = new float[n];
            ByteBuffer b = data();
            switch (descr) {
                case "<f4": b.asFloatBuffer().get(out); break;
                case "<f8": for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(8 * i); break;
                case "<i8": for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); break;
                case "<i4": for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); break;
                case "|b1": for (int i = 0; i < n; i++) out[i] = b.get(i) != 0 ? 1f : 0f; break;
                default: throw new IllegalStateException("unsupported dtype " + descr);
            }
            return out;
        }

        /** Values as doubles (integers and booleans are cast). */
        public double[] toDoubleArray() {
            int n = numel();
            double[] out = new double[n];
            ByteBuffer b = data();
            switch (descr) {
                case "<f8": b.asDoubleBuffer().get(out); break;
                case "<i8": for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); break;
                default:
                    float[] f = toFloatArray();
                    for (int i = 0; i < n; i++) out[i] = f[i];
            }
            return out;
        }

        /** Values as longs; only for integer and boolean arrays. */
        public long[] toLongArray() {
            int n = numel();
            long[] out = new long[n];
            ByteBuffer b = data();
            switch (descr) {
                case "<i8": b.asLongBuffer().get(out); break;
                case "<i4": for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); break;
                case "|b1": for (int i = 0; i < n; i++) out[i] = b.get(i) != 0 ? 1 : 0; break;
                default: throw new IllegalStateException("array of dtype " + descr + " is not integral; use toFloatArray()");
            }
            return out;
        }

        @Override
        public String toString() { return "Npy.Array(" + descr + Arrays.toString(shape) + ")"; }
    }

    /** Bytes per element of a supported descriptor, or -1. */
    static int itemSize(String descr) {
        switch (descr) {
            case "<f4": case "<i4": return 4;
            case "<f8": case "<i8": return 8;
            case "|b1": return 1;
            default: return -1;
        }
    }

    /** Reads a {@code .npy} file. */
    public static Array read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC)) {
            throw new IOException(file + ": not a .npy file (missing \\x93NUMPY magic)");
        }
        int major = all[6] & 0xff;
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen, headerStart;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (all.length < 12) throw new IOException(file + ": truncated .npy header");
            headerLen = b.getInt(8);
            headerStart = 12;
        } else {
            throw new IOException(file + ": unsupported .npy format version " + major + "." + (all[7] & 0xff));
        }
        if (headerLen < 0 || headerStart + headerLen > all.length) {
            throw new IOException(file + ": truncated .npy header (needs " + headerLen + " bytes)");
        }
        String header = new String(all, headerStart, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new IOException(file + ": cannot parse .npy header: " + header.trim());
        String descr = d.group(1);
        int item = itemSize(descr);
        if (item < 0) throw new IOException(file + ": unsupported dtype '" + descr + "' (supported: <f4 <f8 <i8 <i4 |b1)");
        if (f.group(1).equals("True")) throw new IOException(file + ": Fortran-order arrays are not supported");
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) dims.add(Long.parseLong(part.trim()));
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long x : shape) n *= x;
        int dataStart = headerStart + headerLen;
        long need = n * item;
        if (all.length - dataStart != need) {
            throw new IOException(file + ": data has " + (all.length - dataStart) + " bytes, expected " + need
                    + " for shape " + Arrays.toString(shape) + " " + descr);
        }
        return new Array(shape, descr, ByteBuffer.wrap(all, dataStart, (int) need).slice());
    }

    /** Writes float32 values. */
    public static void writeFloats(Path file, long[] shape, float[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        write(file, shape, "<f4", b);
    }

    /** Writes int64 values. */
    public static void writeLongs(Path file, long[] shape, long[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        write(file, shape, "<i8", b);
    }

    /** Writes raw little-endian C-order bytes with the given descriptor (one of the supported ones). */
    public static void write(Path file, long[] shape, String descr, ByteBuffer data) throws IOException {
        int item = itemSize(descr);
        if (item < 0) throw new IllegalArgumentException(file + ": unsupported dtype '" + descr + "'");
        long n = 1;
        for (long x : shape) n *= x;
        if (data.remaining() != n * item) {
            throw new IllegalArgumentException(file + ": " + data.remaining() + " data bytes for shape "
                    + Arrays.toString(shape) + " " + descr + " (expected " + n * item + ")");
        }
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sh.append(i > 0 ? ", " : "").append(shape[i]);
        if (shape.length == 1) sh.append(',');
        sh.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + sh + ", }";
        int version = 1, pre = 10;
        int total = pre + dict.length() + 1;
        if (total + (64 - total % 64) % 64 - pre > 0xffff) {
            version = 2;
            pre = 12;
            total = pre + dict.length() + 1;
        }
        int padded = total + (64 - total % 64) % 64;
        int headerLen = padded - pre;
        StringBuilder h = new StringBuilder(dict);
        while (h.length() < headerLen - 1) h.append(' ');
        h.append('\n');
        ByteBuffer head = ByteBuffer.allocate(pre).order(ByteOrder.LITTLE_ENDIAN).put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) head.putShort((short) headerLen);
        else head.putInt(headerLen);
        try (OutputStream o = Files.newOutputStream(file)) {
            o.write(head.array());
            o.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            byte[] d = new byte[data.remaining()];
            data.duplicate().get(d);
            o.write(d);
        }
    }
}
