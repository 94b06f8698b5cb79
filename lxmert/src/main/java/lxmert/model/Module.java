package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A minimal torch-style module on DJL NDArrays: named parameters and named children, so that
 * {@link #namedParameters()} yields exactly the original checkpoint's names ("bert.encoder.layer.0...").
 *
 * <p>Parameters live in the model's {@link NDManager}; every op in a forward pass is started from an
 * activation (never from a parameter) so that its result belongs to the caller's per-batch manager
 * (see {@link Ops}).
 */
public abstract class Module {
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    protected boolean training;

    protected <M extends Module> M child(String name, M module) {
        if (children.put(name, module) != null) throw new IllegalStateException("duplicate child " + name);
        return module;
    }

    protected NDArray param(String name, NDArray array) {
        if (params.put(name, array) != null) throw new IllegalStateException("duplicate parameter " + name);
        return array;
    }

    /** Every parameter with its dotted torch name, in registration (= original state dict) order. */
    public Map<String, NDArray> namedParameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, NDArray> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, v) -> v.collect(prefix + k + ".", out));
    }

    /** Training mode turns dropout on; eval mode (the default) is deterministic. */
    public void setTraining(boolean training) {
        this.training = training;
        children.values().forEach(c -> c.setTraining(training));
    }

    public boolean isTraining() {
        return training;
    }

    /**
     * Casts, in place (the same NDArray objects, so every holder sees the change), the parameters of this module and
     * its descendants to {@code type}, except those of {@link LayerNorm} modules, which stay float32 (half precision
     * inference: {@code lxmert.util.Precision}).
     */
    public void castExceptLayerNorm(ai.djl.ndarray.types.DataType type) {
        if (!(this instanceof LayerNorm)) {
            for (NDArray p : params.values()) {
                if (p.getDataType() != type) {
                    p.intern(p.toType(type, true));
                    forgetCachedDataType(p);
                    if (p.getDataType() != type) throw new IllegalStateException("cast of a parameter to " + type + " failed");
                }
            }
        }
        children.values().forEach(c -> c.castExceptLayerNorm(type));
    }

    /**
     * DJL's {@code PtNDArray.intern} swaps the native tensor but keeps the Java-side cached data type (DJL 0.36 and
     * 0.33 bytecode: {@code getDataType()} reads the field {@code dataType} once); clearing it makes the array ask
     * the engine again.
     */
    private static void forgetCachedDataType(NDArray p) {
        try {
            java.lang.reflect.Field f = p.getClass().getDeclaredField("dataType");
            f.setAccessible(true);
            f.set(p, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot refresh the data type of a " + p.getClass().getName()
                    + " after a cast (DJL changed?): " + e, e);
        }
    }

    /** Sets requires-grad on every parameter. */
    public void setRequiresGradient(boolean on) {
        for (NDArray p : namedParameters().values()) p.setRequiresGradient(on);
    }

    public long parameterCount() {
        long n = 0;
        for (NDArray p : namedParameters().values()) n += p.getShape().size();
        return n;
    }

    // --- initialisation helpers: the original's init (weights N(0, range), biases 0, LayerNorm 1/0) ---

    static NDArray normal(NDManager m, Random rng, double std, long... shape) {
        if (rng == null) return m.zeros(new Shape(shape)); // weights about to be loaded: skip the random init
        long n = new Shape(shape).size();
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rng.nextGaussian() * std);
        return m.create(a, new Shape(shape));
    }

    static NDArray zeros(NDManager m, long... shape) {
        return m.zeros(new Shape(shape));
    }

    static NDArray ones(NDManager m, long... shape) {
        return m.ones(new Shape(shape));
    }

    /**
     * Construction context: where parameters live, the initialiser's random stream (null: zeros, for a model
     * whose weights are loaded right after) and the init std.
     */
    public record Init(NDManager manager, Random rng, double std) {
        public static Init forLoading(NDManager manager) {
            return new Init(manager, null, 0);
        }
    }
}
