package lxmert.tasks.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import lxmert.config.LxmertConfig;
import lxmert.model.Losses;
import lxmert.model.LxmertPretraining;
import lxmert.model.Ops;

/**
 * The six pretraining losses of LXRTPretraining.forward (modeling.py:922-989) in the order
 * {@link LxmertPretraining#LOSS_NAMES} (Mask_LM, Matched, Obj, Attr, Feat, QA):
 * <ul>
 * <li>MLM, Matched, QA: cross-entropy with ignore index -1, mean over the predicted rows;</li>
 * <li>Obj, Attr: cross-entropy on every box weighted by the detector confidence, mean over all B x N box slots,
 *     x {@code visual_loss_normalizer} (1/0.15);</li>
 * <li>Feat: SmoothL1 (beta 1) averaged over the feature dims, times the feat mask, mean over B x N, x 1/0.15.</li>
 * </ul>
 * The means are written as sum / denominator with the denominators given explicitly ({@link Denominators}): by
 * default those of the batch itself (then the values equal {@link LxmertPretraining#losses} and the original), or the
 * totals over several micro-batches, so that accumulating the gradients of micro-batches reproduces the update of the
 * one large batch exactly. <b>All-ignored losses:</b> where torch returns NaN (a batch whose MLM, matched or QA
 * labels are all -1), this returns 0 with zero gradient: the task simply does not contribute to that step.
 * Padded boxes (images with fewer boxes than the batch) have confidence 0 and feat mask 0 and so contribute 0.
 * A disabled task's loss is 0, as the original (and its visual losses per {@code --visual-losses}).
 */
public final class PretrainLoss {
    private final LxmertConfig config;
    private final PretrainTasks tasks;

    public PretrainLoss(LxmertConfig config, PretrainTasks tasks) {
        this.config = config;
        this.tasks = tasks;
    }

    /** What the means divide by: predicted words, matched rows, QA rows, box slots (B x N). */
    public record Denominators(long mlm, long matched, long qa, long boxSlots) {
        /** The batch's own counts. */
        public static Denominators of(PretrainBatch b) {
            long mlm = 0, qa = 0;
            for (int i = 0; i < b.size * b.seqLen; i++) if (b.lmLabels[i] >= 0) mlm++;
            for (int i = 0; i < b.size; i++) if (b.qaLabel[i] >= 0) qa++;
            return new Denominators(mlm, b.size, qa, (long) b.size * b.boxes);
        }

        public Denominators plus(Denominators o) {
            return new Denominators(mlm + o.mlm, matched + o.matched, qa + o.qa, boxSlots + o.boxSlots);
        }
    }

    /** {total, Mask_LM, Matched, Obj, Attr, Feat, QA} as scalars (attached to the graph when training). */
    public NDArray[] compute(LxmertPretraining.Outputs out, LxmertPretraining.Targets t, Denominators den) {
        NDArray ref = out.lxrt().pooled();
        NDArray[] parts = new NDArray[6];
        double w = config.visual_loss_normalizer();
        if (tasks.maskLm() && t.maskedLmLabels() != null) {
            parts[0] = ceSum(out.mlmLogits().reshape(-1, config.vocab_size()),
                    LxmertPretraining.mlmLabels(out, t.maskedLmLabels()), den.mlm());
        }
        if (tasks.matched() && t.matchedLabel() != null) {
            parts[1] = ceSum(out.matchScore().reshape(-1, 2), t.matchedLabel().reshape(-1), den.matched());
        }
        if (tasks.visual("obj") && t.objLabels() != null) {
            parts[2] = weighted(Losses.crossEntropyNone(out.objLogits().reshape(-1, config.num_object_labels()), t.objLabels().reshape(-1)),
                    t.objConfs(), den.boxSlots(), w);
        }
        if (tasks.visual("attr") && t.attrLabels() != null) {
            parts[3] = weighted(Losses.crossEntropyNone(out.attrLogits().reshape(-1, config.num_attr_labels()), t.attrLabels().reshape(-1)),
                    t.attrConfs(), den.boxSlots(), w);
        }
        if (tasks.visual("feat") && t.feats() != null) {
            int d = config.visual_feat_dim();
            NDArray per = Losses.smoothL1(out.featPred().reshape(-1, d), t.feats().reshape(-1, d)).mean(new int[] {1});
            parts[4] = weighted(per, t.featMask(), den.boxSlots(), w);
        }
        if (tasks.qa() && t.ans() != null) {
            parts[5] = ceSum(out.answerLogits().reshape(-1, config.num_qa_labels()), t.ans().reshape(-1), den.qa());
        }
        NDArray total = ref.getManager().zeros(new Shape(), DataType.FLOAT32, ref.getDevice());
        NDArray[] res = new NDArray[7];
        for (int i = 0; i < 6; i++) {
            if (parts[i] != null) total = total.add(parts[i]);
            res[i + 1] = parts[i] != null ? parts[i] : total.zerosLike();
        }
        res[0] = total;
        return res;
    }

    private static NDArray ceSum(NDArray logits, NDArray labels, long count) {
        NDArray sum = Losses.crossEntropyNone(logits, labels).sum();
        return Ops.mul(sum, 1.0 / Math.max(count, 1));
    }

    private static NDArray weighted(NDArray perBox, NDArray weights, long slots, double w) {
        return Ops.mul(perBox.mul(weights.reshape(-1)).sum(), w / Math.max(slots, 1));
    }
}
