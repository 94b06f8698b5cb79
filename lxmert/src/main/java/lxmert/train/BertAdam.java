package lxmert.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BertAdam exactly as the original (optimization.py:52-180): m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
 * update = m / (sqrt(v) + e) + wd * p, p -= lr * warmup_linear(step / t_total) * update — no bias
 * correction, weight decay on every parameter, the step counted before its increment (so the first
 * step's lr is 0). Global-norm clipping ({@link #clipGradNorm}) is separate, as in the original tasks. As the
 * original ({@code if p.grad is None: continue}, optimization.py) a parameter without a gradient
 * ({@link Grad#gradient}: no backward reached it) is neither updated nor decayed, and clipping ignores it.
 */
public final class BertAdam {
    private final Map<String, NDArray> params;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final NDManager stateManager;
    private final double lr;
    private final double warmup;
    private final long tTotal;
    private final double b1;
    private final double b2;
    private final double eps;
    private final double weightDecay;
    private long step;
    private double lastLr;
    /** The parameters updated together ({@link #group}), in order; empty until a step groups them. */
    private List<String> grouped = List.of();
    private java.util.Set<String> groupedKeys = java.util.Set.of();
    /** Flat views of the grouped parameters (sharing their storage), their m and v state, and where each starts. */
    private NDList groupParams = new NDList();
    private NDArray groupM;
    private NDArray groupV;
    private long[] groupSplits;

    /**
     * @param params the parameters (name -> array), all of which are updated
     * @param tTotal total optimisation steps for the schedule, or -1 for a constant lr
     */
    public BertAdam(Map<String, NDArray> params, double lr, double warmup, long tTotal) {
        this(params, lr, warmup, tTotal, 0.9, 0.999, 1e-6, 0.01);
    }

    public BertAdam(Map<String, NDArray> params, double lr, double warmup, long tTotal, double b1, double b2,
                    double eps, double weightDecay) {
        if (lr < 0) throw new IllegalArgumentException("invalid learning rate " + lr);
        if (tTotal != -1 && !(warmup >= 0 && warmup < 1)) throw new IllegalArgumentException("invalid warmup " + warmup);
        this.params = new LinkedHashMap<>(params);
        NDArray any = params.values().iterator().next();
        this.stateManager = any.getManager().newSubManager(any.getDevice());
        for (Map.Entry<String, NDArray> e : this.params.entrySet()) {
            m.put(e.getKey(), stateManager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
            v.put(e.getKey(), stateManager.zeros(e.getValue().getShape(), e.getValue().getDataType()));
        }
        this.lr = lr;
        this.warmup = warmup;
        this.tTotal = tTotal;
        this.b1 = b1;
        this.b2 = b2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** The learning rate the next step will use. */
    public double scheduledLr() {
        return tTotal == -1 ? lr : lr * Schedules.warmupLinear((double) step / tTotal, warmup);
    }

    public double lastLr() {
        return lastLr;
    }

    public long stepCount() {
        return step;
    }

    /**
     * Elements per piece of a parameter in {@link #step()}: a larger parameter is updated piece by piece through views,
     * so that the update's temporaries stay small (2 MiB), are reused from malloc's heap rather than mapped fresh
     * (a 94 MB word-embedding temporary cost 23,000 page faults each, five per step) and stay in the CPU's cache
     * across the update's dozen passes. Each element sees the same operations in the same order as an update of the
     * whole parameter: the result is bit-identical ({@code BertAdamTest}).
     */
    static long chunk = 1 << 19;

    /**
     * Parameters of at most this many elements are updated together ({@code BertAdamTest}): their gradients are
     * concatenated into one flat array and m, v and the update run once over it, the update split back onto the
     * parameters. A small model's step has a few hundred such parameters (biases, layer norms, small matrices); one at
     * a time each costs a dozen engine calls whose overhead, not the arithmetic, is their time. Every element sees the
     * same float operations in the same order: the result is bit-identical. The group is the small parameters that
     * have a gradient (the original skips the others: the last cross layer's visual half in VQA); it is formed at the
     * first step and again whenever that set changes (m and v copied into the new layout).
     */
    static long group = 1 << 16;

    /** One update from the parameters' accumulated gradients; does not zero them. */
    public void step() {
        double lrS = scheduledLr();
        try (AutoCloseable ng = Grad.noGrad()) {
            java.util.Set<String> done = stepGroup(lrS);
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                if (done.contains(e.getKey())) continue;
                NDArray p = e.getValue();
                try (NDManager tmp = stateManager.newSubManager()) {
                    NDArray g = Grad.gradient(p, tmp); // results of ops on g belong to tmp and die with it
                    if (g == null) continue;
                    NDArray mm = m.get(e.getKey());
                    NDArray vv = v.get(e.getKey());
                    long n = p.size();
                    if (n <= chunk) {
                        update(p, g, mm, vv, lrS, tmp);
                        continue;
                    }
                    NDArray pf = flat(p, tmp), gf = flat(g, tmp), mf = flat(mm, tmp), vf = flat(vv, tmp);
                    for (long a = 0; a < n; a += chunk) {
                        try (NDManager c = tmp.newSubManager()) {
                            NDIndex ix = new NDIndex(a + ":" + Math.min(n, a + chunk));
                            update(view(pf, ix, c), view(gf, ix, c), view(mf, ix, c), view(vf, ix, c), lrS, c);
                        }
                    }
                }
            }
        } catch (Exception ex) {
            throw ex instanceof RuntimeException ? (RuntimeException) ex : new IllegalStateException(ex);
        }
        lastLr = lrS;
        step++;
    }

    /**
     * The update of the small parameters that have a gradient, in one pass over flat arrays (regrouped first when that
     * set changed). Returns the parameters it updated: none when fewer than two qualify.
     */
    private java.util.Set<String> stepGroup(double lrS) {
        if (group <= 0) return java.util.Set.of();
        try (NDManager tmp = stateManager.newSubManager()) {
            List<String> keys = new ArrayList<>();
            NDList grads = new NDList();
            NDArray first = null;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray p = e.getValue();
                if (p.size() == 0 || p.size() > group) continue;
                if (first == null) first = p;
                if (p.getDataType() != first.getDataType() || !p.getDevice().equals(first.getDevice())) continue;
                NDArray g = Grad.gradient(p, tmp);
                if (g == null) continue;
                keys.add(e.getKey());
                grads.add(flat(g, tmp));
            }
            if (keys.size() < 2) return java.util.Set.of();
            if (!keys.equals(grouped)) regroup(keys);
            NDArray g = NDArrays.concat(grads);
            g.attach(tmp);
            NDArray p = NDArrays.concat(groupParams); // a copy of the values: the weight decay term reads them
            p.attach(tmp);
            NDArray upd = scaledUpdate(p, g, groupM, groupV, lrS, tmp);
            NDList pieces = upd.split(groupSplits);
            pieces.attach(tmp);
            for (int i = 0; i < pieces.size(); i++) groupParams.get(i).subi(pieces.get(i));
            return groupedKeys;
        }
    }

    /**
     * Lays out m and v of {@code keys} in one flat array each (their current values copied in) with per-parameter views
     * in {@link #m} and {@link #v}; parameters that leave the group get arrays of their own. Runs without grad mode.
     */
    private void regroup(List<String> keys) {
        java.util.Set<String> in = new java.util.HashSet<>(keys);
        for (String k : grouped) {
            if (in.contains(k)) continue;
            m.put(k, own(m.get(k)));
            v.put(k, own(v.get(k)));
        }
        NDList ms = new NDList(), vs = new NDList();
        for (String k : keys) {
            ms.add(flat(m.get(k), stateManager));
            vs.add(flat(v.get(k), stateManager));
        }
        NDArray newM = NDArrays.concat(ms), newV = NDArrays.concat(vs);
        newM.attach(stateManager);
        newV.attach(stateManager);
        ms.close();
        vs.close();
        for (String k : keys) { // the old arrays or views, replaced by views of the new layout
            m.get(k).close();
            v.get(k).close();
        }
        groupParams.close();
        if (groupM != null) {
            groupM.close();
            groupV.close();
        }
        groupM = newM;
        groupV = newV;
        groupParams = new NDList();
        groupSplits = new long[keys.size() - 1];
        long off = 0;
        for (int i = 0; i < keys.size(); i++) {
            NDArray p = params.get(keys.get(i));
            NDIndex ix = new NDIndex(off + ":" + (off + p.size()));
            m.put(keys.get(i), shaped(view(groupM, ix, stateManager), p, stateManager));
            v.put(keys.get(i), shaped(view(groupV, ix, stateManager), p, stateManager));
            groupParams.add(flat(p, stateManager));
            off += p.size();
            if (i < groupSplits.length) groupSplits[i] = off;
        }
        grouped = List.copyOf(keys);
        groupedKeys = in;
    }

    /** A copy of {@code a} with storage of its own, owned by the state manager; {@code a} (a view) is closed. */
    private NDArray own(NDArray a) {
        NDArray c = a.duplicate();
        c.attach(stateManager);
        a.close();
        return c;
    }

    /** The update of one parameter (or one piece of it, through views): m, v and p in place; temporaries in {@code tmp}. */
    private void update(NDArray p, NDArray g, NDArray mm, NDArray vv, double lrS, NDManager tmp) {
        p.subi(scaledUpdate(p, g, mm, vv, lrS, tmp));
    }

    /** m and v in place; returns lr * (m / (sqrt(v) + eps) + wd * p) in {@code tmp}, to subtract from p. */
    private NDArray scaledUpdate(NDArray p, NDArray g, NDArray mm, NDArray vv, double lrS, NDManager tmp) {
        float c1 = (float) (1 - b1);
        float c2 = (float) (1 - b2);
        mm.muli((float) b1).addi(g.mul(c1));
        vv.muli((float) b2).addi(g.square().muli(c2));
        NDArray denom = vv.sqrt();
        denom.attach(tmp);
        NDArray upd = mm.div(denom.addi((float) eps)); // m / (sqrt(v) + eps), in tmp
        upd.attach(tmp);
        if (weightDecay > 0) {
            NDArray wd = p.mul((float) weightDecay);
            wd.attach(tmp);
            upd.addi(wd);
        }
        return upd.muli((float) lrS);
    }

    /** {@code flat} viewed in {@code like}'s shape, owned by {@code owner}. */
    private static NDArray shaped(NDArray flat, NDArray like, NDManager owner) {
        NDArray s = flat.reshape(like.getShape());
        s.attach(owner);
        return s;
    }

    /** A flat view of contiguous {@code a}, owned by {@code owner}. */
    private static NDArray flat(NDArray a, NDManager owner) {
        NDArray f = a.reshape(-1);
        f.attach(owner);
        return f;
    }

    /** The view {@code a[ix]} (a basic slice: writes through it reach {@code a}), owned by {@code owner}. */
    private static NDArray view(NDArray a, NDIndex ix, NDManager owner) {
        NDArray v = a.get(ix);
        v.attach(owner);
        return v;
    }

    /** Optimiser state for resuming: per-parameter m ("exp_avg") and v ("exp_avg_sq"), and the step count. */
    public Map<String, NDArray> stateArrays() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put(k + ".next_m", a));
        v.forEach((k, a) -> out.put(k + ".next_v", a));
        return out;
    }

    /** Restores state saved by {@link #stateArrays()} (arrays are copied in). */
    public void loadState(Map<String, float[]> arrays, long stepCount) {
        for (String k : params.keySet()) {
            float[] a = arrays.get(k + ".next_m");
            float[] b = arrays.get(k + ".next_v");
            if (a == null || b == null) throw new IllegalArgumentException("optimizer state misses key " + k);
            copyIn(m.get(k), a, k + ".next_m");
            copyIn(v.get(k), b, k + ".next_v");
        }
        this.step = stepCount;
    }

    /**
     * Overwrites {@code dst} with {@code values}. Not {@code NDArray.set(float[])}: DJL's native {@code torchSet} runs
     * under libtorch's deprecated {@code AutoNonVariableTypeMode} guard, which prints "AutoNonVariableTypeMode is
     * deprecated" on stderr; an indexed put of a staged copy does not.
     */
    private static void copyIn(NDArray dst, float[] values, String key) {
        if (values.length != dst.size()) {
            throw new IllegalArgumentException("optimizer state " + key + ": " + values.length + " values for shape " + dst.getShape());
        }
        try (NDManager tmp = dst.getManager().newSubManager()) {
            dst.set(new ai.djl.ndarray.index.NDIndex(":"), lxmert.util.NdArrays.floats(tmp, values, dst.getShape()));
        }
    }

    /**
     * torch.nn.utils.clip_grad_norm_ without leaving the device: the total L2 norm over all gradients, and every
     * gradient scaled by min(1, maxNorm / (norm + 1e-6)) (as torch since 1.12: a factor of exactly 1 leaves the
     * gradients unchanged). Returns the norm before clipping as a scalar owned by {@code out}; no host read.
     */
    public static NDArray clipGradNorm(Iterable<NDArray> params, double maxNorm, NDManager out) {
        List<NDArray> grads = new ArrayList<>();
        try (NDManager tmp = out.newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            for (NDArray p : params) {
                NDArray g = Grad.gradient(p, tmp);
                if (g != null) grads.add(g);
            }
            if (grads.isEmpty()) return out.zeros(new ai.djl.ndarray.types.Shape());
            NDList norms = new NDList();
            for (NDArray g : grads) norms.add(g.square().sum());
            NDArray total = NDArrays.stack(norms).sum().sqrt();
            NDArray coef = NDArrays.div((float) maxNorm, total.add(1e-6f)).minimum(1f);
            for (NDArray g : grads) g.muli(coef);
            total.attach(out);
            return total;
        } catch (Exception ex) {
            throw ex instanceof RuntimeException ? (RuntimeException) ex : new IllegalStateException(ex);
        }
    }

    /**
     * torch.nn.utils.clip_grad_norm_ with the norm read to the host: the device version above, then one read.
     * Returns the norm before clipping.
     */
    public static double clipGradNorm(Iterable<NDArray> params, double maxNorm) {
        java.util.Iterator<NDArray> it = params.iterator();
        if (!it.hasNext()) return 0;
        try (NDManager tmp = it.next().getManager().newSubManager()) {
            return clipGradNorm(params, maxNorm, tmp).getFloat();
        }
    }

    /** The previous host version, kept for comparison in tests: reads the norm, scales only when it is above. */
    static double clipGradNormHost(Iterable<NDArray> params, double maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        NDManager tmp = null;
        try (AutoCloseable ng = Grad.noGrad()) {
            for (NDArray p : params) {
                if (tmp == null) tmp = p.getManager().newSubManager();
                NDArray g = Grad.gradient(p, tmp);
                if (g != null) grads.add(g);
            }
            if (grads.isEmpty()) return 0;
            NDList norms = new NDList();
            for (NDArray g : grads) {
                NDArray n = g.square().sum();
                norms.add(n);
            }
            double total = Math.sqrt(NDArrays.stack(norms).sum().getFloat());
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                for (NDArray g : grads) g.muli((float) coef);
            }
            return total;
        } catch (Exception ex) {
            throw ex instanceof RuntimeException ? (RuntimeException) ex : new IllegalStateException(ex);
        } finally {
            if (tmp != null) tmp.close();
        }
    }

    /** Zeroes every parameter's gradient. */
    public void zeroGrad() {
        for (NDArray p : params.values()) Grad.zero(p);
    }

    public void close() {
        stateManager.close();
    }
}
