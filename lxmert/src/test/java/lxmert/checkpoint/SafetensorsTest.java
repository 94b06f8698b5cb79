package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors files written byte by byte here (header JSON by hand), read back, and the writer checked against them. */
class SafetensorsTest {
    @TempDir Path tmp;

    /** 8-byte LE length, the header as given, then the data bytes. */
    private Path file(String name, String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        o.write(h);
        o.write(data);
        Path p = tmp.resolve(name);
        Files.write(p, o.toByteArray());
        return p;
    }

    private static byte[] le(Object... values) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        for (Object v : values) {
            if (v instanceof Float f) b.putFloat(f);
            else if (v instanceof Long l) b.putLong(l);
            else if (v instanceof Integer i) b.putInt(i);
            else if (v instanceof Short s) b.putShort(s);
            else throw new IllegalArgumentException(String.valueOf(v));
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    @Test
    void handWrittenFileWithEveryEdgeCaseReads() throws Exception {
        // data: w F32[2,2] 0..16, ids I64[2] 16..32, s F32[] 32..36, e F32[0,3] 36..36, h F16[3] 36..42, b BF16[2] 42..46, i I32[1] 46..50
        byte[] data = le(1f, -2.5f, 3e-8f, 7f, 5L, -1L, 42f, (short) 0x3c00, (short) 0xc000, (short) 0x3555,
                (short) 0x3f80, (short) 0xc040, -7);
        String header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"hand\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[16,32]},"
                + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[32,36]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[36,36]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[36,42]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[42,46]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[46,50]}}   ";
        StateDict sd = Safetensors.read(file("a.safetensors", header, data));
        assertEquals(StateDict.Format.SAFETENSORS, sd.format());
        assertEquals(List.of("w", "ids", "s", "e", "h", "b", "i"), new ArrayList<>(sd.keySet()));
        assertEquals(Map.of("format", "pt", "note", "hand"), sd.metadata());
        assertArrayEquals(new float[] {1f, -2.5f, 3e-8f, 7f}, sd.get("w").toFloatArray());
        assertArrayEquals(new long[] {2, 2}, sd.get("w").shape());
        assertEquals(DType.I64, sd.get("ids").dtype());
        assertArrayEquals(new long[] {5, -1}, sd.get("ids").toLongArray());
        assertArrayEquals(new long[] {}, sd.get("s").shape());
        assertArrayEquals(new float[] {42f}, sd.get("s").toFloatArray());
        assertArrayEquals(new long[] {0, 3}, sd.get("e").shape());
        assertEquals(0, sd.get("e").data().remaining());
        // F16 and BF16 are widened to F32: 1, -2, 0.333251953125 (0x3555) and 1, -3
        assertEquals(DType.F32, sd.get("h").dtype());
        assertArrayEquals(new float[] {1f, -2f, 0.333251953125f}, sd.get("h").toFloatArray());
        assertEquals(12, sd.get("h").data().remaining());
        assertEquals(DType.F32, sd.get("b").dtype());
        assertArrayEquals(new float[] {1f, -3f}, sd.get("b").toFloatArray());
        assertEquals(DType.I32, sd.get("i").dtype());
        assertArrayEquals(new long[] {-7}, sd.get("i").toLongArray());
    }

    @Test
    void writerProducesTheSpecifiedBytes() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.ofFloats("a", new long[] {2}, new float[] {1f, 2f}));
        m.put("z", Tensor.ofFloats("z", new long[] {}, new float[] {3f}));
        Path f = tmp.resolve("w.safetensors");
        Safetensors.write(f, m, Map.of("format", "pt"));
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(padded.length(), b.getLong(0));
        assertEquals(0, (8 + padded.length()) % 8, "data starts 8-aligned");
        assertEquals(padded, new String(bytes, 8, padded.length(), StandardCharsets.UTF_8));
        int d = 8 + padded.length();
        assertEquals(1f, b.getFloat(d));
        assertEquals(2f, b.getFloat(d + 4));
        assertEquals(3f, b.getFloat(d + 8));
        assertEquals(d + 12, bytes.length);
    }

    @Test
    void writeReadRoundTripKeepsEveryDtypeAndEmptyAndScalar() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f", Tensor.ofFloats("f", new long[] {2, 3}, new float[] {1f, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, Float.NaN}));
        m.put("l", Tensor.ofLongs("l", new long[] {3}, new long[] {0, Long.MIN_VALUE, 1L << 40}));
        m.put("scalar", Tensor.ofFloats("scalar", new long[] {}, new float[] {42f}));
        m.put("empty", Tensor.ofFloats("empty", new long[] {0, 5}, new float[] {}));
        m.put("i", Tensor.of("i", DType.I32, new long[] {2}, ByteBuffer.wrap(le(-7, 123456789))));
        Path f = tmp.resolve("rt.safetensors");
        Safetensors.write(f, m, Map.of());
        StateDict back = Safetensors.read(f);
        assertEquals(new ArrayList<>(m.keySet()), new ArrayList<>(back.keySet()));
        assertTrue(back.metadata().isEmpty());
        for (String k : m.keySet()) {
            assertEquals(m.get(k).dtype(), back.get(k).dtype(), k);
            assertArrayEquals(m.get(k).shape(), back.get(k).shape(), k);
            assertEquals(m.get(k).data(), back.get(k).data(), k);
        }
    }

    /** The fixture's 129 tensors through safetensors and back: same keys, order, shapes and bytes. */
    @Test
    void fixtureRoundTripIsBitExact() throws Exception {
        StateDict orig = TorchReader.read(Fixtures.small().resolve("model_LXRT.pth"));
        Path f = tmp.resolve("model.safetensors");
        Safetensors.write(f, orig);
        StateDict back = Safetensors.read(f);
        assertEquals(129, back.size());
        assertEquals(new ArrayList<>(orig.keySet()), new ArrayList<>(back.keySet()));
        for (Map.Entry<String, Tensor> e : orig.entrySet()) {
            assertArrayEquals(e.getValue().shape(), back.get(e.getKey()).shape(), e.getKey());
            assertEquals(e.getValue().data(), back.get(e.getKey()).data(), e.getKey());
        }
    }

    private void bad(String header, byte[] data, String... expected) throws Exception {
        Path f = file("bad.safetensors", header, data);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        for (String s : expected) assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
    }

    @Test
    void badHeadersAreNamed() throws Exception {
        byte[] eight = new byte[8];
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", new byte[12], "tensor x", "span 12 bytes", "needs 8");
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight, "tensor x", "offsets out of range", "8 bytes");
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                eight, "overlapping", "x [0, 8]", "y [4, 8]");
        bad("{\"x\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight, "tensor x", "unknown dtype \"Q7\"");
        bad("{\"x\":{\"dtype\":\"U16\",\"shape\":[4],\"data_offsets\":[0,8]}}", eight, "tensor x", "unsupported dtype \"U16\"");
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight, "bytes 0..4", "hole before x");
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight, "end at byte 4", "has 8");
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", eight, "end before they begin");
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", eight, "shape", "non-negative");
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight, "tensor x has no \"data_offsets\"");
        bad("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                eight, "not valid JSON", "x");
        bad("{\"__metadata__\":{\"n\":1}}", new byte[0], "__metadata__", "\"n\"", "not a string");
        bad(" {}", new byte[0], "must start with '{'");
        bad("{\"x\":", new byte[0], "not valid JSON");
        bad("{} {\"hidden\":1}", new byte[0], "not valid JSON"); // nothing may follow the object but spaces
        // header length larger than the file
        Path f = tmp.resolve("long.safetensors");
        Files.write(f, ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000).put(8, (byte) '{').array());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("header length 1000 exceeds the file"), e.getMessage());
        Path g = tmp.resolve("short.safetensors");
        Files.write(g, new byte[5]);
        e = assertThrows(CheckpointException.class, () -> Safetensors.read(g));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(g.toString()), e.getMessage());
    }

    /** A header of 128 bytes makes the file start with 0x80, as a legacy torch pickle does: still read as safetensors. */
    @Test
    void headerLengthStartingWith0x80IsStillSafetensors() throws Exception {
        String json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path f = file("w.bin", json + " ".repeat(128 - json.length()), le(5f));
        assertEquals((byte) 0x80, Files.readAllBytes(f)[0]);
        StateDict sd = Checkpoints.readFile(f);
        assertEquals(StateDict.Format.SAFETENSORS, sd.format());
        assertArrayEquals(new float[] {5f}, sd.get("x").toFloatArray());
    }

    @Test
    void detectionByContent() {
        byte[] h = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 2).put(8, (byte) '{').array();
        assertTrue(Safetensors.looksLike(h, 10));
        assertFalse(Safetensors.looksLike(h, 9)); // the header would pass the end
        h[8] = '[';
        assertFalse(Safetensors.looksLike(h, 10));
    }
}
