package lxmert.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes HuggingFace <b>safetensors</b> files, in pure Java, by the format's specification (the
 * {@code huggingface/safetensors} README; the layout has not changed since safetensors 0.3, and this follows the
 * rules of the 0.4/0.5 reference implementation):
 * <pre>
 *   8 bytes        N, an unsigned little-endian 64-bit integer: the size of the header
 *   N bytes        a UTF-8 JSON object (starting with '{', possibly padded with trailing spaces):
 *                    "__metadata__": {string: string}               optional
 *                    "NAME": {"dtype": "F32", "shape": [d0, ...], "data_offsets": [begin, end]}
 *   the rest       the byte buffer: each tensor's little-endian C-order bytes at [begin, end) relative to it
 * </pre>
 * Reading checks the header: its length against the file, each tensor's dtype, shape and offsets, that
 * {@code end - begin} is the shape's byte size, that the offsets lie in the buffer, that no two tensors overlap and
 * that the tensors cover the buffer without a hole (as the reference does, so that no file hides other data); each
 * problem is a {@link CheckpointException} naming the file, the tensor and what is wrong ("offsets out of range",
 * "overlapping", "unknown dtype", ...). The file is memory-mapped (one mapping, or one per tensor above 2 GiB) and
 * F32 tensors are views of the mapping; F16 and BF16 tensors are widened to F32 when their data is read (each on
 * its own); I64, I32 (and F64, I16, I8, U8, BOOL) keep their type.
 *
 * <p>Writing ({@link #write}) puts the tensors in map order, one after another, the header padded with spaces so
 * that the data starts at a multiple of 8 bytes, {@code __metadata__} first when given; written atomically
 * (temporary file, fsync, rename) and one tensor at a time. The format has no shared storage, so tied weights are
 * written as two copies.
 */
public final class Safetensors {
    /** Largest header accepted (the reference implementation's limit). */
    static final long MAX_HEADER = 100L << 20;
    static final String METADATA = "__metadata__";
    /** Dtype names of the specification that this reader does not convert. */
    private static final Set<String> UNSUPPORTED = Set.of("U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0",
            "F6_E2M3", "F6_E3M2", "F4", "C64");

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Safetensors() {}

    /** True if the first bytes of {@code head} (at least 9 of them) look like a safetensors file (a length, then '{'). */
    static boolean looksLike(byte[] head, long fileSize) {
        if (head.length < 9 || head[8] != '{') return false;
        long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 0 && n <= fileSize - 8;
    }

    /** Reads a safetensors file; see the class documentation. */
    public static StateDict read(Path path) {
        String file = path.toString();
        if (Files.isDirectory(path)) throw new CheckpointException(lxmert.util.Check.fileProblem(path));
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(path, ch, ch.size());
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such file", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": I/O error: " + e, e);
        }
    }

    private record Entry(String name, DType stored, long[] shape, long begin, long end) {}

    private static StateDict read(Path path, FileChannel ch, long size) throws IOException {
        String file = path.toString();
        if (size < 8) {
            throw new CheckpointException(file + ": truncated safetensors file: " + size + " bytes, the header length alone needs 8");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (lenBuf.hasRemaining()) if (ch.read(lenBuf, lenBuf.position()) < 0) break;
        long n = lenBuf.getLong(0);
        if (n < 0 || n > size - 8) {
            throw new CheckpointException(file + ": bad safetensors header: header length " + Long.toUnsignedString(n)
                    + " exceeds the file (" + size + " bytes, so at most " + (size - 8) + ")");
        }
        if (n > MAX_HEADER) {
            throw new CheckpointException(file + ": bad safetensors header: header length " + n + " exceeds the limit of " + MAX_HEADER + " bytes");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        while (hb.hasRemaining()) if (ch.read(hb, 8 + hb.position()) < 0) break;
        byte[] header = hb.array();
        if (n == 0 || header[0] != '{') {
            throw new CheckpointException(file + ": bad safetensors header: the JSON header must start with '{'"
                    + (n == 0 ? " but it is empty" : String.format(" but starts with byte %02x", header[0])));
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + ": bad safetensors header: not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointException(file + ": bad safetensors header: not a JSON object");
        long base = 8 + n, dataSize = size - base;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        var it = root.fields();
        while (it.hasNext()) {
            var f = it.next();
            if (f.getKey().equals(METADATA)) {
                metadata(file, f.getValue(), metadata);
                continue;
            }
            entries.add(entry(file, f.getKey(), f.getValue(), dataSize));
        }
        checkCoverage(file, entries, dataSize);
        Regions regions = new Regions(ch, size, base);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            ByteBuffer bytes = regions.region(e.begin(), e.end() - e.begin(), file, e.name());
            Tensor raw = Tensor.of(e.name(), e.stored(), e.shape(), bytes);
            out.put(e.name(), e.stored() == DType.F16 || e.stored() == DType.BF16 ? widened(raw) : raw);
        }
        return new StateDict(out, path, StateDict.Format.SAFETENSORS, metadata);
    }

    private static void metadata(String file, JsonNode m, Map<String, String> out) {
        if (!m.isObject()) throw new CheckpointException(file + ": bad safetensors header: " + METADATA + " is not an object of strings");
        var it = m.fields();
        while (it.hasNext()) {
            var f = it.next();
            if (!f.getValue().isTextual()) {
                throw new CheckpointException(file + ": bad safetensors header: " + METADATA + " value of \"" + f.getKey()
                        + "\" is " + f.getValue() + ", not a string");
            }
            out.put(f.getKey(), f.getValue().textValue());
        }
    }

    private static Entry entry(String file, String name, JsonNode v, long dataSize) {
        String where = file + ": bad safetensors header: tensor " + name;
        if (!v.isObject()) throw new CheckpointException(where + " is " + v + ", not an object with dtype, shape and data_offsets");
        for (String k : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!v.has(k)) throw new CheckpointException(where + " has no \"" + k + "\"");
        }
        JsonNode d = v.get("dtype");
        if (!d.isTextual()) throw new CheckpointException(where + ": dtype " + d + " is not a string");
        DType dtype = dtype(d.textValue());
        if (dtype == null) {
            throw new CheckpointException(where + ": " + (UNSUPPORTED.contains(d.textValue()) ? "unsupported" : "unknown") + " dtype \""
                    + d.textValue() + "\" (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");
        }
        long[] shape = longs(v.get("shape"), where + ": shape");
        long[] off = longs(v.get("data_offsets"), where + ": data_offsets");
        if (off.length != 2) throw new CheckpointException(where + ": data_offsets " + v.get("data_offsets") + " must be [begin, end]");
        long numel;
        try {
            numel = Math.multiplyExact(Tensor.numel(shape), (long) dtype.size());
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + ": shape " + Arrays.toString(shape) + " is too large");
        }
        if (off[0] > off[1]) {
            throw new CheckpointException(where + ": data_offsets " + Arrays.toString(off) + " end before they begin");
        }
        if (off[1] > dataSize) {
            throw new CheckpointException(where + ": offsets out of range: data_offsets " + Arrays.toString(off)
                    + " but the data after the header has " + dataSize + " bytes");
        }
        if (off[1] - off[0] != numel) {
            throw new CheckpointException(where + ": data_offsets " + Arrays.toString(off) + " span " + (off[1] - off[0])
                    + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + numel);
        }
        return new Entry(name, dtype, shape, off[0], off[1]);
    }

    private static long[] longs(JsonNode a, String what) {
        if (!a.isArray()) throw new CheckpointException(what + " " + a + " is not an array of integers");
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = a.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
                throw new CheckpointException(what + " " + a + " holds " + x + ", not a non-negative integer");
            }
            out[i] = x.longValue();
        }
        return out;
    }

    /** The dtype of a specification name, or null for one this reader does not handle. */
    static DType dtype(String name) {
        switch (name) {
            case "F32": return DType.F32;
            case "F16": return DType.F16;
            case "BF16": return DType.BF16;
            case "F64": return DType.F64;
            case "I64": return DType.I64;
            case "I32": return DType.I32;
            case "I16": return DType.I16;
            case "I8": return DType.I8;
            case "U8": return DType.U8;
            case "BOOL": return DType.BOOL;
            default: return null;
        }
    }

    /** No two tensors overlap and together they cover the data buffer with no hole. */
    private static void checkCoverage(String file, List<Entry> entries, long dataSize) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry last = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw new CheckpointException(file + ": bad safetensors header: overlapping tensors " + last.name() + " "
                        + Arrays.toString(new long[] {last.begin(), last.end()}) + " and " + e.name() + " "
                        + Arrays.toString(new long[] {e.begin(), e.end()}));
            }
            if (e.begin() > covered) {
                throw new CheckpointException(file + ": bad safetensors header: bytes " + covered + ".." + e.begin()
                        + " of the data belong to no tensor (a hole before " + e.name() + ")");
            }
            if (e.end() > covered || last == null) last = e;
            covered = Math.max(covered, e.end());
        }
        if (covered != dataSize) {
            throw new CheckpointException(file + ": bad safetensors header: the tensors end at byte " + covered
                    + " of the data but it has " + dataSize + " (trailing bytes belong to no tensor)");
        }
    }

    /** An F32 tensor whose data is {@code t}'s F16 / BF16 values, converted when read. */
    static Tensor widened(Tensor t) {
        return Tensor.lazy(t.name(), DType.F32, t.shape(), () -> {
            float[] f = t.toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(f);
            return b;
        });
    }

    /** Maps tensors' byte ranges: one mapping of the whole file when it fits in a ByteBuffer, else one per tensor. */
    private static final class Regions {
        final FileChannel ch;
        final long base;
        final ByteBuffer whole;

        Regions(FileChannel ch, long size, long base) throws IOException {
            this.ch = ch;
            this.base = base;
            this.whole = size <= Integer.MAX_VALUE ? ch.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
        }

        ByteBuffer region(long begin, long length, String file, String name) throws IOException {
            if (length > Integer.MAX_VALUE) {
                throw new CheckpointException(file + ": tensor " + name + " has " + length + " bytes, more than a Java buffer can hold (2 GiB)");
            }
            if (length == 0) return ByteBuffer.allocate(0);
            ByteBuffer b = whole != null ? whole.slice((int) (base + begin), (int) length)
                    : ch.map(FileChannel.MapMode.READ_ONLY, base + begin, length);
            return b.order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes {@code tensors} (map order; keys are the saved names) with no metadata. */
    public static void write(Path out, Map<String, Tensor> tensors) {
        write(out, tensors, Map.of());
    }

    /** Writes {@code tensors} (map order; keys are the saved names) and {@code metadata} to {@code out} atomically. */
    public static void write(Path out, Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, Tensor>> items = new ArrayList<>(tensors.entrySet());
        byte[] header = header(items, metadata);
        TorchWriter.atomically(out, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeAll(ch, len);
            writeAll(ch, ByteBuffer.wrap(header));
            for (Map.Entry<String, Tensor> e : items) writeAll(ch, TorchWriter.dataOf(out, e));
        });
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes (so the data starts 8-aligned). */
    static byte[] header(List<Map.Entry<String, Tensor>> items, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject(METADATA);
            metadata.forEach(m::put);
        }
        long off = 0;
        for (Map.Entry<String, Tensor> e : items) {
            String name = e.getKey();
            if (name == null || name.equals(METADATA)) throw new CheckpointException("tensor name " + name + " cannot be written to safetensors");
            if (root.has(name)) throw new CheckpointException("tensor name " + name + " appears twice");
            Tensor t = e.getValue();
            if (dtype(t.dtype().name()) != t.dtype()) throw new CheckpointException("tensor " + name + ": dtype " + t.dtype() + " has no safetensors name");
            ObjectNode o = root.putObject(name);
            o.put("dtype", t.dtype().name());
            ArrayNode s = o.putArray("shape");
            for (long d : t.shape()) s.add(d);
            o.putArray("data_offsets").add(off).add(off + t.nbytes());
            off += t.nbytes();
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int pad = (int) ((8 - (8 + json.length) % 8) % 8);
        byte[] out = Arrays.copyOf(json, json.length + pad);
        Arrays.fill(out, json.length, out.length, (byte) ' ');
        return out;
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        ByteBuffer d = b.duplicate();
        while (d.hasRemaining()) ch.write(d);
    }
}
