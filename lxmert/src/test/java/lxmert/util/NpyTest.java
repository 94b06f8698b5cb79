package lxmert.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir Path tmp;

    private static Path fixtures() {
        for (Path p = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("shared/fixtures/lxrt-small");
            if (Files.isDirectory(s)) return s;
        }
        assumeTrue(false, "shared/fixtures not found; skipping");
        return null;
    }

    @Test
    void readsFixturesWithTheirManifestShapes() throws Exception {
        Path dir = fixtures();
        Npy.Array ids = Npy.read(dir.resolve("in_input_ids.npy"));
        assertEquals("<i8", ids.descr());
        Npy.Array mask = Npy.read(dir.resolve("in_input_mask.npy"));
        long[] m = mask.toLongArray(), i = ids.toLongArray();
        assertArrayEquals(ids.shape(), mask.shape());
        // [CLS] starts every sentence and padding (mask 0) has id 0: checks the data offset is right
        for (int r = 0; r < ids.shape()[0]; r++) {
            assertEquals(1, m[(int) (r * ids.shape()[1])]);
            for (int c = 0; c < ids.shape()[1]; c++) {
                int k = (int) (r * ids.shape()[1] + c);
                if (m[k] == 0) assertEquals(0, i[k]);
            }
        }
        Npy.Array feats = Npy.read(dir.resolve("in_feats.npy"));
        assertEquals("<f4", feats.descr());
        assertEquals(feats.numel(), feats.toFloatArray().length);
    }

    @Test
    void roundTripAllDtypes() throws Exception {
        Path f = tmp.resolve("a.npy");
        float[] v = {1.5f, -2f, 3f, 0f, 5f, 6e-7f};
        Npy.writeFloats(f, new long[] {2, 3}, v);
        Npy.Array a = Npy.read(f);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(v, a.toFloatArray());
        assertEquals(0, (Files.size(f) - 6 * 4) % 64, "header padded to 64 bytes");
        Npy.writeLongs(f, new long[] {3}, new long[] {-1, 0, Long.MAX_VALUE});
        assertArrayEquals(new long[] {-1, 0, Long.MAX_VALUE}, Npy.read(f).toLongArray());
        Npy.write(f, new long[] {}, "<f8", ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putDouble(0, 2.25));
        assertArrayEquals(new long[] {}, Npy.read(f).shape());
        assertArrayEquals(new double[] {2.25}, Npy.read(f).toDoubleArray());
        Npy.write(f, new long[] {2}, "|b1", ByteBuffer.wrap(new byte[] {1, 0}));
        assertArrayEquals(new long[] {1, 0}, Npy.read(f).toLongArray());
        Npy.write(f, new long[] {1}, "<i4", ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, -9));
        assertArrayEquals(new float[] {-9f}, Npy.read(f).toFloatArray());
    }

    @Test
    void version2HeaderAndErrors() throws Exception {
        // hand-made v2 header
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
        StringBuilder h = new StringBuilder(dict);
        while ((12 + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(12 + h.length() + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(h.length()).put(h.toString().getBytes()).putFloat(7f);
        Path f = tmp.resolve("v2.npy");
        Files.write(f, b.array());
        assertArrayEquals(new float[] {7f}, Npy.read(f).toFloatArray());

        Path g = tmp.resolve("bad.npy");
        Files.write(g, "hello".getBytes());
        IOException e = assertThrows(IOException.class, () -> Npy.read(g));
        assertTrue(e.getMessage().contains(g.toString()), e.getMessage());
        Files.write(f, java.util.Arrays.copyOf(b.array(), b.capacity() - 2));
        IOException e2 = assertThrows(IOException.class, () -> Npy.read(f));
        assertTrue(e2.getMessage().contains(f.toString()) && e2.getMessage().contains("expected 4"), e2.getMessage());
    }
}
