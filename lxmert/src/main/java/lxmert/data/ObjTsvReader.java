package lxmert.data;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Streaming reader of the original obj36 feature TSV ({@code src/utils.py load_obj_tsv}): no header, ten
 * tab-separated fields {@code img_id, img_h, img_w, objects_id, objects_conf, attrs_id, attrs_conf, num_boxes, boxes,
 * features}, the six arrays base64 of raw little-endian {@code int64[n], f32[n], int64[n], f32[n], f32[n,4], f32[n,D]}.
 *
 * <p>The feature dimension D is taken from the data (features bytes / 4 / num_boxes), checked against an expected
 * dimension when one is given and required constant within a file. Every malformed row (field count, integers, base64,
 * array lengths, non-finite values, boxes outside the image after the original's normalisation check) raises a
 * {@link DataFormatException} naming file, line and img_id. Blank lines are skipped, as csv.DictReader does.
 *
 * <p>Lines are read into one growing buffer (no per-line String), and arrays are base64-decoded straight into their
 * destination ({@link #decodeRecord} writes the feature store's record layout in place).
 */
public final class ObjTsvReader implements AutoCloseable {
    public static final String[] FIELDNAMES = {"img_id", "img_h", "img_w", "objects_id", "objects_conf",
            "attrs_id", "attrs_conf", "num_boxes", "boxes", "features"};
    static final int F_ID = 0, F_H = 1, F_W = 2, F_OBJ = 3, F_OBJC = 4, F_ATTR = 5, F_ATTRC = 6, F_N = 7, F_BOX = 8, F_FEAT = 9;
    private static final VarHandle F32 = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The original's tolerance: {@code assert_array_less(boxes, 1+1e-5)} and {@code (-boxes, 0+1e-5)} in float32. */
    static final float BOX_HI = (float) (1 + 1e-5), BOX_LO = (float) 1e-5;

    private final Path file;
    private final FileChannel channel;
    private final int expectedDim;
    private byte[] buf = new byte[1 << 22];
    private int pos, lim;
    private boolean eof;
    private long lineNo;
    private int dim; // established by the first row
    private long offset; // file offset of buf[pos]
    private long end = Long.MAX_VALUE; // lines starting at or after this offset are not read
    private final Line line = new Line();

    /** Opens {@code tsv}; {@code expectedDim} 0 = take the dimension from the data. */
    public ObjTsvReader(Path tsv, int expectedDim) throws IOException {
        this.file = tsv;
        this.channel = FileChannel.open(tsv, StandardOpenOption.READ);
        this.expectedDim = expectedDim;
    }

    /**
     * Reads only the lines that start in bytes {@code [start, end)} of {@code tsv}, numbering them from
     * {@code firstLine} (the 1-based number of the line at {@code start}, which must be a line start): one split of a
     * file converted in parallel (the Spark module's {@code features}). Errors name the file and the line as
     * {@link #ObjTsvReader(Path, int)} does.
     */
    public static ObjTsvReader range(Path tsv, int expectedDim, long start, long end, long firstLine) throws IOException {
        ObjTsvReader r = new ObjTsvReader(tsv, expectedDim);
        r.channel.position(start);
        r.offset = start;
        r.end = end;
        r.lineNo = firstLine - 1;
        return r;
    }

    public Path file() { return file; }

    /** 1-based number of the line last returned. */
    public long lineNumber() { return lineNo; }

    /** Feature dimension of the rows read so far (0 before the first row). */
    public int featDim() { return dim; }

    /** Reads all rows (or the first {@code topK} when {@code topK > 0}) into memory, like {@code load_obj_tsv}. */
    public static List<ObjTsvRow> readAll(Path tsv, int topK, int expectedDim) throws IOException {
        List<ObjTsvRow> rows = new ArrayList<>();
        try (ObjTsvReader r = new ObjTsvReader(tsv, expectedDim)) {
            ObjTsvRow row;
            while ((topK <= 0 || rows.size() < topK) && (row = r.next()) != null) rows.add(row);
        }
        return rows;
    }

    /** The next row decoded into Java arrays, or null at end of file. */
    public ObjTsvRow next() throws IOException {
        Line l = nextLine();
        if (l == null) return null;
        int n = l.numBoxes;
        byte[] tmp = new byte[Math.max(l.featBytes, 16 * n)];
        long[] obj = new long[n], attr = new long[n];
        float[] objc = new float[n], attrc = new float[n], boxes = new float[4 * n], feats = new float[n * l.featDim];
        l.decode(F_OBJ, tmp, 0);
        for (int i = 0; i < n; i++) obj[i] = (long) I64.get(tmp, 8 * i);
        l.decode(F_OBJC, tmp, 0);
        l.checkFinite(F_OBJC, tmp, 0, n);
        for (int i = 0; i < n; i++) objc[i] = (float) F32.get(tmp, 4 * i);
        l.decode(F_ATTR, tmp, 0);
        for (int i = 0; i < n; i++) attr[i] = (long) I64.get(tmp, 8 * i);
        l.decode(F_ATTRC, tmp, 0);
        l.checkFinite(F_ATTRC, tmp, 0, n);
        for (int i = 0; i < n; i++) attrc[i] = (float) F32.get(tmp, 4 * i);
        l.decode(F_BOX, tmp, 0);
        l.checkFinite(F_BOX, tmp, 0, 4 * n);
        for (int i = 0; i < 4 * n; i++) boxes[i] = (float) F32.get(tmp, 4 * i);
        l.checkBoxes(boxes);
        l.decode(F_FEAT, tmp, 0);
        l.checkFinite(F_FEAT, tmp, 0, n * l.featDim);
        ByteBuffer.wrap(tmp, 0, l.featBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(feats);
        return new ObjTsvRow(l.imgId, l.imgH, l.imgW, n, l.featDim, obj, objc, attr, attrc, boxes, feats);
    }

    /**
     * Advances to the next non-blank line and validates its structure (field count, integers, array lengths, dim).
     * The returned view is valid until the next call. Null at end of file.
     */
    Line nextLine() throws IOException {
        while (true) {
            if (offset >= end) return null;
            int nl = -1;
            while (true) {
                for (int i = pos; i < lim; i++) if (buf[i] == '\n') { nl = i; break; }
                if (nl >= 0 || eof) break;
                fill();
            }
            if (nl < 0 && pos >= lim) return null;
            int start = pos, stop = nl < 0 ? lim : nl;
            pos = nl < 0 ? lim : nl + 1;
            offset += pos - start;
            lineNo++;
            if (stop > start && buf[stop - 1] == '\r') stop--;
            if (stop == start) continue; // csv.DictReader skips blank rows
            line.parse(buf, start, stop);
            return line;
        }
    }

    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        ByteBuffer bb = ByteBuffer.wrap(buf, lim, buf.length - lim);
        int r = channel.read(bb);
        if (r < 0) eof = true; else lim += r;
    }

    @Override
    public void close() throws IOException { channel.close(); }

    /** A structurally validated line: field bounds and the header integers. */
    final class Line {
        byte[] src;
        long number;
        final int[] fs = new int[10], fe = new int[10];
        String imgId;
        int imgH, imgW, numBoxes, featDim, featBytes;

        void parse(byte[] b, int start, int end) throws DataFormatException {
            src = b;
            number = lineNo;
            imgId = null;
            int f = 0, s = start;
            for (int i = start; i < end; i++) {
                if (b[i] == '\t') {
                    if (f < 10) { fs[f] = s; fe[f] = i; }
                    f++;
                    s = i + 1;
                }
            }
            if (f < 10) { fs[f] = s; fe[f] = end; }
            f++;
            if (f >= 1) imgId = new String(b, fs[0], fe[0] - fs[0], StandardCharsets.UTF_8);
            if (f != 10) throw error("expected 10 tab-separated fields (" + String.join(",", FIELDNAMES) + "), found " + f);
            imgH = parseInt(F_H);
            imgW = parseInt(F_W);
            numBoxes = parseInt(F_N);
            if (imgH <= 0 || imgW <= 0) throw error("img_h and img_w must be positive, found " + imgH + " x " + imgW);
            if (numBoxes <= 0) throw error("num_boxes must be positive, found " + numBoxes);
            int n = numBoxes;
            checkLen(F_OBJ, 8L * n, "int64[" + n + "]");
            checkLen(F_OBJC, 4L * n, "float32[" + n + "]");
            checkLen(F_ATTR, 8L * n, "int64[" + n + "]");
            checkLen(F_ATTRC, 4L * n, "float32[" + n + "]");
            checkLen(F_BOX, 16L * n, "float32[" + n + ",4]");
            featBytes = decodedLength(F_FEAT);
            if (featBytes == 0 || featBytes % (4L * n) != 0) {
                throw error("field 'features': expected float32[" + n + ",D] (a multiple of " + (4L * n)
                        + " bytes), found " + featBytes + " bytes");
            }
            featDim = featBytes / (4 * n);
            if (expectedDim > 0 && featDim != expectedDim) {
                throw error("feature dim: expected " + expectedDim + ", found " + featDim + " (" + featBytes + " bytes / " + n + " boxes / 4)");
            }
            if (dim == 0) dim = featDim;
            else if (featDim != dim) throw error("feature dim: expected " + dim + " (as in the rows above), found " + featDim);
        }

        private int parseInt(int f) throws DataFormatException {
            String s = new String(src, fs[f], fe[f] - fs[f], StandardCharsets.US_ASCII).trim();
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw error("field '" + FIELDNAMES[f] + "': expected an integer, found '" + abbreviate(s) + "'");
            }
        }

        private int decodedLength(int f) throws DataFormatException {
            try {
                return Base64Codec.decodedLength(src, fs[f], fe[f]);
            } catch (Base64Codec.Base64Exception e) {
                throw error("field '" + FIELDNAMES[f] + "': bad base64: " + e.getMessage());
            }
        }

        private void checkLen(int f, long expected, String what) throws DataFormatException {
            int len = decodedLength(f);
            if (len != expected) {
                throw error("field '" + FIELDNAMES[f] + "': expected " + what + " = " + expected + " bytes for num_boxes="
                        + numBoxes + ", found " + len + " bytes");
            }
        }

        /** A copy of this line that owns its bytes (for decoding on another thread). */
        Line detach() {
            Line c = new Line();
            int start = fs[0], end = fe[9];
            c.src = java.util.Arrays.copyOfRange(src, start, end);
            c.number = number;
            for (int i = 0; i < 10; i++) { c.fs[i] = fs[i] - start; c.fe[i] = fe[i] - start; }
            c.imgId = imgId; c.imgH = imgH; c.imgW = imgW; c.numBoxes = numBoxes; c.featDim = featDim; c.featBytes = featBytes;
            return c;
        }

        /** Decodes field {@code f} into {@code dst} at {@code off}. */
        void decode(int f, byte[] dst, int off) throws DataFormatException {
            try {
                Base64Codec.decode(src, fs[f], fe[f], dst, off);
            } catch (Base64Codec.Base64Exception e) {
                throw error("field '" + FIELDNAMES[f] + "': bad base64: " + e.getMessage());
            }
        }

        void checkFinite(int f, byte[] b, int off, int count) throws DataFormatException {
            for (int i = 0; i < count; i++) {
                int bits = (int) I32.get(b, off + 4 * i);
                if ((bits & 0x7f800000) == 0x7f800000) {
                    throw error("field '" + FIELDNAMES[f] + "': non-finite value " + Float.intBitsToFloat(bits) + " at index " + i);
                }
            }
        }

        /** Checks that the boxes, normalised by img_w / img_h, lie in the image (the original tolerance). */
        void checkBoxes(float[] pixel) throws DataFormatException {
            for (int i = 0; i < pixel.length; i++) {
                float v = pixel[i] / (float) ((i & 1) == 0 ? imgW : imgH);
                checkBox(i, pixel[i], v);
            }
        }

        void checkBox(int i, float pixel, float normalized) throws DataFormatException {
            if (!(normalized < BOX_HI) || !(-normalized < BOX_LO)) {
                throw error("field 'boxes': box " + (i / 4) + " coordinate " + (i % 4) + " = " + pixel
                        + " lies outside the image " + imgW + "x" + imgH + " (normalised " + normalized + ", expected within [0, 1])");
            }
        }

        DataFormatException error(String msg) {
            return new DataFormatException(file, "line " + number + (imgId == null ? "" : ", img_id " + abbreviate(imgId)), msg);
        }

        /**
         * Decodes the whole row into the feature store's record layout at {@code rec[off..]} (see
         * {@link FeatureStore}), normalising boxes by img_w/img_h in float32 and validating values.
         */
        void decodeRecord(byte[] rec, int off) throws DataFormatException {
            int n = numBoxes;
            StoreLayout.Offsets o = StoreLayout.offsets(n, featDim);
            I32.set(rec, off, imgH);
            I32.set(rec, off + 4, imgW);
            I32.set(rec, off + 8, n);
            I32.set(rec, off + 12, featDim);
            decode(F_OBJ, rec, off + o.objId());
            decode(F_OBJC, rec, off + o.objConf());
            checkFinite(F_OBJC, rec, off + o.objConf(), n);
            decode(F_ATTR, rec, off + o.attrId());
            decode(F_ATTRC, rec, off + o.attrConf());
            checkFinite(F_ATTRC, rec, off + o.attrConf(), n);
            int bo = off + o.boxes();
            decode(F_BOX, rec, bo);
            checkFinite(F_BOX, rec, bo, 4 * n);
            float w = imgW, h = imgH;
            for (int i = 0; i < 4 * n; i++) {
                float p = (float) F32.get(rec, bo + 4 * i);
                float v = p / ((i & 1) == 0 ? w : h);
                checkBox(i, p, v);
                F32.set(rec, bo + 4 * i, v);
            }
            decode(F_FEAT, rec, off + o.features());
            checkFinite(F_FEAT, rec, off + o.features(), n * featDim);
        }
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
