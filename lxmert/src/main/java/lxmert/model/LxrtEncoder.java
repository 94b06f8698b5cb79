package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

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

    /** Runs {@code layer} on {@code in} temporarily attached to a fresh manager; keeps only its outputs. */
    private static NDList scoped(NDList in, UnaryOperator<NDList> layer) {
        NDManager parent = in.head().getManager();
        try (NDManager sub = parent.newSubManager()) {
            in.tempAttach(sub);
            NDList out = layer.apply(in);
            out.attach(parent);
            return out;
        }
    }

    /** A torch ModuleList: numbered children only. */
    static final class Container extends Module {}

    /**
     * @param trace if non-null, receives every layer's output and (if {@code trace.attentions}) attention probs
     * @return the final language and vision sequences
     */
    public LxrtXLayer.LangVisn forward(NDArray lang, NDArray langMask, NDArray feats, NDArray boxes, NDArray visnMask,
                             LxrtOutput.Trace trace) {
        NDArray visn = visnFc.forward(feats, boxes);
        if (trace == null) {
            // each layer in its own manager: its intermediates are freed as soon as its output exists (autograd
            // keeps natively what backward needs), so a batch never holds every layer's activations at once
            for (BertLayer l : layer) lang = scoped(new NDList(lang), in -> new NDList(l.forward(in.head(), langMask, null))).head();
            for (BertLayer r : rLayers) visn = scoped(new NDList(visn), in -> new NDList(r.forward(in.head(), visnMask, null))).head();
            for (LxrtXLayer x : xLayers) {
                NDList out = scoped(new NDList(lang, visn), in -> x.forward(in.get(0), langMask, in.get(1), visnMask, null, null).toList());
                lang = out.get(0);
                visn = out.get(1);
            }
            return new LxrtXLayer.LangVisn(lang, visn);
        }
        trace.visnFc = visn;
        for (BertLayer l : layer) {
            lang = l.forward(lang, langMask, trace.attentions ? trace.langAttentions : null);
            trace.langLayers.add(lang);
        }
        for (BertLayer r : rLayers) {
            visn = r.forward(visn, visnMask, trace.attentions ? trace.visnAttentions : null);
            trace.visnLayers.add(visn);
        }
        for (LxrtXLayer x : xLayers) {
            LxrtXLayer.LangVisn out = x.forward(lang, langMask, visn, visnMask, trace.attentions ? trace.crossLangAttentions : null,
                    trace.attentions ? trace.crossVisnAttentions : null);
            lang = out.lang();
            visn = out.visn();
            trace.crossLangLayers.add(lang);
            trace.crossVisnLayers.add(visn);
        }
        return new LxrtXLayer.LangVisn(lang, visn);
    }
}
