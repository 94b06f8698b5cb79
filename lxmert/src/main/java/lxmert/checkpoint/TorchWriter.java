package lxmert.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes a state dict in the zip format of {@code torch.save} (torch &ge; 1.6), loadable by {@code torch.load}
 * and by {@link TorchReader}. Layout, all entries STORED (uncompressed) with correct CRC-32:
 * <pre>
 *   archive/data.pkl     pickle protocol 2: OrderedDict{name: _rebuild_tensor_v2(
 *                          persistent_id('storage', torch.FloatStorage, "i", "cpu", numel), 0, shape, stride,
 *                          False, OrderedDict())}
 *   archive/byteorder    "little"
 *   archive/data/i       raw little-endian bytes of each storage: one per tensor, except that tensors with the
 *                        same data (tied weights: {@link Tensor#sharesDataWith}) are written once, both keys naming
 *                        the storage of the first, as torch does for the tied MLM decoder
 *   archive/version      "3\n"
 * </pre>
 * Like torch's {@code PyTorchStreamWriter}, every entry's data starts at a multiple of 64 bytes, padded with an
 * extra field {@code "FB"} filled with {@code 'Z'}. Zip64 records are added only when offsets exceed 4 GiB.
 *
 * <p>Tensors are written one at a time (a {@link Tensor#lazy lazy} tensor's bytes are requested only when it is
 * its turn). The write is atomic: the archive is written to a temporary file in the target directory, forced to
 * disk and renamed over {@code out}; if anything fails the temporary file is deleted and an existing {@code out}
 * is left untouched.
 */
public final class TorchWriter {
    /** Data alignment of torch's writer (caffe2/serialize/inline_container kFieldAlignment). */
    static final int ALIGNMENT = 64;
    static final String ARCHIVE = "archive";
    private static final int FLAG_UTF8 = 0x0800;
    private static final int DOS_DATE_1980_01_01 = (1 << 5) | 1;

    private TorchWriter() {}

    /** Writes {@code tensors} (in iteration order; map keys are the saved names) to {@code out} atomically. */
    public static void writeZip(Path out, Map<String, Tensor> tensors) {
        List<Map.Entry<String, Tensor>> items = new ArrayList<>(tensors.entrySet());
        int[] storage = storages(items);
        atomically(out, ch -> {
            ZipOut zip = new ZipOut(ch);
            zip.entry(ARCHIVE + "/data.pkl", ByteBuffer.wrap(dataPkl(items, storage)));
            zip.entry(ARCHIVE + "/byteorder", ByteBuffer.wrap("little".getBytes(StandardCharsets.US_ASCII)));
            for (int i = 0; i < items.size(); i++) {
                if (storage[i] != i) continue; // shares the storage of an earlier tensor: written once
                zip.entry(ARCHIVE + "/data/" + i, dataOf(out, items.get(i)));
            }
            zip.entry(ARCHIVE + "/version", ByteBuffer.wrap("3\n".getBytes(StandardCharsets.US_ASCII)));
            zip.finish();
        });
    }

    /**
     * For each tensor the index of the first tensor with the same data ({@link Tensor#sharesDataWith}: tied weights
     * such as the MLM decoder and the word embeddings), which is the storage both are written with, as torch does.
     */
    static int[] storages(List<Map.Entry<String, Tensor>> items) {
        int[] storage = new int[items.size()];
        Map<Object, Integer> first = new java.util.IdentityHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Tensor t = items.get(i).getValue();
            Integer j = first.get(t.dataIdentity());
            storage[i] = j != null && t.sharesDataWith(items.get(j).getValue()) ? j : i;
            if (j == null) first.put(t.dataIdentity(), i);
        }
        return storage;
    }

    static ByteBuffer dataOf(Path out, Map.Entry<String, Tensor> item) {
        try {
            return item.getValue().data();
        } catch (RuntimeException e) {
            throw new CheckpointException(out + ": cannot get the data of tensor " + item.getKey() + ": " + e.getMessage(), e);
        }
    }

    /** Writes the content of a file through a channel. */
    interface Body {
        void write(FileChannel ch) throws IOException;
    }

    /**
     * Writes {@code out} atomically: {@code body} writes a temporary file in the target directory, which is forced to
     * disk and renamed over {@code out}; if anything fails the temporary file is deleted and an existing {@code out}
     * is left untouched.
     */
    static void atomically(Path out, Body body) {
        Path abs = out.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            try { // createTempFile makes the file owner-only; a checkpoint is an ordinary file
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException | IOException ignored) {
                // not a POSIX file system: keep the default
            }
        } catch (IOException e) {
            throw new CheckpointException(out + ": cannot create a temporary file in " + dir + ": " + e, e);
        }
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new CheckpointException(out + ": the file system does not support an atomic rename of " + tmp, e);
            }
            done = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new CheckpointException(out + ": write failed: " + e, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort; the original file is untouched either way
                }
            }
        }
    }

    /** Makes the rename durable (best effort; not all platforms allow opening a directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not supported here; the rename itself is still atomic
        }
    }

    /** The pickled OrderedDict of {@code _rebuild_tensor_v2} calls, storage i for tensor i. */
    static byte[] dataPkl(List<Map.Entry<String, Tensor>> items) {
        int[] own = new int[items.size()];
        for (int i = 0; i < own.length; i++) own[i] = i;
        return dataPkl(items, own);
    }

    /** The pickled OrderedDict of {@code _rebuild_tensor_v2} calls, tensor i over storage {@code storage[i]}. */
    static byte[] dataPkl(List<Map.Entry<String, Tensor>> items, int[] storage) {
        PickleWriter p = new PickleWriter().proto();
        p.global("collections", "OrderedDict").emptyTuple().reduce();
        if (!items.isEmpty()) {
            p.mark();
            for (int i = 0; i < items.size(); i++) {
                String name = items.get(i).getKey();
                Tensor t = items.get(i).getValue();
                if (name == null) throw new CheckpointException("tensor #" + i + " has a null name");
                long[] shape = t.shape();
                p.str(name);
                p.global("torch._utils", "_rebuild_tensor_v2");
                p.mark();
                p.mark().str("storage").global("torch", t.dtype().storageClass()).str(Integer.toString(storage[i])).str("cpu")
                        .integer(t.numel()).tuple().binpersid();
                p.integer(0).intTuple(shape).intTuple(Tensor.contiguousStrides(shape)).bool(false);
                p.global("collections", "OrderedDict").emptyTuple().reduce();
                p.tuple().reduce();
            }
            p.setitems();
        }
        return p.stop().toByteArray();
    }

    /** A minimal streaming zip writer (STORED entries, 64-byte aligned data, zip64 only when needed). */
    private static final class ZipOut {
        private final FileChannel ch;
        private long pos;
        private final List<long[]> cdInfo = new ArrayList<>(); // crc, size, offset
        private final List<byte[]> cdNames = new ArrayList<>();

        ZipOut(FileChannel ch) { this.ch = ch; }

        private void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) pos += ch.write(b);
        }

        void entry(String name, ByteBuffer data) throws IOException {
            byte[] nb = name.getBytes(StandardCharsets.UTF_8);
            long size = data.remaining();
            long lho = pos;
            long start = lho + 30 + nb.length + 4;
            int pad = (int) ((ALIGNMENT - start % ALIGNMENT) % ALIGNMENT);
            ByteBuffer h = ByteBuffer.allocate(30 + nb.length + 4 + pad).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) FLAG_UTF8).putShort((short) 0)
                    .putShort((short) 0).putShort((short) DOS_DATE_1980_01_01)
                    .putInt(0) /* crc, patched below */.putInt((int) size).putInt((int) size)
                    .putShort((short) nb.length).putShort((short) (4 + pad)).put(nb)
                    .put((byte) 'F').put((byte) 'B').putShort((short) pad);
            for (int i = 0; i < pad; i++) h.put((byte) 'Z');
            h.flip();
            write(h);
            CRC32 crc = new CRC32();
            crc.update(data.duplicate());
            write(data.duplicate());
            ByteBuffer c = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) crc.getValue());
            while (c.hasRemaining()) ch.write(c, lho + 14 + c.position());
            cdInfo.add(new long[] {crc.getValue(), size, lho});
            cdNames.add(nb);
        }

        void finish() throws IOException {
            long cdStart = pos;
            for (int i = 0; i < cdNames.size(); i++) {
                byte[] nb = cdNames.get(i);
                long[] info = cdInfo.get(i);
                boolean z64 = info[2] >= 0xffffffffL;
                ByteBuffer e = ByteBuffer.allocate(46 + nb.length + (z64 ? 12 : 0)).order(ByteOrder.LITTLE_ENDIAN);
                e.putInt(0x02014b50).putShort((short) (z64 ? 45 : 20)).putShort((short) (z64 ? 45 : 20))
                        .putShort((short) FLAG_UTF8).putShort((short) 0).putShort((short) 0).putShort((short) DOS_DATE_1980_01_01)
                        .putInt((int) info[0]).putInt((int) info[1]).putInt((int) info[1])
                        .putShort((short) nb.length).putShort((short) (z64 ? 12 : 0)).putShort((short) 0)
                        .putShort((short) 0).putShort((short) 0).putInt(0)
                        .putInt(z64 ? 0xffffffff : (int) info[2]).put(nb);
                if (z64) e.putShort((short) 1).putShort((short) 8).putLong(info[2]);
                e.flip();
                write(e);
            }
            long cdEnd = pos;
            long cdSize = cdEnd - cdStart;
            int n = cdNames.size();
            boolean z64 = n >= 0xffff || cdStart >= 0xffffffffL || cdSize >= 0xffffffffL;
            if (z64) {
                ByteBuffer r = ByteBuffer.allocate(56 + 20).order(ByteOrder.LITTLE_ENDIAN);
                r.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                        .putLong(n).putLong(n).putLong(cdSize).putLong(cdStart);
                r.putInt(0x07064b50).putInt(0).putLong(cdEnd).putInt(1);
                r.flip();
                write(r);
            }
            ByteBuffer eocd = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
            eocd.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) Math.min(n, 0xffff)).putShort((short) Math.min(n, 0xffff))
                    .putInt(z64 ? 0xffffffff : (int) cdSize).putInt(z64 ? 0xffffffff : (int) cdStart).putShort((short) 0);
            eocd.flip();
            write(eocd);
        }
    }
}
