package lxmert.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader and writer for NumPy {@code .npy} files (format versions 1-3, C order, little-endian or
 * single-byte dtypes {@code <f4 <f8 <i8 <i4 <i2 |i1 |u1 |b1}). Values come out as float[] or long[].
 */
public final class Npy {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** An array read from a .npy file. */
    public record Array(String dtype, long[] shape, ByteBuffer data) {
        public long size() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        public float[] floats() {
            int n = Math.toIntExact(size());
            float[] out = new float[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) out[i] = (float) value(b, i);
            return out;
        }

        public long[] longs() {
            int n = Math.toIntExact(size());
            long[] out = new long[n];
            ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) out[i] = (long) value(b, i);
            return out;
        }

        public boolean isInteger() {
            return !dtype.startsWith("f");
        }

        private double value(ByteBuffer b, int i) {
            switch (dtype) {
                case "f4": return b.getFloat(i * 4);
                case "f8": return b.getDouble(i * 8);
                case "i8": return b.getLong(i * 8);
                case "i4": return b.getInt(i * 4);
                case "i2": return b.getShort(i * 2);
                case "i1": return b.get(i);
                case "u1":
                case "b1": return b.get(i) & 0xff;
                default: throw new IllegalStateException("dtype " + dtype);
            }
        }
    }

    private Npy() {}

    public static Array read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 10 || (all[0] & 0xff) != 0x93 || all[1] != 'N' || all[2] != 'U' || all[3] != 'M'
                || all[4] != 'P' || all[5] != 'Y') {
            throw new IOException(file + ": not a .npy file (bad magic)");
        }
        int major = all[6];
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            start = 12;
        } else {
            throw new IOException(file + ": unsupported .npy version " + major);
        }
        if (start + headerLen > all.length) throw new IOException(file + ": truncated header");
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new IOException(file + ": malformed header: " + header.trim());
        String descr = d.group(1);
        if ("True".equals(f.group(1))) throw new IOException(file + ": Fortran order is not supported");
        String order = descr.substring(0, 1);
        String dtype = descr.substring(1);
        if (order.equals(">")) throw new IOException(file + ": big-endian dtype " + descr + " is not supported");
        int itemSize;
        switch (dtype) {
            case "f4": case "i4": itemSize = 4; break;
            case "f8": case "i8": itemSize = 8; break;
            case "i2": itemSize = 2; break;
            case "i1": case "u1": case "b1": itemSize = 1; break;
            default: throw new IOException(file + ": unsupported dtype " + descr);
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) dims.add(Long.parseLong(part.trim()));
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long x : shape) n *= x;
        int dataStart = start + headerLen;
        if (dataStart + n * itemSize > all.length) {
            throw new IOException(file + ": truncated data: expected " + n * itemSize + " bytes, found "
                    + (all.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(all, dataStart, (int) (n * itemSize)).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Array(dtype, shape, data);
    }

    /** Writes a float32 array. */
    public static void writeFloats(Path file, long[] shape, float[] values) throws IOException {
        StringBuilder sh = new StringBuilder();
        for (int i = 0; i < shape.length; i++) sh.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + sh + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float v : values) b.putFloat(v);
        Files.write(file, b.array());
    }
}
