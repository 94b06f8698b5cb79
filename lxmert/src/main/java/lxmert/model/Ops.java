package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The few fused ops the model uses. Each is dispatched on its activation argument so the result is
 * attached to the activation's (per-batch) manager, never to the parameters' manager.
 */
public final class Ops {
    private Ops() {}

    /**
     * A 0-d constant in engine memory on x's device. Never use DJL's {@code x.mul(Number)} family in a
     * differentiable expression: on CPU it wraps the scalar around a Java direct buffer that the GC may free
     * while autograd still holds the tensor for the backward pass (seen as sporadic NaN gradients).
     */
    public static NDArray scalar(NDArray like, double v) {
        return like.getManager().full(new Shape(), (float) v, like.getDataType());
    }

    public static NDArray mul(NDArray x, double v) {
        return x.mul(scalar(x, v));
    }

    public static NDArray add(NDArray x, double v) {
        return x.add(scalar(x, v));
    }

    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        if (x.getDataType() != weight.getDataType()) x = x.toType(weight.getDataType(), false); // fp16 inference inputs
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, double eps) {
        if (x.getDataType() != gamma.getDataType()) { // fp16 activations, float32 LayerNorm (Precision.FP16)
            return layerNorm(x.toType(gamma.getDataType(), false), gamma, beta, eps).toType(x.getDataType(), false);
        }
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), gamma, beta, (float) eps)
                .singletonOrThrow();
    }

    public static NDArray embedding(NDArray ids, NDArray weight) {
        return ids.getNDArrayInternal().embedding(ids, weight, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
    }

    /**
     * Dropout as torch's {@code F.dropout} in training: each element kept with probability 1 - p and scaled by
     * 1 / (1 - p). On a GPU (and for p >= 1) it is libtorch's own dropout. On the CPU the mask is drawn as
     * {@code uniform(0, 1) >= p} rather than with {@code bernoulli_}, the same distribution: libtorch's CPU
     * {@code bernoulli_(p)} draws a double per element on one thread (its parallel MKL path is for Intel CPUs only) and
     * took 26% of the operator time of the {@code synth} training step on an AMD EPYC ({@code bench model --profile});
     * the uniform mask costs about 60% of it (1.38M elements: 6.6 ms against 11.2 ms). The scaled mask is the
     * {@code noise} torch keeps for the backward pass, so gradients are as torch's ({@code DropoutTest}).
     */
    public static NDArray dropout(NDArray x, double p, boolean training) {
        if (!training || p == 0) return x;
        if (p >= 1 || x.getDevice().isGpu()) return x.getNDArrayInternal().dropout(x, (float) p, true).singletonOrThrow();
        NDArray noise = x.getManager().randomUniform(0f, 1f, x.getShape(), ai.djl.ndarray.types.DataType.FLOAT32, x.getDevice())
                .gte(scalar(x, p).toType(ai.djl.ndarray.types.DataType.FLOAT32, false))
                .toType(x.getDataType(), false);
        noise = noise.divi(scalar(x, 1 - p));
        return x.mul(noise);
    }

    /** Exact (erf) GELU, as the original's {@code gelu}: x * 0.5 * (1 + erf(x / sqrt 2)). */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    public static NDArray activation(String name, NDArray x) {
        switch (name) {
            case "gelu": return gelu(x);
            case "relu": return x.getNDArrayInternal().relu();
            case "swish":
            case "silu": return x.mul(x.getNDArrayInternal().sigmoid());
            default: throw new IllegalArgumentException("unknown hidden_act " + name);
        }
    }

    /** Additive attention mask from a 0/1 mask [B, T]: (1 - mask) * -10000, shaped [B, 1, 1, T]. */
    public static NDArray extendedMask(NDArray mask) {
        Shape s = mask.getShape();
        NDArray m = mask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).reshape(s.get(0), 1, 1, s.get(1));
        return m.neg().addi(scalar(m, 1)).muli(scalar(m, -10000));
    }
}
