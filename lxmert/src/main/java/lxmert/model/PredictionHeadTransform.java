package lxmert.model;

import ai.djl.ndarray.NDArray;
import lxmert.config.LxmertConfig;

/** dense -> activation -> LayerNorm (BertPredictionHeadTransform, modeling.py:584-598). */
public final class PredictionHeadTransform extends Module {
    final Linear dense;
    final LayerNorm layerNorm;
    private final String act;

    public PredictionHeadTransform(Init init, LxmertConfig c) {
        dense = child("dense", new Linear(init, c.hidden_size(), c.hidden_size()));
        layerNorm = child("LayerNorm", new LayerNorm(init, c.hidden_size(), c.layer_norm_eps()));
        act = c.hidden_act();
    }

    public NDArray forward(NDArray x) {
        return layerNorm.forward(Ops.activation(act, dense.forward(x)));
    }
}
