package lxmert.model;

import ai.djl.ndarray.NDArray;
import lxmert.config.LxmertConfig;

import java.util.List;

/** Self-attention, intermediate, output: a language ({@code layer.N}) or relationship ({@code r_layers.N}) layer. */
public final class BertLayer extends Module {
    final AttentionLayer attention;
    final FeedForward intermediate;
    final AddNorm output;

    public BertLayer(Init init, LxmertConfig c) {
        attention = child("attention", AttentionLayer.self(init, c));
        intermediate = child("intermediate", new FeedForward(init, c));
        output = child("output", new AddNorm(init, c.intermediate_size(), c.hidden_size(), c.layer_norm_eps(),
                c.hidden_dropout_prob()));
    }

    public NDArray forward(NDArray x, NDArray mask, List<NDArray> probsSink) {
        NDArray a = attention.forward(x, mask, probsSink);
        return output.forward(intermediate.forward(a), a);
    }
}
