package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchWriterTest {
    @TempDir Path tmp;

    private static Tensor bytesOf(String name, DType dtype, long[] shape, byte[] raw) {
        return Tensor.of(name, dtype, shape, ByteBuffer.wrap(raw));
    }

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("z.first", Tensor.ofFloats("z.first", new long[] {2, 3}, new float[] {1f, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, 7f}));
        m.put("a.ids", Tensor.ofLongs("a.ids", new long[] {4}, new long[] {0, -1, Long.MAX_VALUE, 1L << 40}));
        m.put("scalar", Tensor.ofFloats("scalar", new long[] {}, new float[] {42f}));
        m.put("empty", Tensor.ofFloats("empty", new long[] {0, 5}, new float[] {}));
        ByteBuffer d = ByteBuffer.allocate(3 * 8).order(ByteOrder.LITTLE_ENDIAN);
        d.putDouble(Math.PI).putDouble(-1e300).putDouble(0.5).flip();
        m.put("f64", Tensor.of("f64", DType.F64, new long[] {3}, d));
        ByteBuffer h = ByteBuffer.allocate(3 * 2).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x3555).flip(); // 1, -2, 0.333
        m.put("f16", Tensor.of("f16", DType.F16, new long[] {3}, h));
        ByteBuffer bf = ByteBuffer.allocate(2 * 2).order(ByteOrder.LITTLE_ENDIAN);
        bf.putShort((short) 0x3f80).putShort((short) 0xc040).flip(); // 1, -3
        m.put("bf16", Tensor.of("bf16", DType.BF16, new long[] {2}, bf));
        ByteBuffer i32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        i32.putInt(-7).putInt(123456789).flip();
        m.put("i32", Tensor.of("i32", DType.I32, new long[] {1, 2}, i32));
        m.put("i16", bytesOf("i16", DType.I16, new long[] {2}, new byte[] {1, 0, (byte) 0xff, (byte) 0xff}));
        m.put("i8", bytesOf("i8", DType.I8, new long[] {2}, new byte[] {-3, 4}));
        m.put("u8", bytesOf("u8", DType.U8, new long[] {2}, new byte[] {(byte) 200, 4}));
        m.put("mask", bytesOf("mask", DType.BOOL, new long[] {3}, new byte[] {1, 0, 1}));
        return m;
    }

    @Test
    void roundTripKeepsValuesShapesOrderAndDtypes() throws Exception {
        Map<String, Tensor> in = sample();
        Path f = tmp.resolve("rt.pth");
        TorchWriter.writeZip(f, in);
        StateDict back = TorchReader.read(f);
        assertEquals(StateDict.Format.ZIP, back.format());
        assertEquals(new ArrayList<>(in.keySet()), new ArrayList<>(back.keySet()));
        for (String k : in.keySet()) {
            Tensor a = in.get(k), b = back.get(k);
            assertEquals(a.dtype(), b.dtype(), k);
            assertArrayEquals(a.shape(), b.shape(), k);
            assertEquals(a.data(), b.data(), k);
        }
        assertArrayEquals(new long[] {0, -1, Long.MAX_VALUE, 1L << 40}, back.get("a.ids").toLongArray());
        assertArrayEquals(new float[] {1f, -2f, 0.33325195f}, back.get("f16").toFloatArray());
        assertArrayEquals(new float[] {1f, -3f}, back.get("bf16").toFloatArray());
        assertArrayEquals(new float[] {(float) Math.PI, Float.NEGATIVE_INFINITY, 0.5f}, back.get("f64").toFloatArray());
        assertArrayEquals(new long[] {1, -1}, back.get("i16").toLongArray());
        assertArrayEquals(new long[] {200, 4}, back.get("u8").toLongArray());
        assertEquals(42f, back.get("scalar").toFloatArray()[0]);
        assertEquals(1, back.get("scalar").numel());
    }

    /** The archive follows torch's container conventions, checked with java.util.zip as an independent reader. */
    @Test
    void archiveLayoutAlignmentAndCrc() throws Exception {
        Path f = tmp.resolve("layout.pth");
        TorchWriter.writeZip(f, sample());
        byte[] all = Files.readAllBytes(f);
        try (ZipFile z = new ZipFile(f.toFile())) {
            List<String> names = new ArrayList<>();
            z.stream().forEach(e -> names.add(e.getName()));
            assertEquals("archive/data.pkl", names.get(0));
            assertTrue(names.contains("archive/version") && names.contains("archive/byteorder"), names.toString());
            assertEquals("3\n", new String(z.getInputStream(z.getEntry("archive/version")).readAllBytes()));
            assertEquals("little", new String(z.getInputStream(z.getEntry("archive/byteorder")).readAllBytes()));
            for (int i = 0; i < sample().size(); i++) {
                ZipEntry e = z.getEntry("archive/data/" + i);
                assertEquals(ZipEntry.STORED, e.getMethod());
                byte[] data = z.getInputStream(e).readAllBytes(); // java.util.zip verifies the CRC of STORED entries
                CRC32 crc = new CRC32();
                crc.update(data);
                assertEquals(crc.getValue(), e.getCrc(), e.getName());
            }
        }
        // data of every entry starts at a 64-byte boundary: find each local header and compute its data offset
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headers = 0;
        for (int p = 0; p + 30 < all.length; p++) {
            if (b.getInt(p) == 0x04034b50) {
                int start = p + 30 + (b.getShort(p + 26) & 0xffff) + (b.getShort(p + 28) & 0xffff);
                assertEquals(0, start % 64, "entry at " + p);
                assertEquals('F', all[p + 30 + (b.getShort(p + 26) & 0xffff)]);
                headers++;
                p = start - 1;
            }
        }
        assertEquals(sample().size() + 3, headers);
    }

    @Test
    void fixtureSurvivesRewrite() throws Exception {
        StateDict orig = TorchReader.read(Fixtures.small().resolve("model_LXRT.pth"));
        Path f = tmp.resolve("copy.pth");
        TorchWriter.writeZip(f, orig);
        StateDict back = TorchReader.read(f);
        assertEquals(new ArrayList<>(orig.keySet()), new ArrayList<>(back.keySet()));
        for (String k : orig.keySet()) {
            assertArrayEquals(orig.get(k).shape(), back.get(k).shape(), k);
            assertEquals(orig.get(k).data(), back.get(k).data(), k);
        }
    }

    @Test
    void failedWriteLeavesExistingFileIntact() throws Exception {
        Path f = tmp.resolve("keep.pth");
        TorchWriter.writeZip(f, sample());
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> bad = new LinkedHashMap<>(sample());
        bad.put("boom", Tensor.lazy("boom", DType.F32, new long[] {1000}, () -> {
            throw new IllegalStateException("simulated failure while producing data");
        }));
        bad.put("after", Tensor.ofFloats("after", new long[] {1}, new float[] {1}));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchWriter.writeZip(f, bad));
        assertTrue(e.getMessage().contains("boom") && e.getMessage().contains(f.toString()), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f), "existing file was modified");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(f), s.toList(), "temporary files left behind");
        }
        // a lazy tensor with the wrong byte count is refused too, naming the tensor
        Map<String, Tensor> wrong = Map.of("short", Tensor.lazy("short", DType.F32, new long[] {4}, () -> ByteBuffer.allocate(8)));
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> TorchWriter.writeZip(f, wrong));
        assertTrue(e2.getMessage().contains("short"), e2.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
    }

    @Test
    void lazyTensorsAreWritten() throws Exception {
        Path f = tmp.resolve("lazy.pth");
        int[] calls = {0};
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.lazy("w", DType.F32, new long[] {2}, () -> {
            calls[0]++;
            return Tensor.ofFloats("w", new long[] {2}, new float[] {5f, 6f}).data();
        }));
        TorchWriter.writeZip(f, m);
        assertEquals(1, calls[0]);
        assertArrayEquals(new float[] {5f, 6f}, TorchReader.read(f).get("w").toFloatArray());
    }
}
