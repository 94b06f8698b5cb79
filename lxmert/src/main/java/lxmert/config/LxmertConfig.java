package lxmert.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one flat configuration record of an LXMERT model, with HuggingFace {@code LxmertConfig} field names.
 *
 * <p>Read with {@link #fromJson(String, String)} / {@link #load(Path)}: a HuggingFace {@code config.json} of an
 * LXMERT model loads as it is, from the 2020 files to what current {@code transformers} writes: its bookkeeping keys
 * ({@code architectures}, {@code dtype}, {@code use_cache}, the {@code task_*} and {@code visual_*_loss} flags that
 * {@link lxmert.checkpoint.HfFolder} reads, ...) are accepted silently; any other unknown key is ignored with one
 * warning line that lists them all. Presets: {@link #lxr955()} (the released model), {@link #tiny()} and {@link #synth()}; any
 * other config is built by field name with {@link #builder()} or changed with {@link #toBuilder()}.
 */
public record LxmertConfig(
        int vocab_size,
        int hidden_size,
        int num_attention_heads,
        int intermediate_size,
        String hidden_act,
        double hidden_dropout_prob,
        double attention_probs_dropout_prob,
        int max_position_embeddings,
        int type_vocab_size,
        double initializer_range,
        double layer_norm_eps,
        int l_layers,
        int x_layers,
        int r_layers,
        int visual_feat_dim,
        int visual_pos_dim,
        int num_object_labels,
        int num_attr_labels,
        int num_qa_labels,
        double visual_loss_normalizer) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** HuggingFace / transformers bookkeeping keys that a config.json may carry; accepted and ignored. */
    private static final Set<String> BOOKKEEPING = Set.of(
            "model_type", "architectures", "transformers_version", "torch_dtype", "num_hidden_layers",
            "task_matched", "task_mask_lm", "task_obj_predict", "task_qa", "visual_obj_loss",
            "visual_attr_loss", "visual_feat_loss", "output_attentions", "output_hidden_states",
            "pad_token_id", "bos_token_id", "eos_token_id", "id2label", "label2id", "_name_or_path",
            "return_dict", "use_return_dict", "tie_word_embeddings", "is_encoder_decoder", "problem_type",
            "initializer_factor", "chunk_size_feed_forward", "pruned_heads", "torchscript", "name_or_path",
            // written by current transformers (PretrainedConfig.to_dict), meaningless here
            "dtype", "use_cache", "use_bfloat16", "add_cross_attention", "is_decoder", "tie_encoder_decoder",
            "cross_attention_hidden_size", "tokenizer_class", "prefix", "sep_token_id", "decoder_start_token_id",
            "finetuning_task", "task_specific_params", "tf_legacy_loss", "max_length", "min_length", "do_sample",
            "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty", "temperature", "top_k", "top_p",
            "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size", "encoder_no_repeat_ngram_size",
            "bad_words_ids", "num_return_sequences", "output_scores", "return_dict_in_generate", "forced_bos_token_id",
            "forced_eos_token_id", "remove_invalid_values", "exponential_decay_length_penalty", "suppress_tokens",
            "begin_suppress_tokens", "_attn_implementation_autoset", "_commit_hash", "attn_implementation");

    public LxmertConfig {
        require(vocab_size > 0, "vocab_size", vocab_size);
        require(hidden_size > 0, "hidden_size", hidden_size);
        require(num_attention_heads > 0 && hidden_size % num_attention_heads == 0, "num_attention_heads",
                num_attention_heads + " (must divide hidden_size " + hidden_size + ")");
        require(intermediate_size > 0, "intermediate_size", intermediate_size);
        require("gelu".equals(hidden_act) || "relu".equals(hidden_act) || "swish".equals(hidden_act)
                || "silu".equals(hidden_act), "hidden_act", hidden_act);
        require(hidden_dropout_prob >= 0 && hidden_dropout_prob < 1, "hidden_dropout_prob", hidden_dropout_prob);
        require(attention_probs_dropout_prob >= 0 && attention_probs_dropout_prob < 1,
                "attention_probs_dropout_prob", attention_probs_dropout_prob);
        require(max_position_embeddings > 0, "max_position_embeddings", max_position_embeddings);
        require(type_vocab_size > 0, "type_vocab_size", type_vocab_size);
        require(l_layers >= 0 && x_layers >= 0 && r_layers >= 0, "l_layers/x_layers/r_layers",
                l_layers + "/" + x_layers + "/" + r_layers);
        require(visual_feat_dim > 0, "visual_feat_dim", visual_feat_dim);
        require(visual_pos_dim > 0, "visual_pos_dim", visual_pos_dim);
        require(num_object_labels > 0, "num_object_labels", num_object_labels);
        require(num_attr_labels > 0, "num_attr_labels", num_attr_labels);
        require(num_qa_labels > 0, "num_qa_labels", num_qa_labels);
        require(layer_norm_eps > 0, "layer_norm_eps", layer_norm_eps);
    }

    private static void require(boolean ok, String key, Object value) {
        if (!ok) throw new IllegalArgumentException("invalid config value for \"" + key + "\": " + value);
    }

    /** The released LXMERT model: BERT-base dims, 9 language, 5 cross-modality and 5 relationship layers. */
    public static LxmertConfig lxr955() {
        return builder().build();
    }

    /** A small model that trains in minutes on 2 CPU cores (the default for the bundled synthetic data). */
    public static LxmertConfig tiny() {
        return builder().hiddenSize(128).numAttentionHeads(4).intermediateSize(512).lLayers(2).xLayers(2).rLayers(1)
                .build();
    }

    /**
     * {@link #tiny()} sized for the bundled synthetic world ({@code data synth} defaults: 64-dim features),
     * the notebooks' default on machines without real data.
     */
    public static LxmertConfig synth() {
        return tiny().toBuilder().visualFeatDim(64).build();
    }

    /** A preset name ({@code lxr955}, {@code tiny}, {@code synth}) or a path to a JSON file. */
    public static LxmertConfig resolve(String nameOrPath) throws IOException {
        switch (nameOrPath) {
            case "lxr955": return lxr955();
            case "tiny": return tiny();
            case "synth": return synth();
            default:
                Path p = Path.of(nameOrPath);
                if (Files.isDirectory(p)) {
                    throw new IllegalArgumentException("--config: " + lxmert.util.Check.fileProblem(p)
                            + " (a config JSON file or a preset: lxr955, tiny, synth)");
                }
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("--config: \"" + nameOrPath
                            + "\" is neither a preset (lxr955, tiny, synth) nor an existing JSON file");
                }
                return load(p);
        }
    }

    /** Reads a config JSON file; a warning line for unknown keys goes to standard error. */
    public static LxmertConfig load(Path file) throws IOException {
        return load(file, System.err::println);
    }

    /** Reads a config JSON file; {@code warn} receives one line listing the unknown keys, if there are any. */
    public static LxmertConfig load(Path file, java.util.function.Consumer<String> warn) throws IOException {
        return fromJson(Files.readString(file), file.toString(), warn);
    }

    /** {@link #fromJson(String, String, java.util.function.Consumer)} warning on standard error. */
    public static LxmertConfig fromJson(String json, String source) {
        return fromJson(json, source, System.err::println);
    }

    /**
     * Parses a JSON object. Missing fields take the {@link #lxr955()} value (as HuggingFace defaults do); a field of
     * the wrong type or an invalid value is an error naming it and the source; HuggingFace bookkeeping keys are
     * ignored; other unknown keys are ignored too, and {@code warn} receives one line naming the source and listing
     * them.
     */
    public static LxmertConfig fromJson(String json, String source, java.util.function.Consumer<String> warn) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        Map<String, Object> values = defaults();
        java.util.List<String> unknown = new java.util.ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (values.containsKey(k)) {
                Object old = values.get(k);
                try {
                    if (old instanceof Integer) {
                        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw new IllegalArgumentException();
                        values.put(k, v.intValue());
                    } else if (old instanceof Double) {
                        if (!v.isNumber()) throw new IllegalArgumentException();
                        values.put(k, v.doubleValue());
                    } else {
                        if (!v.isTextual()) throw new IllegalArgumentException();
                        values.put(k, v.textValue());
                    }
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(source + ": field \"" + k + "\" has the wrong type: " + v
                            + " (expected " + (old instanceof Integer ? "an integer" : old instanceof Double ? "a number" : "a string") + ")");
                }
            } else if (!BOOKKEEPING.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) warn.accept("warning: " + source + ": ignoring unknown config keys " + unknown);
        try {
            return fromMap(values);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** The {@link #lxr955()} values by JSON field name (Integer, Double or String, as the fields' types). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> defaults() {
        return new LinkedHashMap<String, Object>(JSON.convertValue(lxr955(), Map.class));
    }

    private static LxmertConfig fromMap(Map<String, Object> m) {
        try {
            return JSON.convertValue(m, LxmertConfig.class);
        } catch (IllegalArgumentException e) {
            Throwable t = e;
            while (t.getCause() != null) t = t.getCause();
            throw t instanceof IllegalArgumentException iae ? iae : e;
        }
    }

    /** This config as a JSON object with HuggingFace field names (plus {@code model_type}). */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", "lxmert");
        JSON.valueToTree(this).fields().forEachRemaining(e -> n.set(e.getKey(), e.getValue()));
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void save(Path file) throws IOException {
        Files.writeString(file, toJson());
    }

    /** A builder holding this config's values, to change some of them by name. */
    public Builder toBuilder() {
        return new Builder().vocabSize(vocab_size).hiddenSize(hidden_size).numAttentionHeads(num_attention_heads)
                .intermediateSize(intermediate_size).hiddenAct(hidden_act).hiddenDropoutProb(hidden_dropout_prob)
                .attentionProbsDropoutProb(attention_probs_dropout_prob).maxPositionEmbeddings(max_position_embeddings)
                .typeVocabSize(type_vocab_size).initializerRange(initializer_range).layerNormEps(layer_norm_eps)
                .lLayers(l_layers).xLayers(x_layers).rLayers(r_layers).visualFeatDim(visual_feat_dim)
                .visualPosDim(visual_pos_dim).numObjectLabels(num_object_labels).numAttrLabels(num_attr_labels)
                .numQaLabels(num_qa_labels).visualLossNormalizer(visual_loss_normalizer);
    }

    /** A builder starting from the released model's values ({@link #lxr955()}, as HuggingFace's defaults). */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a config by field name: {@code LxmertConfig.builder().hiddenSize(64).lLayers(1).build()}. */
    public static final class Builder {
        private int vocabSize = 30522;
        private int hiddenSize = 768;
        private int numAttentionHeads = 12;
        private int intermediateSize = 3072;
        private String hiddenAct = "gelu";
        private double hiddenDropoutProb = 0.1;
        private double attentionProbsDropoutProb = 0.1;
        private int maxPositionEmbeddings = 512;
        private int typeVocabSize = 2;
        private double initializerRange = 0.02;
        private double layerNormEps = 1e-12;
        private int lLayers = 9;
        private int xLayers = 5;
        private int rLayers = 5;
        private int visualFeatDim = 2048;
        private int visualPosDim = 4;
        private int numObjectLabels = 1600;
        private int numAttrLabels = 400;
        private int numQaLabels = 9500;
        private double visualLossNormalizer = 1.0 / 0.15;

        private Builder() {}

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder numAttentionHeads(int v) { numAttentionHeads = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder hiddenAct(String v) { hiddenAct = v; return this; }
        public Builder hiddenDropoutProb(double v) { hiddenDropoutProb = v; return this; }
        public Builder attentionProbsDropoutProb(double v) { attentionProbsDropoutProb = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
        public Builder typeVocabSize(int v) { typeVocabSize = v; return this; }
        public Builder initializerRange(double v) { initializerRange = v; return this; }
        public Builder layerNormEps(double v) { layerNormEps = v; return this; }
        public Builder lLayers(int v) { lLayers = v; return this; }
        public Builder xLayers(int v) { xLayers = v; return this; }
        public Builder rLayers(int v) { rLayers = v; return this; }
        public Builder visualFeatDim(int v) { visualFeatDim = v; return this; }
        public Builder visualPosDim(int v) { visualPosDim = v; return this; }
        public Builder numObjectLabels(int v) { numObjectLabels = v; return this; }
        public Builder numAttrLabels(int v) { numAttrLabels = v; return this; }
        public Builder numQaLabels(int v) { numQaLabels = v; return this; }
        public Builder visualLossNormalizer(double v) { visualLossNormalizer = v; return this; }

        /** The config; an invalid value is an {@link IllegalArgumentException} naming its JSON field. */
        public LxmertConfig build() {
            return new LxmertConfig(vocabSize, hiddenSize, numAttentionHeads, intermediateSize, hiddenAct,
                    hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize,
                    initializerRange, layerNormEps, lLayers, xLayers, rLayers, visualFeatDim, visualPosDim,
                    numObjectLabels, numAttrLabels, numQaLabels, visualLossNormalizer);
        }
    }

    public int headDim() {
        return hidden_size / num_attention_heads;
    }
}
