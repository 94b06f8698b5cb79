package lxmert.model;

import ai.djl.ndarray.NDArray;

/** torch.nn.LayerNorm over the last axis: weight 1, bias 0 at init. */
public final class LayerNorm extends Module {
    final NDArray weight;
    final NDArray bias;
    private final double eps;

    public LayerNorm(Init init, int dim, double eps) {
        weight = param("weight", ones(init.manager(), dim));
        bias = param("bias", zeros(init.manager(), dim));
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return Ops.layerNorm(x, weight, bias, eps);
    }
}
