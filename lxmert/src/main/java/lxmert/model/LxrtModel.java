package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;

import java.util.Random;

/**
 * The LXRT encoder ("bert" in the checkpoints): embeddings, encoder, pooler (modeling.py:835-886).
 * Masks are additive, (1 - mask) * -10000; the visual mask is optional (no task passes one).
 */
public final class LxrtModel extends Module {
    final BertEmbeddings embeddings;
    final LxrtEncoder encoder;
    final Linear pooler;
    private final LxmertConfig config;

    public LxrtModel(Init init, LxmertConfig c) {
        this.config = c;
        embeddings = child("embeddings", new BertEmbeddings(init, c));
        encoder = child("encoder", new LxrtEncoder(init, c));
        Module p = child("pooler", new LxrtEncoder.Container());
        pooler = p.child("dense", new Linear(init, c.hidden_size(), c.hidden_size()));
    }

    /** A fresh model with the original initialisation, parameters in {@code manager}. */
    public static LxrtModel create(NDManager manager, LxmertConfig c, long seed) {
        return new LxrtModel(new Init(manager, new Random(seed), c.initializer_range()), c);
    }

    public LxmertConfig config() {
        return config;
    }

    public NDArray wordEmbeddings() {
        return embeddings.wordEmbeddings.weight();
    }

    /**
     * @param inputIds [B, L] int64; segmentIds [B, L] int64 or null; inputMask [B, L] (0/1) or null
     * @param feats [B, N, visual_feat_dim]; boxes [B, N, visual_pos_dim]; visualMask [B, N] or null
     * @param trace null, or a Trace to fill with every intermediate state
     */
    public LxrtOutput forward(NDArray inputIds, NDArray segmentIds, NDArray inputMask, NDArray feats,
                              NDArray boxes, NDArray visualMask, LxrtOutput.Trace trace) {
        NDArray langMask = Ops.extendedMask(inputMask != null ? inputMask : inputIds.onesLike());
        NDArray visnMask = visualMask != null ? Ops.extendedMask(visualMask) : null;
        NDArray emb = embeddings.forward(inputIds, segmentIds);
        if (trace != null) trace.embedding = emb;
        LxrtXLayer.LangVisn lv = encoder.forward(emb, langMask, feats, boxes, visnMask, trace);
        NDArray pooled = pooler.forward(lv.lang().get(":, 0, :")).tanh();
        return new LxrtOutput(lv.lang(), lv.visn(), pooled, trace);
    }
}
