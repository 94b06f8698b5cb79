package lxmert.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/** BertAdam's update, whole and piece by piece, against the formula computed on the host. */
class BertAdamTest {
    static final Shape[] SHAPES = {new Shape(37, 53), new Shape(5), new Shape(3, 4, 25)};

    /** Parameters of {@link #SHAPES} with values from {@code seed}. */
    static Map<String, NDArray> params(NDManager m, long seed) {
        Random r = new Random(seed);
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.length; i++) {
            float[] v = new float[(int) SHAPES[i].size()];
            for (int k = 0; k < v.length; k++) v[k] = (float) r.nextGaussian();
            p.put("p" + i, m.create(v, SHAPES[i]));
        }
        return p;
    }

    /** Gives every parameter the gradient {@code grads[i]} (backward of sum(p * c)). */
    static void setGradients(NDManager m, Map<String, NDArray> p, float[][] grads) {
        int i = 0;
        for (NDArray a : p.values()) {
            a.setRequiresGradient(true);
            try (NDManager t = m.newSubManager(); Grad.Mode g = Grad.enable()) {
                NDArray loss = a.mul(t.create(grads[i++], a.getShape())).sum();
                JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
            }
        }
    }

    static float[][] randomGrads(Random r) {
        float[][] g = new float[SHAPES.length][];
        for (int i = 0; i < SHAPES.length; i++) {
            g[i] = new float[(int) SHAPES[i].size()];
            for (int k = 0; k < g[i].length; k++) g[i][k] = (float) (r.nextGaussian() * 0.1);
        }
        return g;
    }

    @Test
    void piecesGiveTheSameBitsAsWholeParametersAndTheFormula() {
        long saved = BertAdam.chunk;
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> whole = params(m, 1), pieces = params(m, 1);
            BertAdam a = new BertAdam(whole, 1e-2, 0.1, 10), b = new BertAdam(pieces, 1e-2, 0.1, 10);
            // host reference: the same formula in float, operation by operation
            float[][] hp = new float[SHAPES.length][], hm = new float[SHAPES.length][], hv = new float[SHAPES.length][];
            int i = 0;
            for (NDArray x : whole.values()) {
                hp[i] = x.toFloatArray();
                hm[i] = new float[hp[i].length];
                hv[i++] = new float[hp[i - 1].length];
            }
            Random r = new Random(7);
            for (int step = 0; step < 4; step++) {
                float[][] g = randomGrads(r);
                setGradients(m, whole, g);
                setGradients(m, pieces, g);
                double lr = a.scheduledLr();
                BertAdam.chunk = Long.MAX_VALUE;
                a.step();
                BertAdam.chunk = 300; // 1961 = 6 x 300 + 161; 5 stays whole; 300 is exactly one piece
                b.step();
                a.zeroGrad();
                b.zeroGrad();
                for (int k = 0; k < SHAPES.length; k++) {
                    for (int e = 0; e < hp[k].length; e++) {
                        hm[k][e] = hm[k][e] * 0.9f + g[k][e] * (float) (1 - 0.9);
                        hv[k][e] = hv[k][e] * 0.999f + (g[k][e] * g[k][e]) * (float) (1 - 0.999);
                        float upd = hm[k][e] / ((float) Math.sqrt(hv[k][e]) + 1e-6f) + hp[k][e] * 0.01f;
                        hp[k][e] = hp[k][e] - upd * (float) lr;
                    }
                }
                int k = 0;
                for (String key : whole.keySet()) {
                    float[] w = whole.get(key).toFloatArray(), pc = pieces.get(key).toFloatArray();
                    assertArrayEquals(w, pc, 0f, key + " at step " + step + ": pieces differ from the whole");
                    for (int e = 0; e < w.length; e++) {
                        assertEquals(hp[k][e], w[e], 1e-6f * Math.max(1, Math.abs(hp[k][e])), key + "[" + e + "] at step " + step);
                    }
                    assertArrayEquals(a.stateArrays().get(key + ".next_m").toFloatArray(), b.stateArrays().get(key + ".next_m").toFloatArray(), 0f);
                    assertArrayEquals(a.stateArrays().get(key + ".next_v").toFloatArray(), b.stateArrays().get(key + ".next_v").toFloatArray(), 0f);
                    k++;
                }
            }
            // the first step's lr is 0 (warmup_linear at 0); later steps moved the parameters
            float[] start = params(m, 1).get("p0").toFloatArray();
            float[] end = whole.get("p0").toFloatArray();
            double moved = 0;
            for (int e = 0; e < start.length; e++) moved += Math.abs(start[e] - end[e]);
            org.junit.jupiter.api.Assertions.assertTrue(moved > 1e-3, "the parameters moved: " + moved);
        } finally {
            BertAdam.chunk = saved;
        }
    }
}
