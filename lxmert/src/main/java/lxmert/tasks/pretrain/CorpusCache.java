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
            In in = new In(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
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

    private static final class In {
        final ByteBuffer b;

        In(ByteBuffer b) { this.b = b.order(ByteOrder.LITTLE_ENDIAN); }

        String string() {
            byte[] x = new byte[b.getInt()];
            b.get(x);
            return new String(x, StandardCharsets.UTF_8);
        }

        String[] strings() {
            String[] a = new String[b.getInt()];
            for (int i = 0; i < a.length; i++) a[i] = string();
            return a;
        }

        Object array() {
            byte t = b.get();
            int n = b.getInt();
            switch (t) {
                case 'i': { int[] a = new int[n]; b.asIntBuffer().get(a); b.position(b.position() + 4 * n); return a; }
                case 'c': { char[] a = new char[n]; b.asCharBuffer().get(a); b.position(b.position() + 2 * n); return a; }
                case 'b': { byte[] a = new byte[n]; b.get(a); return a; }
                case 'l': { long[] a = new long[n]; b.asLongBuffer().get(a); b.position(b.position() + 8 * n); return a; }
                case 'f': { float[] a = new float[n]; b.asFloatBuffer().get(a); b.position(b.position() + 4 * n); return a; }
                default: throw new IllegalStateException("bad array tag " + t + " at " + b.position());
            }
        }
    }
}
