package lxmert.model;

import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * What the LXRT encoder returns: final language [B, L, H] and vision [B, N, H] sequences, the pooled
 * [CLS] vector [B, H], and (when requested) the per-layer {@link Trace}.
 */
public record LxrtOutput(NDArray lang, NDArray visn, NDArray pooled, Trace trace) {

    /**
     * Every intermediate state of one forward pass: embedding output, visual feature encoder output, each
     * language / relationship / cross-modality layer's output and, if {@link #attentions}, the attention
     * probabilities [B, heads, T, Tc] in execution order (for attention maps).
     */
    public static final class Trace {
        public final boolean attentions;
        public NDArray embedding;
        public NDArray visnFc;
        public final List<NDArray> langLayers = new ArrayList<>();
        public final List<NDArray> visnLayers = new ArrayList<>();
        public final List<NDArray> crossLangLayers = new ArrayList<>();
        public final List<NDArray> crossVisnLayers = new ArrayList<>();
        /** Language self-attention of the l layers. */
        public final List<NDArray> langAttentions = new ArrayList<>();
        /** Vision self-attention of the r layers. */
        public final List<NDArray> visnAttentions = new ArrayList<>();
        /** Per x layer: cross attention lang->visn, then lang self-attention. */
        public final List<NDArray> crossLangAttentions = new ArrayList<>();
        /** Per x layer: cross attention visn->lang, then visn self-attention. */
        public final List<NDArray> crossVisnAttentions = new ArrayList<>();

        public Trace(boolean attentions) {
            this.attentions = attentions;
        }
    }
}
