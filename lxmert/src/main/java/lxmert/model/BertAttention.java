package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import lxmert.config.LxmertConfig;

import java.util.List;

/**
 * Multi-head attention: queries from {@code hidden}, keys/values from {@code context}, scaled dot product,
 * additive mask, softmax, dropout on the probabilities (modeling.py:295-347).
 */
public final class BertAttention extends Module {
    final Linear query;
    final Linear key;
    final Linear value;
    private final int heads;
    private final int headDim;
    private final double dropout;

    public BertAttention(Init init, LxmertConfig c) {
        query = child("query", new Linear(init, c.hidden_size(), c.hidden_size()));
        key = child("key", new Linear(init, c.hidden_size(), c.hidden_size()));
        value = child("value", new Linear(init, c.hidden_size(), c.hidden_size()));
        heads = c.num_attention_heads();
        headDim = c.headDim();
        dropout = c.attention_probs_dropout_prob();
    }

    private NDArray split(NDArray x) { // [B, T, H] -> [B, heads, T, headDim]
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
    }

    /**
     * @param mask additive mask [B, 1, 1, Tc] or null
     * @param probsSink if non-null, receives the attention probabilities [B, heads, T, Tc]
     */
    public NDArray forward(NDArray hidden, NDArray context, NDArray mask, List<NDArray> probsSink) {
        NDArray q = split(query.forward(hidden));
        NDArray k = split(key.forward(context));
        NDArray v = split(value.forward(context));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(Ops.scalar(q, 1 / Math.sqrt(headDim)));
        ai.djl.ndarray.types.DataType type = scores.getDataType();
        if (type != ai.djl.ndarray.types.DataType.FLOAT32) scores = scores.toType(ai.djl.ndarray.types.DataType.FLOAT32, false); // fp16: mask + softmax in float32
        if (mask != null) scores = scores.addi(mask);
        NDArray probs = scores.softmax(-1);
        if (probs.getDataType() != type) probs = probs.toType(type, false);
        if (probsSink != null) probsSink.add(probs);
        probs = Ops.dropout(probs, dropout, training);
        NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3);
        Shape s = hidden.getShape();
        return ctx.reshape(s.get(0), s.get(1), (long) heads * headDim);
    }
}
