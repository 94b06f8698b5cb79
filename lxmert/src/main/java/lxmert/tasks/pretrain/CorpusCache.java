package lxmert.tasks.pretrain;

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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lxmert.data.AnswerTable;
import lxmert.data.DataOptions;
import lxmert.data.FeatureStore;
import lxmert.data.ImageFeatures;
import lxmert.text.BertTokenizer;

/**
 * The packed corpus on disk, so only the first load parses and tokenises the JSON (minutes for the real corpus) and
 * later loads read a few hundred MB of arrays. The file ({@code <sources>-<hash>.lxpc} in {@code lxmert/}, or in the
 * feature-store cache directory when one is set) starts with a key naming everything the arrays depend on: each
 * source JSON and all_ans.json (path, size, mtime), the --qa-sets filter, the sequence length, the vocabulary (size
 * and hash of its tokens) and each feature store (path, size, rows visible). A key that differs, or any read error,
 * means the corpus is built again. Written to a temporary file and renamed; a directory that cannot be written only
 * costs the cache (a warning).
 */
final class CorpusCache {
    private static final Logger LOG = LoggerFactory.getLogger(CorpusCache.class);
    static final String MAGIC = "LXMPCORPUS1";

    private CorpusCache() {}

    static String key(List<Path> files, Path allAns, List<String> qaSets, int maxSeqLength, BertTokenizer tok, ImageFeatures f)
            throws IOException {
        StringBuilder k = new StringBuilder(MAGIC);
        List<Path> all = new ArrayList<>(files);
        all.add(allAns);
        for (Path p : all) {
            k.append('|').append(p.toAbsolutePath().normalize()).append(',').append(Files.size(p)).append(',')
                    .append(Files.getLastModifiedTime(p).toMillis());
        }
        k.append("|qa=").append(qaSets).append("|len=").append(maxSeqLength);
        k.append("|vocab=").append(tok.vocab().size()).append(',').append(tok.vocab().tokens().hashCode());
        k.append("|lower=").append(tok.basicTokenizer().doLowerCase());
        for (FeatureStore s : f.stores()) k.append("|store=").append(s.path()).append(',').append(Files.size(s.path())).append(',').append(s.size());
        return k.toString();
    }

    static Path path(DataOptions opt, List<String> sources, String key) {
        Path dir = opt.cacheDir() != null ? opt.cacheDir() : opt.root().resolve("lxmert");
        return dir.resolve(String.join("+", sources) + "-" + String.format("%08x", key.hashCode()) + ".lxpc");
    }

    // ------------------------------------------------------------------------------------------------ writing

    static void write(Path file, String key, PretrainCorpus c) {
        Path tmp = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Out o = new Out(ch);
                o.string(key);
                o.ints(new int[] {c.maxTokens(), c.vocabSize(), c.droppedRecords(), c.records()});
                o.strings(c.imageIdArray());
                o.strings(c.categoryArray());
                for (Object a : c.arrays()) o.array(a);
                o.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the pretraining corpus cache {}: {}", file, e.toString());
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
        }
    }

    private static final class Out {
        final FileChannel ch;
        final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);

        Out(FileChannel ch) { this.ch = ch; }

        void need(int n) throws IOException { if (buf.remaining() < n) flush(); }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) ch.write(buf);
            buf.clear();
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            need(4);
            buf.putInt(b.length);
            for (int i = 0; i < b.length; ) {
                need(1);
                int n = Math.min(buf.remaining(), b.length - i);
                buf.put(b, i, n);
                i += n;
            }
        }

        void strings(String[] a) throws IOException {
            need(4);
            buf.putInt(a.length);
            for (String s : a) string(s);
        }

        void ints(int[] a) throws IOException {
            need(5);
            buf.put((byte) 'i').putInt(a.length);
            for (int v : a) { need(4); buf.putInt(v); }
        }

        void array(Object a) throws IOException {
            if (a instanceof int[] x) { ints(x); return; }
            need(5);
            if (a instanceof char[] x) { buf.put((byte) 'c').putInt(x.length); for (char v : x) { need(2); buf.putChar(v); } }
            else if (a instanceof byte[] x) { buf.put((byte) 'b').putInt(x.length); for (byte v : x) { need(1); buf.put(v); } }
            else if (a instanceof long[] x) { buf.put((byte) 'l').putInt(x.length); for (long v : x) { need(8); buf.putLong(v); } }
            else if (a instanceof float[] x) { buf.put((byte) 'f').putInt(x.length); for (float v : x) { need(4); buf.putFloat(v); } }
            else throw new IllegalArgumentException("array type " + a.getClass());
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** The cached corpus, or null when there is none, it is stale or unreadable. */
    static PretrainCorpus read(Path file, String key, List<String> sources, AnswerTable table, ImageFeatures f) {
        if (!Files.isRegularFile(file)) return null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            In in = new In(ch);
            if (!key.equals(in.string())) return null;
            int[] h = (int[]) in.array();
            String[] ids = in.strings();
            String[] cats = in.strings();
            Object[] a = new Object[12];
            for (int i = 0; i < a.length; i++) a[i] = in.array();
            return PretrainCorpus.fromArrays(sources, table, f, h[0], h[1], ids, cats, h[2], h[3], a);
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring the unreadable pretraining corpus cache {}: {}", file, e.toString());
            return null;
        }
    }

    /** Reads through a 1 MiB buffer (no mapping, so the file's pages are not left in the process's RSS). */
    private static final class In {
        final FileChannel ch;
        final ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);

        In(FileChannel ch) throws IOException {
            this.ch = ch;
            b.limit(0);
        }

        void ensure(int n) throws IOException {
            if (b.remaining() >= n) return;
            b.compact();
            while (b.position() < n) {
                if (ch.read(b) < 0) throw new IOException("truncated cache file");
            }
            b.flip();
        }

        int getInt() throws IOException { ensure(4); return b.getInt(); }

        String string() throws IOException {
            byte[] x = new byte[getInt()];
            for (int i = 0; i < x.length; ) {
                ensure(1);
                int k = Math.min(b.remaining(), x.length - i);
                b.get(x, i, k);
                i += k;
            }
            return new String(x, StandardCharsets.UTF_8);
        }

        String[] strings() throws IOException {
            String[] a = new String[getInt()];
            for (int i = 0; i < a.length; i++) a[i] = string();
            return a;
        }

        Object array() throws IOException {
            ensure(5);
            byte t = b.get();
            int n = b.getInt();
            int size = t == 'i' || t == 'f' ? 4 : t == 'c' ? 2 : t == 'b' ? 1 : t == 'l' ? 8 : -1;
            if (size < 0) throw new IOException("bad array tag " + t);
            Object a = t == 'i' ? new int[n] : t == 'f' ? new float[n] : t == 'c' ? new char[n] : t == 'b' ? new byte[n] : new long[n];
            for (int off = 0; off < n; ) {
                ensure(size);
                int k = Math.min(n - off, b.remaining() / size);
                switch (t) {
                    case 'i': b.asIntBuffer().get((int[]) a, off, k); break;
                    case 'f': b.asFloatBuffer().get((float[]) a, off, k); break;
                    case 'c': b.asCharBuffer().get((char[]) a, off, k); break;
                    case 'b': b.get((byte[]) a, off, k); b.position(b.position() - k); break;
                    default: b.asLongBuffer().get((long[]) a, off, k);
                }
                b.position(b.position() + k * size);
                off += k;
            }
            return a;
        }
    }
}
