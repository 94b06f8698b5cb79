package lxmert.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * LXRTPretraining (modeling.py:890-989): the encoder plus the MLM head (decoder tied to the word
 * embeddings, own bias), the matching head, the object head (obj / attr / feat) and the answer head,
 * whose six losses (MLM, Matched, Obj, Attr, Feat, QA) are {@code lxmert.tasks.pretrain.PretrainLoss}. As the original's {@code __init__} (modeling.py:888-920)
 * the encoder (pooler included) and {@code cls} (MLM head and matching head) always exist, while
 * {@code obj_predict_head} exists only with the object task (its decoders only for the visual losses asked) and
 * {@code answer_head} only with the QA task ({@link Heads}): a head not built has no parameter and no checkpoint key,
 * and its output is null.
 */
public final class LxmertPretraining extends Module {
    public static final String[] LOSS_NAMES = {"Mask_LM", "Matched", "Obj", "Attr", "Feat", "QA"};

    final LxrtModel bert;
    final MlmHead mlm;
    final Linear seqRelationship;
    final PredictionHeadTransform objTransform;
    final Linear objDecoder;
    final Linear attrDecoder;
    final Linear featDecoder;
    final AnswerHead answerHead;
    private final LxmertConfig config;
    private final Heads heads;

    /**
     * Which optional heads exist: {@code obj_predict_head} with {@code objPredict} (its {@code decoder_dict} holding
     * the decoders of {@code visualLosses}, some of obj / attr / feat), {@code answer_head} with {@code qa}
     * (the original's {@code task_obj_predict}, {@code visual_losses}, {@code task_qa}).
     */
    public record Heads(boolean objPredict, Set<String> visualLosses, boolean qa) {
        public static final Heads ALL = new Heads(true, Set.of("obj", "attr", "feat"), true);

        public Heads {
            visualLosses = Set.copyOf(visualLosses);
        }

        public boolean decoder(String name) {
            return objPredict && visualLosses.contains(name);
        }

        /** Every head of {@code o} is also here. */
        public boolean covers(Heads o) {
            return (qa || !o.qa) && (objPredict || !o.objPredict)
                    && (!o.objPredict || visualLosses.containsAll(o.visualLosses));
        }
    }

    /** Every head (the released checkpoint's layout). */
    public LxmertPretraining(Init init, LxmertConfig c) {
        this(init, c, Heads.ALL);
    }

    public LxmertPretraining(Init init, LxmertConfig c, Heads heads) {
        this.config = c;
        this.heads = heads;
        bert = child("bert", new LxrtModel(init, c));
        Module cls = child("cls", new LxrtEncoder.Container());
        mlm = cls.child("predictions", new MlmHead(init, c, bert.wordEmbeddings()));
        seqRelationship = cls.child("seq_relationship", new Linear(init, c.hidden_size(), 2));
        Module obj = heads.objPredict() ? child("obj_predict_head", new LxrtEncoder.Container()) : null;
        objTransform = obj == null ? null : obj.child("transform", new PredictionHeadTransform(init, c));
        Module dict = obj == null ? null : obj.child("decoder_dict", new LxrtEncoder.Container());
        objDecoder = heads.decoder("obj") ? dict.child("obj", new Linear(init, c.hidden_size(), c.num_object_labels())) : null;
        attrDecoder = heads.decoder("attr") ? dict.child("attr", new Linear(init, c.hidden_size(), c.num_attr_labels())) : null;
        featDecoder = heads.decoder("feat") ? dict.child("feat", new Linear(init, c.hidden_size(), c.visual_feat_dim())) : null;
        answerHead = !heads.qa() ? null : child("answer_head", new LxrtEncoder.Container()).child("logit_fc",
                new AnswerHead(init, c.hidden_size(), 2 * c.hidden_size(), c.num_qa_labels(), c.layer_norm_eps()));
    }

    /** Every head. */
    public static LxmertPretraining create(NDManager manager, LxmertConfig c, long seed) {
        return create(manager, c, Heads.ALL, seed);
    }

    public static LxmertPretraining create(NDManager manager, LxmertConfig c, Heads heads, long seed) {
        return new LxmertPretraining(new Init(manager, new Random(seed), c.initializer_range()), c, heads);
    }

    public Heads heads() {
        return heads;
    }

    public LxrtModel bert() {
        return bert;
    }

    public LxmertConfig config() {
        return config;
    }

    /** The state dict with the tied {@code cls.predictions.decoder.weight} alias, in the original's key order. */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue());
            if (e.getKey().equals("cls.predictions.transform.LayerNorm.bias")) {
                out.put("cls.predictions.decoder.weight", bert.wordEmbeddings());
            }
        }
        return out;
    }

    /** The MLM head: transform, then logits against the tied word embeddings plus {@code bias}. */
    public static final class MlmHead extends Module {
        final NDArray bias;
        final PredictionHeadTransform transform;
        final NDArray decoderWeight;

        MlmHead(Init init, LxmertConfig c, NDArray tiedWeight) {
            bias = param("bias", zeros(init.manager(), c.vocab_size()));
            transform = child("transform", new PredictionHeadTransform(init, c));
            decoderWeight = tiedWeight;
        }

        public NDArray forward(NDArray x) {
            return Ops.linear(transform.forward(x), decoderWeight, bias);
        }
    }

    /**
     * All head outputs of one forward pass (null for a head not built). {@code mlmRows} null: {@code mlmLogits} is [B, L, vocab] as the original;
     * otherwise {@code mlmLogits} is [M, vocab], the MLM head on rows {@code mlmRows} ([M], indices into the flattened
     * B x L positions) only.
     */
    public record Outputs(LxrtOutput lxrt, NDArray mlmLogits, NDArray matchScore, NDArray objLogits,
                          NDArray attrLogits, NDArray featPred, NDArray answerLogits, NDArray mlmRows) {}

    /** The original's forward: every head on every position. */
    public Outputs forward(NDArray inputIds, NDArray segmentIds, NDArray inputMask, NDArray feats, NDArray boxes,
                           NDArray visualMask, LxrtOutput.Trace trace) {
        return forward(inputIds, segmentIds, inputMask, feats, boxes, visualMask, null, trace);
    }

    /**
     * The forward with the MLM head (transform + the 768 x 30522 decoder) run only on the language positions
     * {@code mlmRows} (long [M] indices into the flattened B x L positions; null = all, as the original). The MLM loss
     * ignores every other position and the head is position-wise, so the loss and every gradient are those of the full
     * forward, while the step skips the decoder on the ~85% of positions that are not predicted.
     */
    public Outputs forward(NDArray inputIds, NDArray segmentIds, NDArray inputMask, NDArray feats, NDArray boxes,
                           NDArray visualMask, NDArray mlmRows, LxrtOutput.Trace trace) {
        LxrtOutput o = bert.forward(inputIds, segmentIds, inputMask, feats, boxes, visualMask, trace);
        NDArray visnT = objTransform == null ? null : objTransform.forward(o.visn());
        NDArray lang = o.lang();
        if (mlmRows != null) {
            long h = lang.getShape().get(2), m = mlmRows.getShape().get(0);
            lang = lang.reshape(-1, h).gather(mlmRows.reshape(m, 1).broadcast(new ai.djl.ndarray.types.Shape(m, h)), 0);
        }
        return new Outputs(o, mlm.forward(lang), seqRelationship.forward(o.pooled()),
                objDecoder == null ? null : objDecoder.forward(visnT), attrDecoder == null ? null : attrDecoder.forward(visnT),
                featDecoder == null ? null : featDecoder.forward(visnT),
                answerHead == null ? null : answerHead.forward(o.pooled()), mlmRows);
    }

    /** Pretraining targets; any may be null to skip its loss. */
    public record Targets(NDArray maskedLmLabels, NDArray matchedLabel, NDArray objLabels, NDArray objConfs,
                          NDArray attrLabels, NDArray attrConfs, NDArray feats, NDArray featMask, NDArray ans) {}

    /** The MLM labels of the rows {@code out.mlmLogits} holds: all positions, or those of {@code out.mlmRows}. */
    public static NDArray mlmLabels(Outputs out, NDArray maskedLmLabels) {
        NDArray flat = maskedLmLabels.reshape(-1);
        return out.mlmRows() == null ? flat : flat.gather(out.mlmRows(), 0);
    }
}
