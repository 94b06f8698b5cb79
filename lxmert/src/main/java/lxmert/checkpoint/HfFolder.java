package lxmert.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lxmert.config.LxmertConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A HuggingFace model folder ({@code save_pretrained}): {@code config.json} and the weights in
 * {@code model.safetensors} or {@code pytorch_model.bin} (safetensors first when both are there, as
 * {@code transformers} does). The weights may be {@code LxmertForPreTraining} ({@code lxmert.*}, {@code cls.*},
 * {@code obj_predict_head.*}, {@code answer_head.*}), {@code LxmertForQuestionAnswering} ({@code lxmert.*} and
 * {@code answer_head.logit_fc.*}: read as this project's task model) or {@code LxmertModel} (no prefix).
 *
 * <p>{@code config.json} gives the model config ({@link LxmertConfig#load(Path, Consumer)}: HuggingFace's keys,
 * unknown keys ignored with one warning line) and the flags that decide which pretraining heads exist
 * ({@link Flags}: {@code task_obj_predict}, {@code visual_obj_loss} / {@code visual_attr_loss} /
 * {@code visual_feat_loss}, {@code task_qa}; as in {@code LxmertForPreTraining}, a head switched off is not part of
 * the model, so its weights are dropped with a warning).
 */
public final class HfFolder {
    public static final String CONFIG = "config.json";
    public static final String SAFETENSORS = "model.safetensors";
    public static final String BIN = "pytorch_model.bin";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The head flags of an HF {@code LxmertConfig} (each defaults to true, as in transformers). */
    public record Flags(boolean taskMatched, boolean taskMaskLm, boolean taskObjPredict, boolean taskQa,
                        boolean visualObjLoss, boolean visualAttrLoss, boolean visualFeatLoss) {
        public static final Flags ALL = new Flags(true, true, true, true, true, true, true);

        /** Whether a canonical pretraining key belongs to a head these flags keep. */
        public boolean keeps(String canonicalKey) {
            if (canonicalKey.startsWith("answer_head.")) return taskQa;
            if (canonicalKey.startsWith("obj_predict_head.")) {
                if (!taskObjPredict) return false;
                if (canonicalKey.startsWith("obj_predict_head.decoder_dict.obj.")) return visualObjLoss;
                if (canonicalKey.startsWith("obj_predict_head.decoder_dict.attr.")) return visualAttrLoss;
                if (canonicalKey.startsWith("obj_predict_head.decoder_dict.feat.")) return visualFeatLoss;
            }
            return true;
        }

        /** The flags that describe the heads present in a canonical key set. */
        public static Flags of(java.util.Set<String> canonicalKeys) {
            boolean[] f = new boolean[7];
            for (String k : canonicalKeys) {
                if (k.startsWith("cls.seq_relationship.")) f[0] = true;
                if (k.startsWith("cls.predictions.")) f[1] = true;
                if (k.startsWith("obj_predict_head.")) f[2] = true;
                if (k.startsWith("answer_head.") || k.startsWith(KeyMaps.TASK_HEAD)) f[3] = true;
                if (k.startsWith("obj_predict_head.decoder_dict.obj.")) f[4] = true;
                if (k.startsWith("obj_predict_head.decoder_dict.attr.")) f[5] = true;
                if (k.startsWith("obj_predict_head.decoder_dict.feat.")) f[6] = true;
            }
            return new Flags(f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
        }
    }

    private final Path dir;
    private final Path weights;
    private final LxmertConfig config;
    private final Flags flags;
    private final List<String> architectures;

    private HfFolder(Path dir, Path weights, LxmertConfig config, Flags flags, List<String> architectures) {
        this.dir = dir;
        this.weights = weights;
        this.config = config;
        this.flags = flags;
        this.architectures = architectures;
    }

    /** True if {@code p} is a folder with {@code config.json} and {@code model.safetensors} or {@code pytorch_model.bin}. */
    public static boolean is(Path p) {
        return p != null && Files.isDirectory(p) && Files.isRegularFile(p.resolve(CONFIG))
                && (Files.isRegularFile(p.resolve(SAFETENSORS)) || Files.isRegularFile(p.resolve(BIN)));
    }

    /** Opens a HuggingFace folder: reads its config.json ({@code warn}: the unknown-keys line) and finds its weights. */
    public static HfFolder open(Path dir, Consumer<String> warn) {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) throw new CheckpointException(dir + ": not a HuggingFace folder: " + cfg + " not found");
        Path w = Files.isRegularFile(dir.resolve(SAFETENSORS)) ? dir.resolve(SAFETENSORS) : dir.resolve(BIN);
        if (!Files.isRegularFile(w)) {
            throw new CheckpointException(dir + ": HuggingFace folder without weights: neither " + SAFETENSORS + " nor " + BIN
                    + (Files.exists(dir.resolve(SAFETENSORS + ".index.json")) ? " (sharded checkpoints are not supported)" : ""));
        }
        try {
            String text = Files.readString(cfg);
            LxmertConfig config = LxmertConfig.fromJson(text, cfg.toString(), warn);
            JsonNode root = JSON.readTree(text);
            if (root.has("model_type") && !"lxmert".equals(root.get("model_type").asText())) {
                throw new CheckpointException(cfg + ": model_type is \"" + root.get("model_type").asText() + "\", not \"lxmert\"");
            }
            Flags flags = new Flags(flag(root, "task_matched", cfg), flag(root, "task_mask_lm", cfg), flag(root, "task_obj_predict", cfg),
                    flag(root, "task_qa", cfg), flag(root, "visual_obj_loss", cfg), flag(root, "visual_attr_loss", cfg),
                    flag(root, "visual_feat_loss", cfg));
            List<String> arch = new ArrayList<>();
            for (JsonNode a : root.path("architectures")) arch.add(a.asText());
            return new HfFolder(dir, w, config, flags, List.copyOf(arch));
        } catch (IOException e) {
            throw new CheckpointException(cfg + ": cannot read: " + e.getMessage(), e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    private static boolean flag(JsonNode root, String key, Path cfg) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return true;
        if (!v.isBoolean()) throw new CheckpointException(cfg + ": field \"" + key + "\" has the wrong type: " + v + " (expected true or false)");
        return v.booleanValue();
    }

    public Path dir() { return dir; }

    /** The weights file ({@code model.safetensors}, else {@code pytorch_model.bin}). */
    public Path weights() { return weights; }

    public LxmertConfig config() { return config; }

    public Flags flags() { return flags; }

    /** The {@code architectures} of config.json (empty when absent). */
    public List<String> architectures() { return architectures; }

    /** The weights as stored. */
    public StateDict read() {
        return Checkpoints.readFile(weights);
    }

    /**
     * The weights under canonical names: a question-answering model as the task model ({@code bert.*} +
     * {@code logit_fc.*}), {@code LxmertModel} as the encoder ({@code bert.*}), a pretraining model without the heads
     * its flags switch off (one warning line listing the dropped keys) and with the tied decoder key.
     */
    public Map<String, Tensor> canonical(Consumer<String> warn) {
        StateDict sd = read();
        KeyMaps.Layout layout = KeyMaps.detect(sd.keySet());
        Map<String, Tensor> c = Checkpoints.canonical(sd);
        if (layout == KeyMaps.Layout.HF_QA || KeyMaps.isTaskModel(c.keySet())) return c;
        Map<String, Tensor> kept = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        c.forEach((k, v) -> {
            if (flags.keeps(k)) kept.put(k, v);
            else dropped.add(k);
        });
        if (!dropped.isEmpty()) {
            warn.accept("warning: " + weights + ": dropping " + dropped.size() + " weights of heads that " + dir.resolve(CONFIG)
                    + " switches off (task_obj_predict / visual_*_loss / task_qa false): " + dropped);
        }
        return kept;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes canonical tensors as a HuggingFace folder: {@code dir/config.json} ({@code model_type: lxmert},
     * {@code architectures} naming the class the weights are, the config's fields, {@code num_hidden_layers} and the
     * head flags of what the weights hold) and {@code dir/model.safetensors} ({@code safetensors}) or
     * {@code dir/pytorch_model.bin} (torch zip; the tied decoder one storage with the word embeddings). The tied MLM
     * decoder key is written whenever there is an MLM head. Returns the layout written.
     */
    public static KeyMaps.Layout write(Path dir, Map<String, Tensor> canonical, LxmertConfig config, boolean safetensors) {
        KeyMaps.Layout layout = KeyMaps.hfLayoutFor(canonical.keySet());
        Map<String, Tensor> c = ModelWeights.withTiedDecoder(canonical);
        Map<String, Tensor> out = KeyMaps.fromCanonical(c, layout);
        try {
            Files.createDirectories(dir);
            if (safetensors) Safetensors.write(dir.resolve(SAFETENSORS), out, Map.of("format", "pt"));
            else TorchWriter.writeZip(dir.resolve(BIN), out);
            Files.writeString(dir.resolve(CONFIG), configJson(config, KeyMaps.hfArchitecture(layout), Flags.of(c.keySet())));
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot write: " + e, e);
        }
        return layout;
    }

    /** config.json as transformers writes an LXMERT config, for {@code architecture}. */
    static String configJson(LxmertConfig config, String architecture, Flags f) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add(architecture);
        n.put("model_type", "lxmert");
        JSON.valueToTree(config).fields().forEachRemaining(e -> n.set(e.getKey(), e.getValue()));
        ObjectNode layers = n.putObject("num_hidden_layers");
        layers.put("vision", config.r_layers()).put("cross_encoder", config.x_layers()).put("language", config.l_layers());
        n.put("task_matched", f.taskMatched()).put("task_mask_lm", f.taskMaskLm()).put("task_obj_predict", f.taskObjPredict())
                .put("task_qa", f.taskQa()).put("visual_obj_loss", f.visualObjLoss()).put("visual_attr_loss", f.visualAttrLoss())
                .put("visual_feat_loss", f.visualFeatLoss());
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The config that fits canonical tensors: {@code base}'s values with every size the shapes determine (vocabulary,
     * hidden and FFN sizes, positions, token types, l/x/r layer counts, visual feature and position dims, object /
     * attribute / answer label counts) taken from the shapes. The sizes that differ from {@code base} are listed in
     * {@code changed} ("field base -> weights"). The number of attention heads cannot be seen in shapes: it stays
     * {@code base}'s (an error names it when it does not divide the hidden size).
     */
    public static LxmertConfig fit(Map<String, Tensor> canonical, LxmertConfig base, List<String> changed) {
        Map<String, Object> v = new LinkedHashMap<>();
        long[] we = shape(canonical, "bert.embeddings.word_embeddings.weight");
        if (we != null) { v.put("vocab_size", we[0]); v.put("hidden_size", we[1]); }
        long[] pe = shape(canonical, "bert.embeddings.position_embeddings.weight");
        if (pe != null) v.put("max_position_embeddings", pe[0]);
        long[] te = shape(canonical, "bert.embeddings.token_type_embeddings.weight");
        if (te != null) v.put("type_vocab_size", te[0]);
        long[] im = shape(canonical, "bert.encoder.layer.0.intermediate.dense.weight");
        if (im == null) im = shape(canonical, "bert.encoder.x_layers.0.lang_inter.dense.weight");
        if (im != null) v.put("intermediate_size", im[0]);
        long[] vf = shape(canonical, "bert.encoder.visn_fc.visn_fc.weight");
        if (vf != null) v.put("visual_feat_dim", vf[1]);
        long[] bf = shape(canonical, "bert.encoder.visn_fc.box_fc.weight");
        if (bf != null) v.put("visual_pos_dim", bf[1]);
        if (we != null) {
            v.put("l_layers", (long) count(canonical, "bert.encoder.layer."));
            v.put("x_layers", (long) count(canonical, "bert.encoder.x_layers."));
            v.put("r_layers", (long) count(canonical, "bert.encoder.r_layers."));
        }
        long[] ob = shape(canonical, "obj_predict_head.decoder_dict.obj.weight");
        if (ob != null) v.put("num_object_labels", ob[0]);
        long[] at = shape(canonical, "obj_predict_head.decoder_dict.attr.weight");
        if (at != null) v.put("num_attr_labels", at[0]);
        long[] qa = shape(canonical, "answer_head.logit_fc.3.weight");
        if (qa == null) qa = shape(canonical, "logit_fc.3.weight");
        if (qa != null) v.put("num_qa_labels", qa[0]);
        ObjectNode n = JSON.valueToTree(base);
        for (Map.Entry<String, Object> e : v.entrySet()) {
            long was = n.get(e.getKey()).asLong();
            long now = (Long) e.getValue();
            if (was != now) changed.add(e.getKey() + " " + was + " -> " + now);
            n.put(e.getKey(), now);
        }
        try {
            return LxmertConfig.fromJson(n.toString(), "the config fitted to the weights", s -> {});
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage() + " (give the config with --config)", e);
        }
    }

    private static long[] shape(Map<String, Tensor> c, String key) {
        Tensor t = c.get(key);
        return t == null ? null : t.shape();
    }

    private static int count(Map<String, Tensor> c, String prefix) {
        int n = 0;
        for (String k : c.keySet()) {
            if (!k.startsWith(prefix)) continue;
            String rest = k.substring(prefix.length());
            int dot = rest.indexOf('.');
            try {
                n = Math.max(n, Integer.parseInt(dot < 0 ? rest : rest.substring(0, dot)) + 1);
            } catch (NumberFormatException ignored) {
                // not a layer index
            }
        }
        return n;
    }
}
