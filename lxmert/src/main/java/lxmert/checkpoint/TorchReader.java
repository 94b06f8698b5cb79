package lxmert.checkpoint;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads PyTorch {@code .pth} state dicts ({@code torch.save(model.state_dict(), f)}) in pure Java, in both container
 * formats, detected from the first bytes:
 * <ul>
 * <li><b>zip</b> (torch &ge; 1.6 default; starts with {@code PK\3\4}): STORED entries {@code <prefix>/data.pkl}
 * (the pickled OrderedDict) and {@code <prefix>/data/<key>} (one raw little-endian storage each), located through
 * the central directory (zip64 records supported) and the local headers;</li>
 * <li><b>legacy</b> (older torch, {@code _use_new_zipfile_serialization=False}; starts with a pickle): pickles of
 * the magic number {@code 0x1950a86a20f9469cfc6c}, the protocol version 1001, the sys_info dict, the OrderedDict,
 * and the sorted list of storage keys, followed for each key by an int64 element count and the raw bytes.</li>
 * </ul>
 * Tensors are {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} calls over storages named
 * by persistent ids {@code ('storage', torch.FloatStorage, key, location, numel[, view])}; any location (e.g.
 * {@code cuda:0}) is accepted since the bytes are the same. The file is memory-mapped and every tensor is a view of
 * the mapping, so reading does not copy weight data onto the heap. Problems raise {@link CheckpointException}
 * naming the file and what was expected versus found.
 */
public final class TorchReader {

    /** The magic number of the legacy format (first pickle of the stream). */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long LEGACY_PROTOCOL = 1001;

    private TorchReader() {}

    /** Reads a state dict; see the class documentation for the formats. */
    public static StateDict read(Path path) {
        String file = path.toString();
        if (java.nio.file.Files.isDirectory(path)) throw new CheckpointException(lxmert.util.Check.fileProblem(path));
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 4) throw new CheckpointException(file + ": truncated file: only " + size + " bytes, not a PyTorch checkpoint");
            ByteBuffer head = ByteBuffer.allocate(4);
            ch.read(head, 0);
            byte[] h = head.array();
            if (h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4) return readZip(path, ch, size);
            if ((h[0] & 0xff) == 0x80) return readLegacy(path, ch, size);
            throw new CheckpointException(String.format("%s: wrong magic: file starts with bytes %02x %02x %02x %02x; expected a "
                    + "zip archive (50 4b 03 04) or a legacy torch pickle stream (80 ..)", file, h[0], h[1], h[2], h[3]));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": I/O error: " + e, e);
        }
    }

    // ------------------------------------------------------------------ shared pickle semantics

    /** A storage named by a persistent id; its bytes are attached once known. */
    private static final class StorageRef {
        final String key;
        final DType dtype;
        final long numel;
        final String location;
        ByteBuffer bytes;

        StorageRef(String key, DType dtype, long numel, String location) {
            this.key = key;
            this.dtype = dtype;
            this.numel = numel;
            this.location = location;
        }
    }

    /** A storage view stored under a legacy persistent id with view metadata (very old torch). */
    private record StorageView(StorageRef root, long offset, long numel) {}

    /** A deferred {@code _rebuild_tensor_v2} call. */
    private record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** Resolves the globals torch state dicts use; collects storages by key. */
    private static final class TorchResolver implements PickleReader.Resolver {
        final String file;
        final Map<String, StorageRef> storages = new LinkedHashMap<>();

        TorchResolver(String file) {
            this.file = file;
        }

        private CheckpointException error(long at, String msg) {
            return new CheckpointException(file + ": " + msg + " at pickle offset " + at);
        }

        @Override
        public Object call(PickleReader.Global g, PickleReader.Tuple args, long at) {
            String fq = g.toString();
            switch (fq) {
                case "collections.OrderedDict":
                    return new LinkedHashMap<Object, Object>();
                case "torch._utils._rebuild_tensor_v2":
                case "torch._utils._rebuild_tensor": {
                    if (args.size() < 4) throw error(at, fq + " expects at least 4 arguments, found " + args.size());
                    Object s = args.get(0);
                    StorageRef root;
                    long base = 0;
                    if (s instanceof StorageRef) {
                        root = (StorageRef) s;
                    } else if (s instanceof StorageView) {
                        root = ((StorageView) s).root();
                        base = ((StorageView) s).offset();
                    } else {
                        throw error(at, fq + " first argument is not a storage: " + PickleReader.describe(s));
                    }
                    return new TensorRef(root, base + asLong(args.get(1), at), longs(args.get(2), at), longs(args.get(3), at));
                }
                case "torch._utils._rebuild_parameter":
                case "torch._utils._rebuild_parameter_with_state":
                    if (args.size() < 1 || !(args.get(0) instanceof TensorRef)) {
                        throw error(at, fq + " first argument is not a tensor");
                    }
                    return args.get(0);
                default:
                    throw error(at, "unsupported pickle global " + fq + " (only state dicts of tensors can be read)");
            }
        }

        @Override
        public Object persistentLoad(Object pid, long at) {
            if (!(pid instanceof PickleReader.Tuple)) throw error(at, "persistent id is not a tuple: " + PickleReader.describe(pid));
            PickleReader.Tuple t = (PickleReader.Tuple) pid;
            if (t.size() < 5 || !"storage".equals(t.get(0))) {
                throw error(at, "unsupported persistent id " + t.items() + "; expected ('storage', type, key, location, numel)");
            }
            DType dtype = storageDType(t.get(1), at);
            String key = String.valueOf(t.get(2));
            String location = String.valueOf(t.get(3));
            long numel = asLong(t.get(4), at);
            StorageRef ref = storages.get(key);
            if (ref == null) {
                ref = new StorageRef(key, dtype, numel, location);
                storages.put(key, ref);
            } else if (ref.dtype != dtype) {
                throw error(at, "storage " + key + " is referenced as both " + ref.dtype + " and " + dtype);
            }
            if (t.size() >= 6 && t.get(5) != null) { // legacy view metadata (view_key, offset, view_size)
                if (!(t.get(5) instanceof PickleReader.Tuple)) throw error(at, "bad storage view metadata " + t.get(5));
                PickleReader.Tuple v = (PickleReader.Tuple) t.get(5);
                return new StorageView(ref, asLong(v.get(1), at), asLong(v.get(2), at));
            }
            return ref;
        }

        private DType storageDType(Object type, long at) {
            if (type instanceof PickleReader.Global) {
                PickleReader.Global g = (PickleReader.Global) type;
                if (g.module().equals("torch") || g.module().startsWith("torch.")) {
                    if (g.name().equals("UntypedStorage") || g.name().equals("_UntypedStorage")) return DType.U8;
                    DType d = DType.ofStorageClass(g.name());
                    if (d == null) d = DType.ofTorchName(g.name());
                    if (d != null) return d;
                }
                throw error(at, "unknown storage type " + g);
            }
            throw error(at, "storage type is not a global: " + PickleReader.describe(type));
        }

        @Override
        public Object build(Object obj, Object state, long at) {
            if (obj instanceof Map) return obj; // OrderedDict with {'_metadata': ...}: module versions, not needed
            if (obj instanceof TensorRef) return obj; // tensor attributes (e.g. Parameter state)
            throw error(at, "BUILD on unsupported object " + PickleReader.describe(obj));
        }

        private long asLong(Object o, long at) {
            if (o instanceof Long) return (Long) o;
            throw error(at, "expected an integer, found " + PickleReader.describe(o));
        }

        private long[] longs(Object o, long at) {
            if (!(o instanceof PickleReader.Tuple)) throw error(at, "expected a tuple of integers, found " + PickleReader.describe(o));
            PickleReader.Tuple t = (PickleReader.Tuple) o;
            long[] out = new long[t.size()];
            for (int i = 0; i < out.length; i++) out[i] = asLong(t.get(i), at);
            return out;
        }
    }

    /** A resolver for the header pickles of the legacy format (plain data only). */
    private static PickleReader.Resolver plainResolver(String file) {
        return new PickleReader.Resolver() {
            public Object call(PickleReader.Global g, PickleReader.Tuple a, long at) {
                throw new CheckpointException(file + ": unexpected global " + g + " in legacy header at offset " + at);
            }

            public Object persistentLoad(Object pid, long at) {
                throw new CheckpointException(file + ": unexpected persistent id in legacy header at offset " + at);
            }

            public Object build(Object obj, Object state, long at) {
                throw new CheckpointException(file + ": unexpected BUILD in legacy header at offset " + at);
            }
        };
    }

    private static Map<String, Tensor> materialize(Object root, TorchResolver r, String file) {
        if (!(root instanceof Map)) {
            throw new CheckpointException(file + ": the pickled object is " + PickleReader.describe(root)
                    + ", expected a state dict (OrderedDict of tensors)");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<TensorRef, Tensor> views = new java.util.IdentityHashMap<>(); // tied weights: one view, several keys
        for (Map.Entry<?, ?> e : ((Map<?, ?>) root).entrySet()) {
            if (!(e.getKey() instanceof String)) throw new CheckpointException(file + ": state dict key " + e.getKey() + " is not a string");
            String name = (String) e.getKey();
            if (!(e.getValue() instanceof TensorRef)) {
                throw new CheckpointException(file + ": value of key " + name + " is not a tensor but " + PickleReader.describe(e.getValue()));
            }
            TensorRef t = (TensorRef) e.getValue();
            StorageRef s = t.storage();
            if (s.bytes == null) {
                throw new CheckpointException(file + ": storage data missing for storage key " + s.key + " (tensor " + name + ")");
            }
            Tensor same = sameView(views, t);
            Tensor v = same != null ? same.withName(name) : Tensor.fromStorage(name, s.dtype, t.size(), t.stride(), t.offset(), s.bytes);
            views.put(t, v);
            out.put(name, v);
        }
        return out;
    }

    /** An earlier tensor that is the same view (storage, offset, size, stride) as {@code t}, or null. */
    private static Tensor sameView(Map<TensorRef, Tensor> views, TensorRef t) {
        for (Map.Entry<TensorRef, Tensor> e : views.entrySet()) {
            TensorRef o = e.getKey();
            if (o.storage() == t.storage() && o.offset() == t.offset() && java.util.Arrays.equals(o.size(), t.size())
                    && java.util.Arrays.equals(o.stride(), t.stride())) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Maps regions of a file: one mapping of the whole file when it fits in a ByteBuffer, else one per region. */
    private static final class Regions {
        final FileChannel ch;
        final long size;
        final ByteBuffer whole;

        Regions(FileChannel ch, long size) throws IOException {
            this.ch = ch;
            this.size = size;
            this.whole = size <= Integer.MAX_VALUE ? ch.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
        }

        ByteBuffer region(long offset, long length, String file, String what) throws IOException {
            if (offset < 0 || length < 0 || offset + length > size) {
                throw new CheckpointException(file + ": truncated file: " + what + " needs bytes " + offset + ".." + (offset + length)
                        + " but the file has only " + size + " bytes");
            }
            if (length > Integer.MAX_VALUE) {
                throw new CheckpointException(file + ": " + what + " has " + length + " bytes, more than a Java buffer can hold (2 GiB)");
            }
            ByteBuffer b = whole != null ? whole.slice((int) offset, (int) length) : ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
            return b.order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    // ------------------------------------------------------------------ legacy

    private static StateDict readLegacy(Path path, FileChannel ch, long size) throws IOException {
        String file = path.toString();
        ByteSource src = ByteSource.of(ch, 0, file);
        PickleReader.Resolver plain = plainResolver(file);
        Object magic = new PickleReader(src, plain).load();
        if (!LEGACY_MAGIC.equals(magic instanceof Long ? BigInteger.valueOf((Long) magic) : magic)) {
            throw new CheckpointException(file + ": wrong magic: first pickle is " + PickleReader.describe(magic)
                    + ", expected the torch legacy magic number 0x1950a86a20f9469cfc6c");
        }
        Object proto = new PickleReader(src, plain).load();
        if (!Long.valueOf(LEGACY_PROTOCOL).equals(proto)) {
            throw new CheckpointException(file + ": unsupported legacy protocol version " + proto + ", expected " + LEGACY_PROTOCOL);
        }
        Object sysInfo = new PickleReader(src, plain).load();
        if (sysInfo instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))) {
            throw new CheckpointException(file + ": saved on a big-endian machine (sys_info little_endian=False); not supported");
        }
        TorchResolver r = new TorchResolver(file);
        Object root = new PickleReader(src, r).load();
        Object keysObj = new PickleReader(src, plain).load();
        if (!(keysObj instanceof List)) {
            throw new CheckpointException(file + ": expected the list of storage keys after the object pickle, found " + PickleReader.describe(keysObj));
        }
        Regions regions = new Regions(ch, size);
        long pos = src.position();
        ByteBuffer num = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (Object k : (List<?>) keysObj) {
            String key = String.valueOf(k);
            StorageRef s = r.storages.get(key);
            if (s == null) throw new CheckpointException(file + ": storage key " + key + " in the key list is not referenced by any tensor");
            if (pos + 8 > size) {
                throw new CheckpointException(file + ": truncated file: storage " + key + " header at offset " + pos
                        + " is past the end (" + size + " bytes)");
            }
            num.clear();
            ch.read(num, pos);
            long numel = num.getLong(0);
            if (numel != s.numel) {
                throw new CheckpointException(file + ": storage " + key + " at offset " + pos + " has " + numel
                        + " elements in the data section but " + s.numel + " in the pickle");
            }
            long nbytes = Math.multiplyExact(numel, (long) s.dtype.size());
            s.bytes = regions.region(pos + 8, nbytes, file, "storage " + key);
            pos += 8 + nbytes;
        }
        return new StateDict(materialize(root, r, file), path, StateDict.Format.LEGACY);
    }

    // ------------------------------------------------------------------ zip

    private record ZipEntry(String name, int method, long compressedSize, long size, long localHeaderOffset) {}

    private static StateDict readZip(Path path, FileChannel ch, long size) throws IOException {
        String file = path.toString();
        Regions regions = new Regions(ch, size);
        Map<String, ZipEntry> entries = centralDirectory(ch, size, file);
        String prefix = null;
        for (String n : entries.keySet()) {
            if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) {
                prefix = n.substring(0, n.length() - "data.pkl".length());
                break;
            }
        }
        if (prefix == null) {
            throw new CheckpointException(file + ": zip archive has no <prefix>/data.pkl entry; entries: " + firstNames(entries));
        }
        ZipEntry bo = entries.get(prefix + "byteorder");
        if (bo != null) {
            ByteBuffer b = entryData(regions, ch, bo, file);
            byte[] a = new byte[b.remaining()];
            b.get(a);
            String order = new String(a, StandardCharsets.US_ASCII).trim();
            if (!order.equals("little")) throw new CheckpointException(file + ": byteorder record is '" + order + "', only 'little' is supported");
        }
        ZipEntry pkl = entries.get(prefix + "data.pkl");
        long pklOffset = dataOffset(ch, pkl, size, file);
        ByteBuffer pklBytes = regions.region(pklOffset, pkl.size(), file, "entry " + pkl.name());
        TorchResolver r = new TorchResolver(file);
        Object root = new PickleReader(ByteSource.of(pklBytes, pklOffset, file + "!" + pkl.name()), r).load();
        for (StorageRef s : r.storages.values()) {
            ZipEntry e = entries.get(prefix + "data/" + s.key);
            if (e == null) continue; // reported by materialize, naming the tensor
            long need = Math.multiplyExact(s.numel, (long) s.dtype.size());
            if (e.size() < need) {
                throw new CheckpointException(file + ": entry " + e.name() + " has " + e.size() + " bytes but storage " + s.key
                        + " needs " + need + " (" + s.numel + " x " + s.dtype + ")");
            }
            ByteBuffer b = entryData(regions, ch, e, file);
            s.bytes = b.slice(0, (int) need).order(ByteOrder.LITTLE_ENDIAN);
        }
        return new StateDict(materialize(root, r, file), path, StateDict.Format.ZIP);
    }

    private static String firstNames(Map<String, ZipEntry> entries) {
        List<String> l = new ArrayList<>(entries.keySet());
        return l.size() <= 5 ? l.toString() : l.subList(0, 5) + " ... (" + l.size() + ")";
    }

    private static ByteBuffer entryData(Regions regions, FileChannel ch, ZipEntry e, String file) throws IOException {
        if (e.method() != 0) {
            throw new CheckpointException(file + ": entry " + e.name() + " is compressed (method " + e.method()
                    + "); torch checkpoints store entries uncompressed (method 0)");
        }
        return regions.region(dataOffset(ch, e, regions.size, file), e.size(), file, "entry " + e.name());
    }

    private static long dataOffset(FileChannel ch, ZipEntry e, long size, String file) throws IOException {
        long lho = e.localHeaderOffset();
        ByteBuffer h = readAt(ch, lho, 30, size, file, "local header of " + e.name());
        if (h.getInt(0) != 0x04034b50) {
            throw new CheckpointException(String.format("%s: bad local header signature 0x%08x for entry %s at offset %d",
                    file, h.getInt(0), e.name(), lho));
        }
        return lho + 30 + (h.getShort(26) & 0xffff) + (h.getShort(28) & 0xffff);
    }

    private static ByteBuffer readAt(FileChannel ch, long pos, int n, long size, String file, String what) throws IOException {
        if (pos < 0 || pos + n > size) {
            throw new CheckpointException(file + ": truncated file: " + what + " needs bytes " + pos + ".." + (pos + n)
                    + " but the file has only " + size + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) throw new CheckpointException(file + ": unexpected end of file reading " + what);
        }
        b.flip();
        return b;
    }

    /** Parses the end-of-central-directory record (and its zip64 variant) and the central directory. */
    private static Map<String, ZipEntry> centralDirectory(FileChannel ch, long size, String file) throws IOException {
        int tailLen = (int) Math.min(size, 22 + 65535);
        ByteBuffer tail = readAt(ch, size - tailLen, tailLen, size, file, "end of archive");
        int eocd = -1;
        for (int i = tailLen - 22; i >= 0; i--) {
            if (tail.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException(file + ": truncated file or not a zip archive: end of central directory record not found "
                    + "(file starts like a zip, " + size + " bytes)");
        }
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        long eocdPos = size - tailLen + eocd;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            ByteBuffer loc = readAt(ch, eocdPos - 20, 20, size, file, "zip64 end of central directory locator");
            if (loc.getInt(0) != 0x07064b50) throw new CheckpointException(file + ": zip64 locator missing before the end record");
            long z64 = loc.getLong(8);
            ByteBuffer rec = readAt(ch, z64, 56, size, file, "zip64 end of central directory record");
            if (rec.getInt(0) != 0x06064b50) throw new CheckpointException(file + ": bad zip64 end of central directory record at " + z64);
            count = rec.getLong(32);
            cdSize = rec.getLong(40);
            cdOffset = rec.getLong(48);
        }
        if (cdSize > Integer.MAX_VALUE) throw new CheckpointException(file + ": central directory too large (" + cdSize + " bytes)");
        ByteBuffer cd = readAt(ch, cdOffset, (int) cdSize, size, file, "central directory");
        Map<String, ZipEntry> out = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != 0x02014b50) {
                throw new CheckpointException(file + ": corrupt central directory: entry " + i + " of " + count + " at offset " + (cdOffset + p));
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long lho = cd.getInt(p + 42) & 0xffffffffL;
            byte[] nb = new byte[nameLen];
            cd.get(p + 46, nb);
            String name = new String(nb, StandardCharsets.UTF_8);
            int x = p + 46 + nameLen, xend = x + extraLen;
            while (x + 4 <= xend) {
                int id = cd.getShort(x) & 0xffff, len = cd.getShort(x + 2) & 0xffff;
                if (id == 0x0001) {
                    int q = x + 4;
                    if (usize == 0xffffffffL) { usize = cd.getLong(q); q += 8; }
                    if (csize == 0xffffffffL) { csize = cd.getLong(q); q += 8; }
                    if (lho == 0xffffffffL) { lho = cd.getLong(q); }
                }
                x += 4 + len;
            }
            out.put(name, new ZipEntry(name, method, csize, usize, lho));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

}
