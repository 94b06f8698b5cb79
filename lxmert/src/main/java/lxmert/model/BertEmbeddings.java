package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import lxmert.config.LxmertConfig;

/** word + position (0..L-1) + token-type embeddings, LayerNorm, dropout (modeling.py:264-292). */
public final class BertEmbeddings extends Module {
    final Embedding wordEmbeddings;
    final Embedding positionEmbeddings;
    final Embedding tokenTypeEmbeddings;
    final LayerNorm layerNorm;
    private final double dropout;

    public BertEmbeddings(Init init, LxmertConfig c) {
        wordEmbeddings = child("word_embeddings", new Embedding(init, c.vocab_size(), c.hidden_size()));
        positionEmbeddings = child("position_embeddings", new Embedding(init, c.max_position_embeddings(), c.hidden_size()));
        tokenTypeEmbeddings = child("token_type_embeddings", new Embedding(init, c.type_vocab_size(), c.hidden_size()));
        layerNorm = child("LayerNorm", new LayerNorm(init, c.hidden_size(), c.layer_norm_eps()));
        dropout = c.hidden_dropout_prob();
    }

    /** @param inputIds [B, L] int64; @param segmentIds [B, L] int64 or null (zeros). */
    public NDArray forward(NDArray inputIds, NDArray segmentIds) {
        long len = inputIds.getShape().get(1);
        NDArray positions = inputIds.getManager().arange(0, len, 1, DataType.INT64, inputIds.getDevice());
        NDArray types = segmentIds != null ? segmentIds : inputIds.zerosLike();
        NDArray x = wordEmbeddings.forward(inputIds)
                .addi(positionEmbeddings.forward(positions).expandDims(0))
                .addi(tokenTypeEmbeddings.forward(types));
        return Ops.dropout(layerNorm.forward(x), dropout, training);
    }
}
