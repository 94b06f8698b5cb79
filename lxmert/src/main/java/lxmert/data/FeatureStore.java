package lxmert.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A memory-mapped binary home for one obj36 feature TSV. The first {@link #open} converts the TSV (or its first K
 * rows) into a store file, beside the TSV or in a cache directory; later opens only map it, so reopening costs O(1)
 * in the number of images, random access by img_id is a binary search over a sorted on-disk index, and the data live
 * in the page cache (file-backed pages), not in anonymous memory.
 *
 * <p>File layout (little-endian): a 4 KiB header (magic, {@link #FORMAT_VERSION}, TSV size and mtime, topK, counts,
 * section offsets, a completion flag), then one record per TSV row in TSV order (layout in {@link StoreLayout}: img_h,
 * img_w, num_boxes, feat_dim, objects_id, objects_conf, attrs_id, attrs_conf, boxes normalised by img_w/img_h in float32
 * exactly as the original, features), then the img_id strings (UTF-8 blob + int64 offsets), the int64 record offsets,
 * and the row numbers sorted by (img_id bytes, row). A header whose TSV size, mtime, format version or topK differs
 * from the request makes the store stale and it is rebuilt. Conversion writes a temporary file in the target
 * directory and renames it into place only when complete, so a crash never leaves a store that looks complete.
 *
 * <p>With duplicate img_ids the last row wins, as the original's {@code imgid2img} dict. A store converted from all
 * rows also serves any topK request as a view of its first K rows. Instances are immutable and safe for concurrent
 * readers; {@link #close()} only drops references (mappings are released by the GC).
 */
public final class FeatureStore implements AutoCloseable {
    public static final int FORMAT_VERSION = 1;
    static final byte[] MAGIC = "LXMFSTOR".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 4096;
    /** Records are mapped in windows of this many bytes (plus one record of overlap), as a mapping is at most 2 GiB. */
    static final long SEGMENT = 1L << 30;

    private final Path path;
    private final Path tsv;
    private final int rows;      // rows in the file
    private final int limit;     // rows visible in this view
    private final int featDim;
    private final int maxBoxes;
    private final int topK;
    private final boolean converted;
    private final long segment;
    private final ByteBuffer[] segs;
    private final FloatBuffer[] segF;
    private final LongBuffer[] segL;
    private final IntBuffer[] segI;
    private final ByteBuffer idBlob;
    private final LongBuffer idOffsets;
    private final LongBuffer recOffsets;
    private final IntBuffer sorted;

    private FeatureStore(FeatureStore base, int limit) {
        this.path = base.path; this.tsv = base.tsv; this.rows = base.rows; this.limit = limit; this.featDim = base.featDim;
        this.maxBoxes = base.maxBoxes; this.topK = base.topK; this.converted = base.converted; this.segs = base.segs;
        this.segment = base.segment;
        this.segF = base.segF; this.segL = base.segL; this.segI = base.segI; this.idBlob = base.idBlob;
        this.idOffsets = base.idOffsets; this.recOffsets = base.recOffsets; this.sorted = base.sorted;
    }

    private FeatureStore(Path path, Path tsv, Header h, boolean converted) throws IOException {
        this(path, tsv, h, converted, SEGMENT);
    }

    private FeatureStore(Path path, Path tsv, Header h, boolean converted, long segment) throws IOException {
        this.segment = segment;
        this.path = path;
        this.tsv = tsv;
        this.rows = h.numImages;
        this.limit = h.numImages;
        this.featDim = h.featDim;
        this.maxBoxes = h.maxBoxes;
        this.topK = h.topK;
        this.converted = converted;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long recEnd = h.idsBlobOffset;
            int nSeg = (int) Math.max(1, (recEnd - HEADER + segment - 1) / segment);
            segs = new ByteBuffer[nSeg];
            segF = new FloatBuffer[nSeg];
            segL = new LongBuffer[nSeg];
            segI = new IntBuffer[nSeg];
            for (int s = 0; s < nSeg; s++) {
                long start = HEADER + s * segment;
                long len = Math.min(recEnd - start, segment + h.maxRecordSize);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, start, Math.max(0, len));
                m.order(ByteOrder.LITTLE_ENDIAN);
                segs[s] = m;
                segF[s] = m.asFloatBuffer();
                segL[s] = m.asLongBuffer();
                segI[s] = m.asIntBuffer();
            }
            ByteBuffer idx = ch.map(FileChannel.MapMode.READ_ONLY, h.idsBlobOffset, h.totalLength - h.idsBlobOffset)
                    .order(ByteOrder.LITTLE_ENDIAN);
            idBlob = slice(idx, 0, h.idsBlobLength);
            idOffsets = slice(idx, h.idOffsetsOffset - h.idsBlobOffset, 8L * (rows + 1)).asLongBuffer();
            recOffsets = slice(idx, h.recordOffsetsOffset - h.idsBlobOffset, 8L * rows).asLongBuffer();
            sorted = slice(idx, h.sortedOffset - h.idsBlobOffset, 4L * rows).asIntBuffer();
        }
    }

    private static ByteBuffer slice(ByteBuffer b, long off, long len) {
        return b.slice((int) off, (int) len).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ------------------------------------------------------------------------------------------------ opening

    /**
     * Opens the store of {@code tsv}, converting first if there is no valid one.
     *
     * @param cacheDir   where stores live; null = beside the TSV
     * @param topK       only the first K rows ({@code --tiny} 512 / 500, {@code --fast} 5000); {@code <= 0} = all
     * @param expectedDim expected feature dim, 0 = take it from the data
     */
    public static FeatureStore open(Path tsv, Path cacheDir, int topK, int expectedDim) throws IOException {
        int k = topK <= 0 ? -1 : topK;
        lxmert.util.Check.file("feature TSV", tsv);
        long size = Files.size(tsv), mtime = Files.getLastModifiedTime(tsv).toMillis();
        Path full = storePath(tsv, cacheDir, -1);
        Header hf = Header.readValid(full, size, mtime, -1);
        FeatureStore st;
        if (hf != null) {
            st = new FeatureStore(full, tsv, hf, false);
            if (k > 0 && k < st.rows) st = new FeatureStore(st, k);
        } else {
            Path p = storePath(tsv, cacheDir, k);
            Header h = k > 0 ? Header.readValid(p, size, mtime, k) : null;
            st = h != null ? new FeatureStore(p, tsv, h, false) : convert(tsv, p, k, expectedDim);
        }
        if (expectedDim > 0 && st.featDim != expectedDim) {
            throw new DataFormatException(tsv, "feature dim", "expected " + expectedDim + ", found " + st.featDim);
        }
        return st;
    }

    /**
     * Opens the complete store file {@code store} without its TSV (a store written by {@link #write}, or converted
     * elsewhere): its first {@code topK} rows ({@code <= 0}: all). The header must be complete and of this format.
     */
    public static FeatureStore openStore(Path store, int topK, int expectedDim) throws IOException {
        lxmert.util.Check.file("feature store", store);
        Header h = Header.readComplete(store);
        if (h == null) throw new DataFormatException(store, "header", "not a complete feature store of format " + FORMAT_VERSION);
        if (h.topK > 0 && (topK <= 0 || topK > h.topK)) {
            throw new DataFormatException(store, "header", "holds only the first " + h.topK + " rows of its TSV, "
                    + (topK <= 0 ? "all rows" : "the first " + topK) + " requested");
        }
        FeatureStore st = new FeatureStore(store, null, h, false);
        if (topK > 0 && topK < st.rows) st = new FeatureStore(st, topK);
        if (expectedDim > 0 && st.featDim != expectedDim) {
            throw new DataFormatException(store, "feature dim", "expected " + expectedDim + ", found " + st.featDim);
        }
        return st;
    }

    /** Test hook: reopens a valid store mapping its records in windows of {@code segmentBytes} (multiple of 8). */
    static FeatureStore reopenWithSegment(FeatureStore st, long segmentBytes) throws IOException {
        long size = Files.size(st.tsv), mtime = Files.getLastModifiedTime(st.tsv).toMillis();
        Header h = Header.readValid(st.path, size, mtime, st.topK);
        if (h == null) throw new IOException("store " + st.path + " is not valid");
        return new FeatureStore(st.path, st.tsv, h, false, segmentBytes);
    }

    /** Where the store for ({@code tsv}, {@code topK}) lives: beside the TSV, or in {@code cacheDir} with a path hash. */
    public static Path storePath(Path tsv, Path cacheDir, int topK) {
        String suffix = (topK <= 0 ? ".all" : ".top" + topK) + ".lxfs";
        Path abs = tsv.toAbsolutePath().normalize();
        if (cacheDir == null) return abs.resolveSibling(abs.getFileName() + suffix);
        String h = String.format("%08x", abs.toString().hashCode());
        return cacheDir.resolve(abs.getFileName() + "-" + h + suffix);
    }

    /** Converts the first {@code topK} rows ({@code <= 0}: all) of {@code tsv} into a new store at {@code dest}. */
    public static FeatureStore convert(Path tsv, Path dest, int topK, int expectedDim) throws IOException {
        int k = topK <= 0 ? -1 : topK;
        Header h = new Header();
        h.topK = k;
        h.tsvSize = Files.size(tsv);
        h.tsvMtime = Files.getLastModifiedTime(tsv).toMillis();
        writeAtomically(dest, tmp -> writeStore(tsv, tmp, k, expectedDim, h));
        return new FeatureStore(dest, tsv, h, true);
    }

    private interface StoreBody {
        void write(Path tmp) throws IOException;
    }

    /** Writes a store through {@code body} into a temporary file beside {@code dest}, then moves it into place; a failure leaves no file. */
    private static void writeAtomically(Path dest, StoreBody body) throws IOException {
        Path dir = dest.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(dest.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        boolean ok = false;
        try {
            body.write(tmp);
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
            }
            ok = true;
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
    }

    private static void writeStore(Path tsv, Path tmp, int k, int expectedDim, Header h) throws IOException {
        List<byte[]> ids = new ArrayList<>();
        long[] recOff = new long[1024];
        int n = 0, maxRec = 0, maxBoxes = 0, dim = 0;
        try (ObjTsvReader reader = new ObjTsvReader(tsv, expectedDim);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.position(HEADER);
            long pos = HEADER;
            int threads = decodeThreads();
            ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "tsv-decode");
                t.setDaemon(true);
                return t;
            }) : null;
            try {
                // rows are parsed in order on this thread, decoded (base64, checks, box normalisation) on the pool,
                // and written in order; a bounded window keeps memory flat
                ArrayDeque<Future<Decoded>> window = new ArrayDeque<>();
                byte[] rec = new byte[1 << 20];
                while (true) {
                    ObjTsvReader.Line line = null;
                    try {
                        if (k <= 0 || n + window.size() < k) line = reader.nextLine();
                    } catch (DataFormatException e) {
                        for (Future<Decoded> f : window) await(f); // an earlier row's error is reported first
                        throw e;
                    }
                    boolean more = line != null;
                    if (more) {
                        if (pool == null) {
                            StoreLayout.Offsets o = StoreLayout.offsets(line.numBoxes, line.featDim);
                            if (rec.length < o.size()) rec = new byte[o.size()];
                            line.decodeRecord(rec, 0);
                            window.add(CompletableFuture.completedFuture(new Decoded(line.imgId, line.numBoxes, line.featDim, rec, o.size())));
                        } else {
                            ObjTsvReader.Line own = line.detach();
                            window.add(pool.submit(() -> decode(own)));
                        }
                    }
                    while (!window.isEmpty() && (!more || window.size() > (pool == null ? 0 : 2 * threads))) {
                        Decoded d = await(window.poll());
                        writeFully(out, ByteBuffer.wrap(d.rec, 0, d.size));
                        if (n == recOff.length) recOff = Arrays.copyOf(recOff, n * 2);
                        recOff[n++] = pos;
                        pos += d.size;
                        ids.add(d.imgId.getBytes(StandardCharsets.UTF_8));
                        maxRec = Math.max(maxRec, d.size);
                        maxBoxes = Math.max(maxBoxes, d.numBoxes);
                        dim = d.featDim;
                    }
                    if (!more) break;
                }
            } finally {
                if (pool != null) pool.shutdownNow();
            }
            if (n == 0) throw new DataFormatException(tsv, "line 1", "no feature rows found (empty TSV)");
            writeIndex(out, pos, ids, recOff, n, maxRec, maxBoxes, dim, h);
        }
    }

    /**
     * Writes a complete store at {@code dest} (atomically: a temporary file renamed into place) from decoded rows in
     * TSV order, recording the TSV state it stands for ({@code tsvSize}, {@code tsvMtime}: a store placed at
     * {@link #storePath} of that TSV is then valid for {@link #open}). The records are those {@link #convert} writes
     * for the same rows (boxes normalised by {@link ObjTsvRow#normalizedBoxes}). The Spark module builds stores from
     * Parquet with it.
     */
    public static void write(java.util.Iterator<ObjTsvRow> rows, Path dest, long tsvSize, long tsvMtime) throws IOException {
        Header h = new Header();
        h.topK = -1;
        h.tsvSize = tsvSize;
        h.tsvMtime = tsvMtime;
        writeAtomically(dest, tmp -> {
            List<byte[]> ids = new ArrayList<>();
            long[] recOff = new long[1024];
            int n = 0, maxRec = 0, maxBoxes = 0, dim = 0;
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.position(HEADER);
                long pos = HEADER;
                while (rows.hasNext()) {
                    ObjTsvRow r = rows.next();
                    if (dim != 0 && r.featDim() != dim) {
                        throw new IllegalArgumentException("img_id " + r.imgId() + ": feature dim " + r.featDim() + ", the rows before have " + dim);
                    }
                    byte[] rec = record(r);
                    writeFully(out, ByteBuffer.wrap(rec));
                    if (n == recOff.length) recOff = Arrays.copyOf(recOff, n * 2);
                    recOff[n++] = pos;
                    pos += rec.length;
                    ids.add(r.imgId().getBytes(StandardCharsets.UTF_8));
                    maxRec = Math.max(maxRec, rec.length);
                    maxBoxes = Math.max(maxBoxes, r.numBoxes());
                    dim = r.featDim();
                }
                if (n == 0) throw new IllegalArgumentException(dest + ": no feature rows to write");
                writeIndex(out, pos, ids, recOff, n, maxRec, maxBoxes, dim, h);
            }
        });
    }

    /** One row in the record layout of {@link StoreLayout}. */
    private static byte[] record(ObjTsvRow r) {
        int n = r.numBoxes(), d = r.featDim();
        StoreLayout.Offsets o = StoreLayout.offsets(n, d);
        ByteBuffer b = ByteBuffer.allocate(o.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, r.imgH()).putInt(4, r.imgW()).putInt(8, n).putInt(12, d);
        for (int i = 0; i < n; i++) {
            b.putLong(o.objId() + 8 * i, r.objectsId()[i]);
            b.putFloat(o.objConf() + 4 * i, r.objectsConf()[i]);
            b.putLong(o.attrId() + 8 * i, r.attrsId()[i]);
            b.putFloat(o.attrConf() + 4 * i, r.attrsConf()[i]);
        }
        float[] boxes = r.normalizedBoxes();
        for (int i = 0; i < 4 * n; i++) b.putFloat(o.boxes() + 4 * i, boxes[i]);
        for (int i = 0; i < n * d; i++) b.putFloat(o.features() + 4 * i, r.features()[i]);
        return b.array();
    }

    /** Writes the index sections after the records (ending at {@code pos}) and the header; forces the file. */
    private static void writeIndex(FileChannel out, long pos, List<byte[]> ids, long[] recOff, int n, int maxRec, int maxBoxes,
                                   int dim, Header h) throws IOException {
        // index sections
        long blobLen = 0;
        for (byte[] id : ids) blobLen += id.length;
        h.idsBlobOffset = pos;
        h.idsBlobLength = blobLen;
        ByteBuffer blob = ByteBuffer.allocate((int) blobLen);
        for (byte[] id : ids) blob.put(id);
        blob.flip();
        writeFully(out, blob);
        pos += blobLen;
        long pad = StoreLayout.align8(pos) - pos;
        writeFully(out, ByteBuffer.allocate((int) pad));
        pos += pad;
        h.idOffsetsOffset = pos;
        ByteBuffer lb = ByteBuffer.allocate(8 * (n + 1)).order(ByteOrder.LITTLE_ENDIAN);
        long acc = 0;
        lb.putLong(0);
        for (byte[] id : ids) { acc += id.length; lb.putLong(acc); }
        lb.flip();
        writeFully(out, lb);
        pos += 8L * (n + 1);
        h.recordOffsetsOffset = pos;
        ByteBuffer rb = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) rb.putLong(recOff[i]);
        rb.flip();
        writeFully(out, rb);
        pos += 8L * n;
        h.sortedOffset = pos;
        Integer[] perm = new Integer[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Arrays.sort(perm, (a, b) -> {
            int c = Arrays.compareUnsigned(ids.get(a), ids.get(b));
            return c != 0 ? c : Integer.compare(a, b);
        });
        ByteBuffer sb = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (Integer p : perm) sb.putInt(p);
        sb.flip();
        writeFully(out, sb);
        pos += 4L * n;
        h.totalLength = pos;
        h.numImages = n;
        h.featDim = dim;
        h.maxRecordSize = maxRec;
        h.maxBoxes = maxBoxes;
        h.complete = 1;
        writeFully(out.position(0), h.encode());
        out.force(true);
    }

    /** One decoded record. */
    private record Decoded(String imgId, int numBoxes, int featDim, byte[] rec, int size) {}

    private static Decoded decode(ObjTsvReader.Line line) throws DataFormatException {
        StoreLayout.Offsets o = StoreLayout.offsets(line.numBoxes, line.featDim);
        byte[] rec = new byte[o.size()];
        line.decodeRecord(rec, 0);
        return new Decoded(line.imgId, line.numBoxes, line.featDim, rec, o.size());
    }

    private static Decoded await(Future<Decoded> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("feature conversion interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        }
    }

    /**
     * Decode threads: system property {@code lxmert.tsv.threads} (default 1). Parallel decoding is opt-in: on the
     * 2-core reference machine one thread converted the 1000 x 36 x 2048 file in ~0.95 s and two threads in ~1.3 s
     * (the per-row copies and allocations cost more than the base64 work they spread), with a larger heap.
     */
    static int decodeThreads() {
        String p = System.getProperty("lxmert.tsv.threads");
        return p == null ? 1 : Math.max(1, Integer.parseInt(p));
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    // ------------------------------------------------------------------------------------------------ access

    /** Number of images (rows) visible. */
    public int size() { return limit; }

    public int featDim() { return featDim; }

    /** The largest num_boxes of any row (36 for obj36 files). */
    public int maxBoxes() { return maxBoxes; }

    /** The store file. */
    public Path path() { return path; }

    /** The TSV the store was built from (null for a store opened by {@link #openStore}). */
    public Path tsv() { return tsv; }

    /** True if this open converted the TSV (false when an existing store was reused). */
    public boolean converted() { return converted; }

    /** A view of the first {@code k} rows (the whole store if {@code k <= 0} or larger). */
    public FeatureStore firstRows(int k) {
        return k <= 0 || k >= limit ? this : new FeatureStore(this, k);
    }

    /** img_id of row {@code i}. */
    public String id(int i) {
        checkRow(i);
        int a = (int) idOffsets.get(i), b = (int) idOffsets.get(i + 1);
        byte[] bytes = new byte[b - a];
        idBlob.get(a, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** All visible img_ids in TSV order (a lazy view). */
    public List<String> ids() {
        return new AbstractList<>() {
            @Override public String get(int i) { return id(i); }
            @Override public int size() { return limit; }
        };
    }

    /** Row of {@code imgId} (the last one for duplicates), or -1 if absent from this view. */
    public int index(String imgId) {
        byte[] key = imgId.getBytes(StandardCharsets.UTF_8);
        // upper bound: first sorted position whose id > key
        int lo = 0, hi = rows;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareId(sorted.get(mid), key) <= 0) lo = mid + 1; else hi = mid;
        }
        for (int p = lo - 1; p >= 0; p--) {
            int row = sorted.get(p);
            if (compareId(row, key) != 0) break;
            if (row < limit) return row;
        }
        return -1;
    }

    public boolean contains(String imgId) { return index(imgId) >= 0; }

    private int compareId(int row, byte[] key) {
        int a = (int) idOffsets.get(row), b = (int) idOffsets.get(row + 1);
        int len = b - a, n = Math.min(len, key.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(idBlob.get(a + i) & 0xff, key[i] & 0xff);
            if (c != 0) return c;
        }
        return Integer.compare(len, key.length);
    }

    private int require(String imgId) {
        int i = index(imgId);
        if (i < 0) throw new IllegalArgumentException("img_id '" + imgId + "' not in feature store " + path + " (" + limit + " images)");
        return i;
    }

    private void checkRow(int i) {
        if (i < 0 || i >= limit) throw new IndexOutOfBoundsException("row " + i + " outside store of " + limit + " images");
    }

    private long recOffset(int i) {
        checkRow(i);
        return recOffsets.get(i) - HEADER;
    }

    private int seg(long off) { return (int) (off / segment); }

    private int localInt(long off, int field) {
        int s = seg(off);
        return segI[s].get((int) ((off - s * segment) / 4) + field);
    }

    public int numBoxes(int i) { return localInt(recOffset(i), 2); }
    public int numBoxes(String imgId) { return numBoxes(require(imgId)); }
    public int imgH(int i) { return localInt(recOffset(i), 0); }
    public int imgW(int i) { return localInt(recOffset(i), 1); }

    private StoreLayout.Offsets layout(long off) {
        return StoreLayout.offsets(localInt(off, 2), featDim);
    }

    private void getFloats(long off, int rel, float[] dst, int dstOff, int count) {
        int s = seg(off);
        segF[s].get((int) ((off - s * segment + rel) / 4), dst, dstOff, count);
    }

    private void getLongs(long off, int rel, long[] dst, int dstOff, int count) {
        int s = seg(off);
        segL[s].get((int) ((off - s * segment + rel) / 8), dst, dstOff, count);
    }

    /** Copies the {@code numBoxes * featDim} features of row {@code i} (row-major) into {@code dst[off..]}. */
    public void copyFeatures(int i, float[] dst, int off) {
        long o = recOffset(i);
        int n = localInt(o, 2);
        getFloats(o, layout(o).features(), dst, off, n * featDim);
    }

    public void copyFeatures(String imgId, float[] dst, int off) { copyFeatures(require(imgId), dst, off); }

    /** Copies the {@code featDim} features of box {@code box} (0-based, below {@link #numBoxes(int)}) of row {@code i}. */
    public void copyFeature(int i, int box, float[] dst, int off) {
        long o = recOffset(i);
        int n = localInt(o, 2);
        if (box < 0 || box >= n) throw new IndexOutOfBoundsException("box " + box + " outside the " + n + " boxes of row " + i);
        getFloats(o, layout(o).features() + 4 * box * featDim, dst, off, featDim);
    }

    /** Copies the {@code numBoxes * 4} normalised boxes (x1, y1, x2, y2 in [0, 1]) of row {@code i}. */
    public void copyBoxes(int i, float[] dst, int off) {
        long o = recOffset(i);
        getFloats(o, layout(o).boxes(), dst, off, 4 * localInt(o, 2));
    }

    public void copyBoxes(String imgId, float[] dst, int off) { copyBoxes(require(imgId), dst, off); }

    public void copyObjectIds(int i, long[] dst, int off) {
        long o = recOffset(i);
        getLongs(o, layout(o).objId(), dst, off, localInt(o, 2));
    }

    public void copyObjectConfs(int i, float[] dst, int off) {
        long o = recOffset(i);
        getFloats(o, layout(o).objConf(), dst, off, localInt(o, 2));
    }

    public void copyAttrIds(int i, long[] dst, int off) {
        long o = recOffset(i);
        getLongs(o, layout(o).attrId(), dst, off, localInt(o, 2));
    }

    public void copyAttrConfs(int i, float[] dst, int off) {
        long o = recOffset(i);
        getFloats(o, layout(o).attrConf(), dst, off, localInt(o, 2));
    }

    public void copyObjectIds(String imgId, long[] dst, int off) { copyObjectIds(require(imgId), dst, off); }
    public void copyObjectConfs(String imgId, float[] dst, int off) { copyObjectConfs(require(imgId), dst, off); }
    public void copyAttrIds(String imgId, long[] dst, int off) { copyAttrIds(require(imgId), dst, off); }
    public void copyAttrConfs(String imgId, float[] dst, int off) { copyAttrConfs(require(imgId), dst, off); }

    @Override
    public void close() { /* mappings are released when unreachable */ }

    @Override
    public String toString() {
        return "FeatureStore[" + path + ", " + limit + "/" + rows + " images, dim " + featDim + "]";
    }

    // ------------------------------------------------------------------------------------------------ header

    static final class Header {
        int version = FORMAT_VERSION, topK, numImages, featDim, maxRecordSize, maxBoxes, complete;
        long tsvSize, tsvMtime, idsBlobOffset, idsBlobLength, idOffsetsOffset, recordOffsetsOffset, sortedOffset, totalLength;

        ByteBuffer encode() {
            ByteBuffer b = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            b.put(MAGIC).putInt(version).putInt(topK).putLong(tsvSize).putLong(tsvMtime).putInt(numImages).putInt(featDim)
                    .putInt(maxRecordSize).putInt(maxBoxes).putLong(idsBlobOffset).putLong(idsBlobLength)
                    .putLong(idOffsetsOffset).putLong(recordOffsetsOffset).putLong(sortedOffset).putLong(totalLength)
                    .putInt(complete);
            b.clear();
            return b;
        }

        /** The header at {@code p} if it is a complete store of the given TSV state and topK, else null. */
        static Header readValid(Path p, long tsvSize, long tsvMtime, int topK) throws IOException {
            Header h = readComplete(p);
            if (h == null || h.tsvSize != tsvSize || h.tsvMtime != tsvMtime || h.topK != topK) return null;
            return h;
        }

        /** The header at {@code p} if it is a complete store of this format, whatever TSV it was made from, else null. */
        static Header readComplete(Path p) throws IOException {
            if (!Files.isRegularFile(p) || Files.size(p) < HEADER) return null;
            ByteBuffer b = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                while (b.hasRemaining() && ch.read(b) >= 0) { /* fill */ }
            }
            b.flip();
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) return null;
            Header h = new Header();
            h.version = b.getInt(); h.topK = b.getInt(); h.tsvSize = b.getLong(); h.tsvMtime = b.getLong();
            h.numImages = b.getInt(); h.featDim = b.getInt(); h.maxRecordSize = b.getInt(); h.maxBoxes = b.getInt();
            h.idsBlobOffset = b.getLong(); h.idsBlobLength = b.getLong(); h.idOffsetsOffset = b.getLong();
            h.recordOffsetsOffset = b.getLong(); h.sortedOffset = b.getLong(); h.totalLength = b.getLong();
            h.complete = b.getInt();
            if (h.version != FORMAT_VERSION || h.complete != 1 || h.totalLength != Files.size(p)) return null;
            return h;
        }
    }
}
