package lxmert.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import lxmert.train.Grad;

/** {@link Ops#dropout}: torch's training-mode dropout (keep with 1 - p, scale by 1 / (1 - p)), its gradient and its seed. */
class DropoutTest {
    @Test
    void keepsOneMinusPScaledAndTheGradientIsTheMask() {
        double p = 0.1;
        int n = 1 << 20;
        try (NDManager m = NDManager.newBaseManager()) {
            float[] xs = new float[n];
            for (int i = 0; i < n; i++) xs[i] = 1 + (i % 97) / 97f; // all nonzero
            NDArray x = m.create(xs, new Shape(1024, 1024));
            x.setRequiresGradient(true);
            float[] y;
            float[] g;
            try (Grad.Mode gm = Grad.enable()) {
                NDArray out = Ops.dropout(x, p, true);
                y = out.toFloatArray();
                NDArray loss = out.sum();
                JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
                g = JniUtils.getGradient((PtNDArray) x).toFloatArray();
            }
            float scale = 1f / (float) (1 - p); // torch: noise.div_(1 - p) in float
            long kept = 0;
            for (int i = 0; i < n; i++) {
                if (y[i] == 0) {
                    assertEquals(0f, g[i], "a dropped element gets no gradient");
                } else {
                    kept++;
                    assertEquals(xs[i] * scale, y[i], 0f, "a kept element is x / (1 - p)");
                    assertEquals(scale, g[i], 0f, "its gradient is the scaled mask");
                }
            }
            double frac = (double) kept / n;
            // binomial: sd = sqrt(p (1-p) / n) = 2.9e-4; 6 sd
            assertEquals(1 - p, frac, 6 * Math.sqrt(p * (1 - p) / n), "fraction kept");
        }
    }

    @Test
    void theEngineSeedFixesTheMaskAndEvalModeIsTheIdentity() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(64, 64));
            Engine.getEngine("PyTorch").setRandomSeed(42);
            float[] a = Ops.dropout(x, 0.3, true).toFloatArray();
            Engine.getEngine("PyTorch").setRandomSeed(42);
            float[] b = Ops.dropout(x, 0.3, true).toFloatArray();
            Engine.getEngine("PyTorch").setRandomSeed(43);
            float[] c = Ops.dropout(x, 0.3, true).toFloatArray();
            assertArrayEquals(a, b, 0f);
            boolean differ = false;
            for (int i = 0; i < a.length; i++) differ |= a[i] != c[i];
            assertTrue(differ, "another seed, another mask");
            assertSame(x, Ops.dropout(x, 0.3, false));
            assertSame(x, Ops.dropout(x, 0.0, true));
            assertEquals(0f, Ops.dropout(x, 1.0, true).sum().getFloat(), 0f); // p = 1: torch's own dropout, all zeros
        }
    }
}
