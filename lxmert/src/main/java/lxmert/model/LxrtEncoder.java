package lxmert.model;

import ai.djl.ndarray.NDArray;
import lxmert.config.LxmertConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * visn_fc, then l language layers, r relationship (vision) layers, x cross-modality layers — in that
 * execution order (modeling.py:520-566); registration order visn_fc, layer, x_layers, r_layers.
 */
public final class LxrtEncoder extends Module {
    final VisualFeatEncoder visnFc;
    final List<BertLayer> layer = new ArrayList<>();
    final List<LxrtXLayer> xLayers = new ArrayList<>();
    final List<BertLayer> rLayers = new ArrayList<>();

    public LxrtEncoder(Init init, LxmertConfig c) {
        visnFc = child("visn_fc", new VisualFeatEncoder(init, c));
        Module l = child("layer", new Container());
        for (int i = 0; i < c.l_layers(); i++) layer.add(l.child(Integer.toString(i), new BertLayer(init, c)));
        Module x = child("x_layers", new Container());
        for (int i = 0; i < c.x_layers(); i++) xLayers.add(x.child(Integer.toString(i), new LxrtXLayer(init, c)));
        Module r = child("r_layers", new Container());
        for (int i = 0; i < c.r_layers(); i++) rLayers.add(r.child(Integer.toString(i), new BertLayer(init, c)));
    }

    /** A torch ModuleList: numbered children only. */
    static final class Container extends Module {}

    /**
     * @param trace if non-null, receives every layer's output and (if {@code trace.attentions}) attention probs
     * @return {lang, visn}
     */
    public NDArray[] forward(NDArray lang, NDArray langMask, NDArray feats, NDArray boxes, NDArray visnMask,
                             LxrtOutput.Trace trace) {
        NDArray visn = visnFc.forward(feats, boxes);
        if (trace != null) trace.visnFc = visn;
        for (BertLayer l : layer) {
            lang = l.forward(lang, langMask, trace != null && trace.attentions ? trace.langAttentions : null);
            if (trace != null) trace.langLayers.add(lang);
        }
        for (BertLayer r : rLayers) {
            visn = r.forward(visn, visnMask, trace != null && trace.attentions ? trace.visnAttentions : null);
            if (trace != null) trace.visnLayers.add(visn);
        }
        for (LxrtXLayer x : xLayers) {
            NDArray[] out = x.forward(lang, langMask, visn, visnMask,
                    trace != null && trace.attentions ? trace.crossLangAttentions : null,
                    trace != null && trace.attentions ? trace.crossVisnAttentions : null);
            lang = out[0];
            visn = out[1];
            if (trace != null) {
                trace.crossLangLayers.add(lang);
                trace.crossVisnLayers.add(visn);
            }
        }
        return new NDArray[] {lang, visn};
    }
}
