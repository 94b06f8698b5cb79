package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import lxmert.config.LxmertConfig;

import java.util.List;

/**
 * The cross-modality layer (modeling.py:439-488): ONE cross-attention {@code visual_attention} shared by
 * both directions (both computed from the layer inputs), then separate self-attention and FFNs.
 */
public final class LxrtXLayer extends Module {
    final AttentionLayer visualAttention;
    final AttentionLayer langSelfAtt;
    final AttentionLayer visnSelfAtt;
    final FeedForward langInter;
    final AddNorm langOutput;
    final FeedForward visnInter;
    final AddNorm visnOutput;

    public LxrtXLayer(Init init, LxmertConfig c) {
        visualAttention = child("visual_attention", AttentionLayer.cross(init, c));
        langSelfAtt = child("lang_self_att", AttentionLayer.self(init, c));
        visnSelfAtt = child("visn_self_att", AttentionLayer.self(init, c));
        langInter = child("lang_inter", new FeedForward(init, c));
        langOutput = child("lang_output", new AddNorm(init, c.intermediate_size(), c.hidden_size(),
                c.layer_norm_eps(), c.hidden_dropout_prob()));
        visnInter = child("visn_inter", new FeedForward(init, c));
        visnOutput = child("visn_output", new AddNorm(init, c.intermediate_size(), c.hidden_size(),
                c.layer_norm_eps(), c.hidden_dropout_prob()));
    }

    /** The language and vision sequences a cross-modality layer (and the encoder) returns. */
    public record LangVisn(NDArray lang, NDArray visn) {
        NDList toList() { return new NDList(lang, visn); }
    }

    /** Attention probabilities (if sinks given): cross l->v, cross v->l, self l, self v. */
    public LangVisn forward(NDArray lang, NDArray langMask, NDArray visn, NDArray visnMask,
                             List<NDArray> langProbs, List<NDArray> visnProbs) {
        NDArray langX = visualAttention.forward(lang, visn, visnMask, langProbs);
        NDArray visnX = visualAttention.forward(visn, lang, langMask, visnProbs);
        NDArray langS = langSelfAtt.forward(langX, langMask, langProbs);
        NDArray visnS = visnSelfAtt.forward(visnX, visnMask, visnProbs);
        NDArray langOut = langOutput.forward(langInter.forward(langS), langS);
        NDArray visnOut = visnOutput.forward(visnInter.forward(visnS), visnS);
        return new LangVisn(langOut, visnOut);
    }
}
