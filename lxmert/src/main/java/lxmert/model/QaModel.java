package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;

import java.util.Random;

/**
 * The VQA / GQA model (vqa_model.py, gqa_model.py): the LXRT encoder's pooled output through
 * {@code logit_fc} (Linear(H, 2H), GeLU, LayerNorm, Linear(2H, A)). Parameter names: {@code bert.*},
 * {@code logit_fc.*}; the checkpoint key maps turn these into the original's {@code lxrt_encoder.model.bert.*}.
 */
public final class QaModel extends Module {
    final LxrtModel bert;
    final AnswerHead logitFc;

    public QaModel(Init init, LxmertConfig c, int numAnswers) {
        bert = child("bert", new LxrtModel(init, c));
        logitFc = child("logit_fc", new AnswerHead(init, c.hidden_size(), 2 * c.hidden_size(), numAnswers,
                c.layer_norm_eps()));
    }

    public static QaModel create(NDManager manager, LxmertConfig c, int numAnswers, long seed) {
        return new QaModel(new Init(manager, new Random(seed), c.initializer_range()), c, numAnswers);
    }

    public LxrtModel bert() {
        return bert;
    }

    public int numAnswers() {
        return logitFc.numAnswers();
    }

    /** The answer head on pooled vectors [B, H]. */
    public NDArray head(NDArray pooled) {
        return logitFc.forward(pooled);
    }

    /** Logits [B, A]. */
    public NDArray forward(NDArray inputIds, NDArray segmentIds, NDArray inputMask, NDArray feats, NDArray boxes,
                           LxrtOutput.Trace trace) {
        return logitFc.forward(bert.forward(inputIds, segmentIds, inputMask, feats, boxes, null, trace).pooled());
    }
}
