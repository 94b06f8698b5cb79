package lxmert.tasks.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import lxmert.config.LxmertConfig;
import lxmert.model.Losses;
import lxmert.model.LxmertPretraining;
import lxmert.model.Ops;
import lxmert.train.TrainTask;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The six pretraining losses of LXRTPretraining.forward (modeling.py:922-989) in the order
 * {@link LxmertPretraining#LOSS_NAMES} (Mask_LM, Matched, Obj, Attr, Feat, QA), each as a sum over the batch and the
 * count its mean divides by ({@link TrainTask.Loss}: the trainer divides by the update's totals):
 * <ul>
 * <li>MLM, Matched, QA: cross-entropy with ignore index -1, a mean over the rows with a label;</li>
 * <li>Obj, Attr: cross-entropy on every box weighted by the detector confidence, a mean over all B x N box slots,
 *     x {@code visual_loss_normalizer} (1/0.15);</li>
 * <li>Feat: SmoothL1 (beta 1) averaged over the feature dims, times the feat mask, a mean over B x N, x 1/0.15.</li>
 * </ul>
 * The counts come from the host batch ({@link #counts}). {@link #means} gives one batch's losses (evaluation,
 * {@code verify-reference}). <b>All-ignored labels</b> (a batch whose MLM, matched or QA labels are all -1): in
 * training the loss contributes 0 with zero gradient (the trainer's zero total); {@link #means} gives 0, or torch's
 * NaN (mean over nothing) when asked. Padded boxes (images with fewer boxes than the batch) have confidence 0 and
 * feat mask 0 and so contribute 0. A disabled task has no loss here (0 in {@link #means}), as the original (and its
 * visual losses per {@code --visual-losses}).
 */
public final class PretrainLoss {
    /** The counts the losses are means over: predicted words, matched rows, QA rows, box slots (B x N). */
    public static final String WORDS = "mlm_words", MATCHED = "matched_rows", QA = "qa_rows", BOX_SLOTS = "box_slots";

    private final LxmertConfig config;
    private final PretrainTasks tasks;

    public PretrainLoss(LxmertConfig config, PretrainTasks tasks) {
        this.config = config;
        this.tasks = tasks;
    }

    /** The counts of examples {@code [0, b.size)} of a host batch, by the names the losses use. */
    public static Map<String, Long> counts(PretrainBatch b) {
        long words = 0, matched = 0, qa = 0;
        for (int i = 0; i < b.size * b.seqLen; i++) if (b.lmLabels[i] >= 0) words++;
        for (int i = 0; i < b.size; i++) {
            if (b.matched[i] >= 0) matched++;
            if (b.qaLabel[i] >= 0) qa++;
        }
        return Map.of(WORDS, words, MATCHED, matched, QA, qa, BOX_SLOTS, (long) b.size * b.boxes);
    }

    /** The enabled losses (with their targets given) as sums (in the graph when training), by their names in order. */
    public Map<String, TrainTask.Loss> sums(LxmertPretraining.Outputs out, LxmertPretraining.Targets t) {
        Map<String, TrainTask.Loss> l = new LinkedHashMap<>();
        String[] n = LxmertPretraining.LOSS_NAMES;
        double w = config.visual_loss_normalizer();
        if (tasks.maskLm() && t.maskedLmLabels() != null) {
            l.put(n[0], new TrainTask.Loss(ceSum(out.mlmLogits().reshape(-1, config.vocab_size()),
                    LxmertPretraining.mlmLabels(out, t.maskedLmLabels())), WORDS));
        }
        if (tasks.matched() && t.matchedLabel() != null) {
            l.put(n[1], new TrainTask.Loss(ceSum(out.matchScore().reshape(-1, 2), t.matchedLabel().reshape(-1)), MATCHED));
        }
        if (tasks.visual("obj") && t.objLabels() != null) {
            l.put(n[2], new TrainTask.Loss(weighted(Losses.crossEntropyNone(out.objLogits().reshape(-1, config.num_object_labels()),
                    t.objLabels().reshape(-1)), t.objConfs(), w), BOX_SLOTS));
        }
        if (tasks.visual("attr") && t.attrLabels() != null) {
            l.put(n[3], new TrainTask.Loss(weighted(Losses.crossEntropyNone(out.attrLogits().reshape(-1, config.num_attr_labels()),
                    t.attrLabels().reshape(-1)), t.attrConfs(), w), BOX_SLOTS));
        }
        if (tasks.visual("feat") && t.feats() != null) {
            int d = config.visual_feat_dim();
            NDArray per = Losses.smoothL1(out.featPred().reshape(-1, d), t.feats().reshape(-1, d)).mean(new int[] {1});
            l.put(n[4], new TrainTask.Loss(weighted(per, t.featMask(), w), BOX_SLOTS));
        }
        if (tasks.qa() && t.ans() != null) {
            l.put(n[5], new TrainTask.Loss(ceSum(out.answerLogits().reshape(-1, config.num_qa_labels()), t.ans().reshape(-1)), QA));
        }
        return l;
    }

    /**
     * One batch's losses {total, Mask_LM, Matched, Obj, Attr, Feat, QA} as device scalars: each sum divided by its
     * count in {@code counts} (the batch's own, {@link #counts}); a disabled task gives 0; a count of 0 gives 0, or
     * with {@code torchNaN} torch's NaN (then the total is NaN too, as the original's).
     */
    public NDArray[] means(LxmertPretraining.Outputs out, LxmertPretraining.Targets t, Map<String, Long> counts, boolean torchNaN) {
        Map<String, TrainTask.Loss> sums = sums(out, t);
        NDArray ref = out.lxrt().pooled();
        NDArray total = ref.getManager().zeros(new Shape(), DataType.FLOAT32, ref.getDevice());
        NDArray[] res = new NDArray[7];
        for (int i = 0; i < 6; i++) {
            TrainTask.Loss l = sums.get(LxmertPretraining.LOSS_NAMES[i]);
            if (l == null) continue;
            long c = counts.get(l.count());
            NDArray mean = c > 0 ? l.sum().div(Ops.scalar(l.sum(), c)) : torchNaN ? Ops.mul(l.sum(), Double.NaN) : l.sum().zerosLike();
            total = total.add(mean);
            res[i + 1] = mean;
        }
        for (int i = 1; i < 7; i++) if (res[i] == null) res[i] = total.zerosLike();
        res[0] = total;
        return res;
    }

    private static NDArray ceSum(NDArray logits, NDArray labels) {
        return Losses.crossEntropyNone(logits, labels).sum();
    }

    /** sum(perBox x weights) x w. */
    private static NDArray weighted(NDArray perBox, NDArray weights, double w) {
        return Ops.mul(perBox.mul(weights.reshape(-1)).sum(), w);
    }
}
