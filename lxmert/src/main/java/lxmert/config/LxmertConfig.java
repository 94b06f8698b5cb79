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
 * LXMERT model loads as it is (its bookkeeping keys are accepted and ignored); any other unknown field is an
 * error that names it. Presets: {@link #lxr955()} (the released model) and {@link #tiny()}.
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
            "initializer_factor", "chunk_size_feed_forward", "pruned_heads", "torchscript", "name_or_path");

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
        return new LxmertConfig(30522, 768, 12, 3072, "gelu", 0.1, 0.1, 512, 2, 0.02, 1e-12,
                9, 5, 5, 2048, 4, 1600, 400, 9500, 1.0 / 0.15);
    }

    /** A small model that trains in minutes on 2 CPU cores (the default for the bundled synthetic data). */
    public static LxmertConfig tiny() {
        return new LxmertConfig(30522, 128, 4, 512, "gelu", 0.1, 0.1, 512, 2, 0.02, 1e-12,
                2, 2, 1, 2048, 4, 1600, 400, 9500, 1.0 / 0.15);
    }

    /**
     * {@link #tiny()} sized for the bundled synthetic world ({@code data synth} defaults: 64-dim features),
     * the notebooks' default on machines without real data.
     */
    public static LxmertConfig synth() {
        return tiny().withVisualFeatDim(64);
    }

    /** A preset name ({@code lxr955}, {@code tiny}, {@code synth}) or a path to a JSON file. */
    public static LxmertConfig resolve(String nameOrPath) throws IOException {
        switch (nameOrPath) {
            case "lxr955": return lxr955();
            case "tiny": return tiny();
            case "synth": return synth();
            default:
                Path p = Path.of(nameOrPath);
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("--config: \"" + nameOrPath
                            + "\" is neither a preset (lxr955, tiny, synth) nor an existing JSON file");
                }
                return load(p);
        }
    }

    public static LxmertConfig load(Path file) throws IOException {
        return fromJson(Files.readString(file), file.toString());
    }

    /**
     * Parses a JSON object. Missing fields take the {@link #lxr955()} value (as HuggingFace defaults do);
     * unknown fields other than HuggingFace bookkeeping are an error naming the field and the source.
     */
    public static LxmertConfig fromJson(String json, String source) {
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
                throw new IllegalArgumentException(source + ": unknown config field \"" + k + "\"");
            }
        }
        try {
            return fromMap(values);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> defaults() {
        LxmertConfig d = lxr955();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocab_size", d.vocab_size);
        m.put("hidden_size", d.hidden_size);
        m.put("num_attention_heads", d.num_attention_heads);
        m.put("intermediate_size", d.intermediate_size);
        m.put("hidden_act", d.hidden_act);
        m.put("hidden_dropout_prob", d.hidden_dropout_prob);
        m.put("attention_probs_dropout_prob", d.attention_probs_dropout_prob);
        m.put("max_position_embeddings", d.max_position_embeddings);
        m.put("type_vocab_size", d.type_vocab_size);
        m.put("initializer_range", d.initializer_range);
        m.put("layer_norm_eps", d.layer_norm_eps);
        m.put("l_layers", d.l_layers);
        m.put("x_layers", d.x_layers);
        m.put("r_layers", d.r_layers);
        m.put("visual_feat_dim", d.visual_feat_dim);
        m.put("visual_pos_dim", d.visual_pos_dim);
        m.put("num_object_labels", d.num_object_labels);
        m.put("num_attr_labels", d.num_attr_labels);
        m.put("num_qa_labels", d.num_qa_labels);
        m.put("visual_loss_normalizer", d.visual_loss_normalizer);
        return m;
    }

    private static LxmertConfig fromMap(Map<String, Object> m) {
        return new LxmertConfig((Integer) m.get("vocab_size"), (Integer) m.get("hidden_size"),
                (Integer) m.get("num_attention_heads"), (Integer) m.get("intermediate_size"),
                (String) m.get("hidden_act"), (Double) m.get("hidden_dropout_prob"),
                (Double) m.get("attention_probs_dropout_prob"), (Integer) m.get("max_position_embeddings"),
                (Integer) m.get("type_vocab_size"), (Double) m.get("initializer_range"),
                (Double) m.get("layer_norm_eps"), (Integer) m.get("l_layers"), (Integer) m.get("x_layers"),
                (Integer) m.get("r_layers"), (Integer) m.get("visual_feat_dim"), (Integer) m.get("visual_pos_dim"),
                (Integer) m.get("num_object_labels"), (Integer) m.get("num_attr_labels"),
                (Integer) m.get("num_qa_labels"), (Double) m.get("visual_loss_normalizer"));
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

    public LxmertConfig withNumQaLabels(int n) {
        return new LxmertConfig(vocab_size, hidden_size, num_attention_heads, intermediate_size, hidden_act,
                hidden_dropout_prob, attention_probs_dropout_prob, max_position_embeddings, type_vocab_size,
                initializer_range, layer_norm_eps, l_layers, x_layers, r_layers, visual_feat_dim, visual_pos_dim,
                num_object_labels, num_attr_labels, n, visual_loss_normalizer);
    }

    public LxmertConfig withVisualFeatDim(int d) {
        return new LxmertConfig(vocab_size, hidden_size, num_attention_heads, intermediate_size, hidden_act,
                hidden_dropout_prob, attention_probs_dropout_prob, max_position_embeddings, type_vocab_size,
                initializer_range, layer_norm_eps, l_layers, x_layers, r_layers, d, visual_pos_dim,
                num_object_labels, num_attr_labels, num_qa_labels, visual_loss_normalizer);
    }

    public LxmertConfig withVocabSize(int v) {
        return new LxmertConfig(v, hidden_size, num_attention_heads, intermediate_size, hidden_act,
                hidden_dropout_prob, attention_probs_dropout_prob, max_position_embeddings, type_vocab_size,
                initializer_range, layer_norm_eps, l_layers, x_layers, r_layers, visual_feat_dim, visual_pos_dim,
                num_object_labels, num_attr_labels, num_qa_labels, visual_loss_normalizer);
    }

    public int headDim() {
        return hidden_size / num_attention_heads;
    }
}
