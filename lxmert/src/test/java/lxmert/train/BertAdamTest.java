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
        long saved = BertAdam.chunk, savedGroup = BertAdam.group;
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> whole = params(m, 1), pieces = params(m, 1), together = params(m, 1);
            BertAdam a = new BertAdam(whole, 1e-2, 0.1, 10), b = new BertAdam(pieces, 1e-2, 0.1, 10);
            BertAdam c = new BertAdam(together, 1e-2, 0.1, 10);
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
                setGradients(m, together, g);
                double lr = a.scheduledLr();
                BertAdam.chunk = Long.MAX_VALUE;
                BertAdam.group = 0; // a and b: one parameter at a time
                a.step();
                BertAdam.group = 4000; // c: 1961, 5 and 300 elements, all three in one flat update
                c.step();
                BertAdam.group = 0;
                BertAdam.chunk = 300; // 1961 = 6 x 300 + 161; 5 stays whole; 300 is exactly one piece
                b.step();
                a.zeroGrad();
                b.zeroGrad();
                c.zeroGrad();
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
                    assertArrayEquals(w, together.get(key).toFloatArray(), 0f, key + " at step " + step + ": grouped differs");
                    assertArrayEquals(a.stateArrays().get(key + ".next_v").toFloatArray(), c.stateArrays().get(key + ".next_v").toFloatArray(), 0f);
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
            BertAdam.group = savedGroup;
        }
    }

    /**
     * Grouped parameters against one at a time, bit for bit: while one of them has no gradient (no backward reached it
     * yet) the group is the other two and that parameter is left alone; when it gets one the group is laid out again
     * (m and v carried over); state saved from one optimiser and loaded into another (through the grouped state's views)
     * continues identically; a group that shrinks (threshold lowered) hands its parameters their own state.
     */
    @Test
    void groupedUpdateMatchesOneByOneWithMissingGradientsAndResume() {
        long savedGroup = BertAdam.group;
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> single = params(m, 3), grouped = params(m, 3);
            BertAdam a = new BertAdam(single, 1e-2, 0.1, 20);
            BertAdam b = new BertAdam(grouped, 1e-2, 0.1, 20);
            Random r = new Random(11);
            float[] p1Start = grouped.get("p1").toFloatArray();
            for (int step = 0; step < 5; step++) {
                float[][] g = randomGrads(r);
                if (step < 2) { // p1 has no gradient yet
                    Map<String, NDArray> s1 = new LinkedHashMap<>(single), g1 = new LinkedHashMap<>(grouped);
                    s1.remove("p1");
                    g1.remove("p1");
                    float[][] g2 = {g[0], g[2]};
                    setGradients(m, s1, g2);
                    setGradients(m, g1, g2);
                } else {
                    setGradients(m, single, g);
                    setGradients(m, grouped, g);
                }
                BertAdam.group = 0;
                a.step();
                BertAdam.group = step == 4 ? 400 : Long.MAX_VALUE; // step 4: 1961 leaves the group
                b.step();
                a.zeroGrad();
                b.zeroGrad();
                if (step == 1) {
                    assertArrayEquals(p1Start, grouped.get("p1").toFloatArray(), 0f, "p1 without a gradient is left alone");
                }
                for (String key : single.keySet()) {
                    assertArrayEquals(single.get(key).toFloatArray(), grouped.get(key).toFloatArray(), 0f, key + " at step " + step);
                }
            }
            // resume: b's state into a fresh grouped optimiser over copies of the parameters; a goes on as it is
            Map<String, NDArray> copy = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : grouped.entrySet()) copy.put(e.getKey(), m.create(e.getValue().toFloatArray(), e.getValue().getShape()));
            BertAdam c = new BertAdam(copy, 1e-2, 0.1, 20);
            Map<String, float[]> state = new LinkedHashMap<>();
            b.stateArrays().forEach((k, x) -> state.put(k, x.toFloatArray()));
            c.loadState(state, b.stepCount());
            for (String k : state.keySet()) assertArrayEquals(state.get(k), c.stateArrays().get(k).toFloatArray(), 0f, k);
            for (int step = 0; step < 2; step++) {
                float[][] g = randomGrads(r);
                setGradients(m, single, g);
                setGradients(m, copy, g);
                BertAdam.group = 0;
                a.step();
                BertAdam.group = Long.MAX_VALUE;
                c.step();
                a.zeroGrad();
                c.zeroGrad();
                for (String key : single.keySet()) {
                    assertArrayEquals(single.get(key).toFloatArray(), copy.get(key).toFloatArray(), 0f, key + " after resuming");
                }
            }
            for (String k : state.keySet()) {
                assertArrayEquals(a.stateArrays().get(k).toFloatArray(), c.stateArrays().get(k).toFloatArray(), 0f, k + " after resuming");
            }
        } finally {
            BertAdam.group = savedGroup;
        }
    }
}
