package lxmert.model;

import ai.djl.ndarray.NDArray;
import lxmert.config.LxmertConfig;

/** BertIntermediate: dense (H -> I) then the activation (modeling.py:389-401). */
public final class FeedForward extends Module {
    final Linear dense;
    private final String act;

    public FeedForward(Init init, LxmertConfig c) {
        dense = child("dense", new Linear(init, c.hidden_size(), c.intermediate_size()));
        act = c.hidden_act();
    }

    public NDArray forward(NDArray x) {
        return Ops.activation(act, dense.forward(x));
    }
}
