package lxmert.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place that knows how LXMERT parameter names are spelled in the different checkpoint layouts, and converts
 * them to and from this project's <b>canonical</b> naming: the original pretraining key without {@code module.}
 * ({@code bert.embeddings.*}, {@code bert.encoder.visn_fc.*}, {@code bert.encoder.layer.N.*},
 * {@code bert.encoder.x_layers.N.*}, {@code bert.encoder.r_layers.N.*}, {@code bert.pooler.*},
 * {@code cls.predictions.*}, {@code cls.seq_relationship.*}, {@code obj_predict_head.*},
 * {@code answer_head.logit_fc.*}); task models use {@code bert.*} for the encoder plus the head
 * {@code logit_fc.{0,2,3}.*}.
 *
 * <p>Layouts:
 * <ul>
 * <li>{@link Layout#ORIGINAL}: pretraining snapshot {@code <name>_LXRT.pth} of the original code, saved from
 * {@code nn.DataParallel} so every key has a {@code module.} prefix (lxmert_pretrain.py:390-392);</li>
 * <li>{@link Layout#CANONICAL}: the same without the prefix (what {@code entry.load} and {@code load_lxmert_qa}
 * work on after stripping {@code module.});</li>
 * <li>{@link Layout#ORIGINAL_TASK}: fine-tuned task snapshot ({@code vqa.py}/{@code gqa.py}/{@code nlvr2.py}
 * {@code save}): {@code lxrt_encoder.model.bert.*} + {@code logit_fc.*}; with {@code --multiGPU} the encoder is
 * wrapped in DataParallel, giving {@code lxrt_encoder.model.module.bert.*} (stripped by gqa.py:167-173);</li>
 * <li>{@link Layout#HF}: HuggingFace transformers {@code LxmertForPreTraining}: {@code lxmert.*} in place of
 * {@code bert.*}; {@code cls.*}, {@code obj_predict_head.*}, {@code answer_head.*} as they are;</li>
 * <li>{@link Layout#HF_QA}: HuggingFace {@code LxmertForQuestionAnswering}: {@code lxmert.*} and the task head
 * {@code answer_head.logit_fc.*}, which is this project's task head {@code logit_fc.*} (a task model);</li>
 * <li>{@link Layout#HF_BASE}: HuggingFace {@code LxmertModel} saved on its own: the encoder with no prefix
 * ({@code embeddings.*}, {@code encoder.*}, {@code pooler.*}).</li>
 * </ul>
 * Reading also applies the old TF-port rename {@code gamma}/{@code beta} &rarr; {@code weight}/{@code bias}
 * (modeling.py:789-801).
 */
public final class KeyMaps {

    /** Key layouts of LXMERT checkpoints; see the class documentation. */
    public enum Layout { ORIGINAL, CANONICAL, ORIGINAL_TASK, HF, HF_QA, HF_BASE }

    static final String MODULE = "module.";
    static final String TASK_ENCODER = "lxrt_encoder.model.";
    static final String HF_ENCODER = "lxmert.";
    static final String ENCODER = "bert.";
    static final String TASK_HEAD = "logit_fc.";
    static final String HF_QA_HEAD = "answer_head.logit_fc.";
    private static final String[] HF_BASE_ROOTS = {"embeddings.", "encoder.", "pooler."};
    private static final String[] CANONICAL_ROOTS = {"bert.", "cls.", "obj_predict_head.", "answer_head.", "logit_fc."};

    private KeyMaps() {}

    /** Detects the layout of a key set; throws a {@link CheckpointException} listing sample keys if none fits. */
    public static Layout detect(Set<String> keys) {
        boolean module = false, hf = false, canonical = false, pretrainHeads = false, answerHead = false;
        boolean allBase = !keys.isEmpty(), embeddings = false; // LxmertModel: every key under embeddings./encoder./pooler.
        for (String k : keys) {
            String s = k.startsWith(MODULE) ? k.substring(MODULE.length()) : k;
            if (s.startsWith("lxrt_encoder.")) return Layout.ORIGINAL_TASK;
            if (k.startsWith(HF_ENCODER)) hf = true;
            if (k.startsWith(MODULE)) module = true;
            if (k.startsWith("cls.") || k.startsWith("obj_predict_head.")) pretrainHeads = true;
            if (k.startsWith(HF_QA_HEAD)) answerHead = true;
            for (String r : CANONICAL_ROOTS) if (k.startsWith(r)) canonical = true;
            boolean inBase = false;
            for (String r : HF_BASE_ROOTS) if (k.startsWith(r)) inBase = true;
            allBase &= inBase;
            if (k.startsWith("embeddings.")) embeddings = true;
        }
        if (hf) return answerHead && !pretrainHeads ? Layout.HF_QA : Layout.HF;
        if (allBase && embeddings) return Layout.HF_BASE;
        if (module) return Layout.ORIGINAL;
        if (canonical) return Layout.CANONICAL;
        List<String> sample = new ArrayList<>(keys);
        throw new CheckpointException("cannot detect the LXMERT key layout of " + keys.size() + " keys (expected names starting with "
                + "module., bert., lxrt_encoder., lxmert., cls., logit_fc., or embeddings./encoder./pooler. of an HF LxmertModel); first keys: "
                + (sample.size() > 5 ? sample.subList(0, 5) : sample));
    }

    /** One key of {@code layout} in canonical spelling. */
    public static String toCanonical(String key, Layout layout) {
        String k = key;
        if (k.endsWith(".gamma")) k = k.substring(0, k.length() - 6) + ".weight";
        else if (k.endsWith(".beta")) k = k.substring(0, k.length() - 5) + ".bias";
        switch (layout) {
            case ORIGINAL:
                return k.startsWith(MODULE) ? k.substring(MODULE.length()) : k;
            case CANONICAL:
                return k;
            case ORIGINAL_TASK:
                if (k.startsWith(MODULE)) k = k.substring(MODULE.length());
                k = k.replace(".module.", ".");
                return k.startsWith(TASK_ENCODER) ? k.substring(TASK_ENCODER.length()) : k;
            case HF:
                return k.startsWith(HF_ENCODER) ? ENCODER + k.substring(HF_ENCODER.length()) : k;
            case HF_QA:
                if (k.startsWith(HF_QA_HEAD)) return TASK_HEAD + k.substring(HF_QA_HEAD.length());
                return k.startsWith(HF_ENCODER) ? ENCODER + k.substring(HF_ENCODER.length()) : k;
            case HF_BASE:
                for (String r : HF_BASE_ROOTS) if (k.startsWith(r)) return ENCODER + k;
                return k;
            default:
                throw new IllegalArgumentException("layout " + layout);
        }
    }

    /** One canonical key spelled in {@code layout}. */
    public static String fromCanonical(String key, Layout layout) {
        switch (layout) {
            case ORIGINAL:
                return MODULE + key;
            case CANONICAL:
                return key;
            case ORIGINAL_TASK:
                return key.startsWith(ENCODER) ? TASK_ENCODER + key : key;
            case HF:
                return key.startsWith(ENCODER) ? HF_ENCODER + key.substring(ENCODER.length()) : key;
            case HF_QA:
                if (key.startsWith(TASK_HEAD)) return HF_QA_HEAD + key.substring(TASK_HEAD.length());
                return key.startsWith(ENCODER) ? HF_ENCODER + key.substring(ENCODER.length()) : key;
            case HF_BASE:
                return key.startsWith(ENCODER) ? key.substring(ENCODER.length()) : key;
            default:
                throw new IllegalArgumentException("layout " + layout);
        }
    }

    /** Detects the layout of {@code sd} and returns its tensors under canonical names (same order, shared data). */
    public static Map<String, Tensor> toCanonical(StateDict sd) {
        return rename(sd, detect(sd.keySet()), true, sd.source() == null ? "state dict" : sd.source().toString());
    }

    /** Tensors of a map in {@code layout}, under canonical names. */
    public static Map<String, Tensor> toCanonical(Map<String, Tensor> tensors, Layout layout) {
        return rename(tensors, layout, true, "state dict");
    }

    /** Canonical tensors renamed into {@code layout} (same order, shared data). */
    public static Map<String, Tensor> fromCanonical(Map<String, Tensor> canonical, Layout layout) {
        return rename(canonical, layout, false, "state dict");
    }

    /** True if canonical keys describe a task model (encoder + {@code logit_fc} head). */
    public static boolean isTaskModel(Set<String> canonicalKeys) {
        for (String k : canonicalKeys) if (k.startsWith(TASK_HEAD)) return true;
        return false;
    }

    /**
     * The "original" layout for a canonical key set: the task snapshot layout for task models, the
     * {@code module.}-prefixed pretraining layout otherwise.
     */
    public static Layout originalLayoutFor(Set<String> canonicalKeys) {
        return isTaskModel(canonicalKeys) ? Layout.ORIGINAL_TASK : Layout.ORIGINAL;
    }

    /**
     * The HuggingFace layout for a canonical key set: {@link Layout#HF_QA} for a task model, {@link Layout#HF} when
     * it has pretraining heads, {@link Layout#HF_BASE} ({@code LxmertModel}) for the encoder alone.
     */
    public static Layout hfLayoutFor(Set<String> canonicalKeys) {
        if (isTaskModel(canonicalKeys)) return Layout.HF_QA;
        for (String k : canonicalKeys) if (!k.startsWith(ENCODER)) return Layout.HF;
        return Layout.HF_BASE;
    }

    /** The transformers class whose state dict a HuggingFace layout is ({@code architectures} of config.json). */
    public static String hfArchitecture(Layout layout) {
        switch (layout) {
            case HF: return "LxmertForPreTraining";
            case HF_QA: return "LxmertForQuestionAnswering";
            case HF_BASE: return "LxmertModel";
            default: throw new IllegalArgumentException("not a HuggingFace layout: " + layout);
        }
    }

    /** True for the HuggingFace layouts. */
    public static boolean isHf(Layout layout) {
        return layout == Layout.HF || layout == Layout.HF_QA || layout == Layout.HF_BASE;
    }

    /**
     * Names of LXMERT's modules and parameters in the order the original (and HuggingFace's {@code Lxmert*}) declare
     * them; within any one parent the names that occur are in this relative order.
     */
    private static final List<String> DECLARATION_ORDER = List.of("module", "lxrt_encoder", "model", "bert", "embeddings",
            "encoder", "pooler", "word_embeddings", "position_embeddings", "token_type_embeddings", "visn_fc", "visn_layer_norm",
            "box_fc", "box_layer_norm", "layer", "x_layers", "r_layers", "attention", "visual_attention", "lang_self_att",
            "visn_self_att", "self", "att", "query", "key", "value", "intermediate", "lang_inter", "lang_output", "visn_inter",
            "visn_output", "output", "dense", "LayerNorm", "weight", "bias", "cls", "predictions", "transform", "decoder",
            "seq_relationship", "obj_predict_head", "decoder_dict", "obj", "attr", "feat", "answer_head", "logit_fc");

    /**
     * Orders canonical keys as the model's state dict does (module declaration order, layer indexes numerically); keys
     * with other names come after the known ones at their level, alphabetically.
     */
    public static final java.util.Comparator<String> MODEL_ORDER = (a, b) -> {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i].equals(y[i])) continue;
            boolean nx = !x[i].isEmpty() && x[i].chars().allMatch(Character::isDigit);
            boolean ny = !y[i].isEmpty() && y[i].chars().allMatch(Character::isDigit);
            if (nx && ny) return new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]));
            int rx = DECLARATION_ORDER.indexOf(x[i]), ry = DECLARATION_ORDER.indexOf(y[i]);
            if (rx < 0) rx = Integer.MAX_VALUE;
            if (ry < 0) ry = Integer.MAX_VALUE;
            return rx != ry ? Integer.compare(rx, ry) : x[i].compareTo(y[i]);
        }
        return Integer.compare(x.length, y.length);
    };

    /**
     * Canonical tensors in the model's state-dict order ({@link #MODEL_ORDER}): for files whose order is not the
     * model's, such as safetensors files written by the {@code safetensors} library (sorted by dtype and name).
     */
    public static Map<String, Tensor> inModelOrder(Map<String, Tensor> canonical) {
        List<String> keys = new ArrayList<>(canonical.keySet());
        keys.sort(MODEL_ORDER);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : keys) out.put(k, canonical.get(k));
        return out;
    }

    private static Map<String, Tensor> rename(Map<String, Tensor> in, Layout layout, boolean toCanonical, String what) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> from = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : in.entrySet()) {
            String k = toCanonical ? toCanonical(e.getKey(), layout) : fromCanonical(e.getKey(), layout);
            String prev = from.put(k, e.getKey());
            if (prev != null) {
                throw new CheckpointException(what + ": keys " + prev + " and " + e.getKey() + " both map to " + k
                        + " in layout " + layout);
            }
            out.put(k, e.getValue().withName(k));
        }
        return out;
    }
}
