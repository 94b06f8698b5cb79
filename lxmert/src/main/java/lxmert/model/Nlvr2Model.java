package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;

import java.util.Random;

/**
 * The NLVR2 model (nlvr2_model.py:18-51): each sentence is encoded with both images; the two pooled
 * vectors are concatenated [B, 2H] and classified by {@code logit_fc} (Linear(2H, 2H), GeLU, LN, Linear(2H, 2)).
 */
public final class Nlvr2Model extends Module {
    final LxrtModel bert;
    final AnswerHead logitFc;

    public Nlvr2Model(Init init, LxmertConfig c) {
        bert = child("bert", new LxrtModel(init, c));
        logitFc = child("logit_fc", new AnswerHead(init, 2 * c.hidden_size(), 2 * c.hidden_size(), 2,
                c.layer_norm_eps()));
    }

    public static Nlvr2Model create(NDManager manager, LxmertConfig c, long seed) {
        return new Nlvr2Model(new Init(manager, new Random(seed), c.initializer_range()), c);
    }

    public LxrtModel bert() {
        return bert;
    }

    /** The pair head on pooled vectors [2B, H] (rows 2i, 2i+1 = example i). */
    public NDArray head(NDArray pooled) {
        long h = pooled.getShape().get(1);
        return logitFc.forward(pooled.reshape(-1, 2 * h));
    }

    /**
     * Inputs are already duplicated per image: rows 2i and 2i+1 are example i with img0 and img1
     * (ids [2B, L], feats [2B, N, D]). Returns logits [B, 2].
     */
    public NDArray forward(NDArray inputIds, NDArray segmentIds, NDArray inputMask, NDArray feats, NDArray boxes,
                           LxrtOutput.Trace trace) {
        NDArray pooled = bert.forward(inputIds, segmentIds, inputMask, feats, boxes, null, trace).pooled();
        long h = pooled.getShape().get(1);
        return logitFc.forward(pooled.reshape(-1, 2 * h));
    }
}
