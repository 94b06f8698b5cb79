package lxmert.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorTest {

    private static ByteBuffer storage(int n) {
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putFloat(i * 4, i);
        return b;
    }

    @Test
    void contiguousViewWithOffsetIsZeroCopy() {
        ByteBuffer s = storage(12);
        Tensor t = Tensor.fromStorage("v", DType.F32, new long[] {2, 3}, new long[] {3, 1}, 4, s);
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9}, t.toFloatArray());
        s.putFloat(5 * 4, -1f); // the view sees writes to the storage: no copy was made
        assertEquals(-1f, t.toFloatArray()[1]);
    }

    @Test
    void nonContiguousViewIsMaterialised() {
        ByteBuffer s = storage(12);
        // transpose of the 3x4 row-major storage: t[i][j] = s[i + 4 j], shape [4,3] strides [1,4]
        Tensor t = Tensor.fromStorage("t", DType.F32, new long[] {4, 3}, new long[] {1, 4}, 0, s);
        float[] v = t.toFloatArray();
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) assertEquals(i + 4 * j, v[i * 3 + j], "[" + i + "," + j + "]");
        // size-1 dimensions may carry any stride and still be contiguous
        assertTrue(Tensor.isContiguous(new long[] {1, 5}, new long[] {99, 1}));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Tensor.fromStorage("big", DType.F32, new long[] {5, 3}, new long[] {3, 1}, 0, s));
        assertTrue(e.getMessage().contains("big") && e.getMessage().contains("12 elements"), e.getMessage());
    }

    @Test
    void conversionsAndValidation() {
        Tensor t = Tensor.ofLongs("ids", new long[] {3}, new long[] {5, -6, 7});
        assertArrayEquals(new float[] {5, -6, 7}, t.toFloatArray());
        assertEquals(3, t.numel());
        assertEquals(24, t.nbytes());
        Tensor f = Tensor.ofFloats("w", new long[] {2}, new float[] {1, 2});
        IllegalStateException e = assertThrows(IllegalStateException.class, f::toLongArray);
        assertTrue(e.getMessage().contains("w"), e.getMessage());
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> Tensor.ofFloats("x", new long[] {3}, new float[] {1, 2}));
        assertTrue(e2.getMessage().contains("x") && e2.getMessage().contains("[3]"), e2.getMessage());
        // half precision: 0x7bff is the largest finite half (65504), 0x0001 the smallest subnormal (2^-24)
        assertEquals(65504f, Tensor.halfToFloat((short) 0x7bff));
        assertEquals((float) Math.pow(2, -24), Tensor.halfToFloat((short) 0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, Tensor.halfToFloat((short) 0xfc00));
        assertEquals("w2", f.withName("w2").name());
        assertEquals(f.data(), f.withName("w2").data());
    }
}
