package lxmert.model;

import ai.djl.ndarray.NDArray;
import lxmert.config.LxmertConfig;

import java.util.List;

/**
 * Attention + AddNorm. As a self-attention layer its children are named {@code self}/{@code output}
 * (BertSelfattLayer); as the cross-attention layer {@code att}/{@code output} (BertCrossattLayer).
 */
public final class AttentionLayer extends Module {
    final BertAttention attention;
    final AddNorm output;

    private AttentionLayer(Init init, LxmertConfig c, String attName) {
        attention = child(attName, new BertAttention(init, c));
        output = child("output", new AddNorm(init, c.hidden_size(), c.hidden_size(), c.layer_norm_eps(),
                c.hidden_dropout_prob()));
    }

    public static AttentionLayer self(Init init, LxmertConfig c) {
        return new AttentionLayer(init, c, "self");
    }

    public static AttentionLayer cross(Init init, LxmertConfig c) {
        return new AttentionLayer(init, c, "att");
    }

    public NDArray forward(NDArray hidden, NDArray context, NDArray mask, List<NDArray> probsSink) {
        return output.forward(attention.forward(hidden, context, mask, probsSink), hidden);
    }

    public NDArray forward(NDArray hidden, NDArray mask, List<NDArray> probsSink) {
        return forward(hidden, hidden, mask, probsSink);
    }
}
