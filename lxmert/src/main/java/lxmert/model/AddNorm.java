package lxmert.model;

import ai.djl.ndarray.NDArray;

/**
 * dense -> dropout -> LayerNorm(x + residual): the original's BertAttOutput (H -> H) and BertOutput
 * (intermediate -> H) (modeling.py:350-361, 404-415).
 */
public final class AddNorm extends Module {
    final Linear dense;
    final LayerNorm layerNorm;
    private final double dropout;

    public AddNorm(Init init, int in, int hidden, double eps, double dropout) {
        dense = child("dense", new Linear(init, in, hidden));
        layerNorm = child("LayerNorm", new LayerNorm(init, hidden, eps));
        this.dropout = dropout;
    }

    public NDArray forward(NDArray x, NDArray residual) {
        return layerNorm.forward(Ops.dropout(dense.forward(x), dropout, training).addi(residual));
    }
}
