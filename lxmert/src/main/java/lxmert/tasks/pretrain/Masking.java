package lxmert.tasks.pretrain;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The original's masking (lxmert_pretrain.py {@code random_word}, {@code random_feat}), one uniform draw per word
 * piece / box from the caller's random generator.
 */
public final class Masking {
    private Masking() {}

    /** The ids the word masking needs from the vocabulary. */
    public record Specials(int clsId, int sepId, int maskId, int padId, int vocabSize) {
        public static Specials of(lxmert.text.Vocab v) {
            return new Specials(v.clsId(), v.sepId(), v.maskId(), v.padId(), v.size());
        }
    }

    /**
     * Masks the word pieces {@code tokens[0..n)} and writes one row {@code [CLS] pieces [SEP] pad...} of length
     * {@code seqLen} at {@code off}: each piece with probability {@code rate} is predicted (label = its id) and
     * replaced by [MASK] (80%), by a uniformly random vocabulary entry, specials included (10%), or kept (10%); other
     * pieces, [CLS], [SEP] and padding get label -1. {@code n} must be at most {@code seqLen - 2}.
     */
    public static void maskWords(int[] tokens, int n, int seqLen, double rate, Specials sp, SplittableRandom r,
                                 long[] ids, long[] mask, long[] segs, long[] labels, int off) {
        if (n > seqLen - 2) throw new IllegalArgumentException(n + " word pieces do not fit a sequence of " + seqLen);
        ids[off] = sp.clsId();
        labels[off] = -1;
        for (int k = 0; k < n; k++) {
            int tok = tokens[k];
            double p = r.nextDouble();
            long out = tok, label = -1;
            if (p < rate) {
                p /= rate;
                if (p < 0.8) out = sp.maskId();
                else if (p < 0.9) out = r.nextInt(sp.vocabSize());
                label = tok;
            }
            ids[off + 1 + k] = out;
            labels[off + 1 + k] = label;
        }
        ids[off + n + 1] = sp.sepId();
        labels[off + n + 1] = -1;
        Arrays.fill(mask, off, off + n + 2, 1L);
        Arrays.fill(segs, off, off + seqLen, 0L);
        Arrays.fill(ids, off + n + 2, off + seqLen, sp.padId());
        Arrays.fill(mask, off + n + 2, off + seqLen, 0L);
        Arrays.fill(labels, off + n + 2, off + seqLen, -1L);
    }

    /** Where the 10% "random box" replacement takes its features from. */
    public interface RandomBox {
        /** Copies the {@code featDim} features of a random box of a random image into {@code dst[off..]}. */
        void copyRandomBox(SplittableRandom r, float[] dst, int off);
    }

    /**
     * Masks the {@code n} real boxes of one image whose features are at {@code feats[off..off+n*d)}: each box with
     * probability {@code rate} gets feat mask 1 and its features zeroed (80%), replaced by a random box of a random
     * image (10%) or kept (10%); others feat mask 0. {@code featMask[maskOff..maskOff+n)} is written.
     */
    public static void maskObjects(float[] feats, int off, int n, int d, double rate, RandomBox random, SplittableRandom r,
                                   float[] featMask, int maskOff) {
        for (int i = 0; i < n; i++) {
            double p = r.nextDouble();
            float m = 0f;
            if (p < rate) {
                p /= rate;
                if (p < 0.8) Arrays.fill(feats, off + i * d, off + (i + 1) * d, 0f);
                else if (p < 0.9) random.copyRandomBox(r, feats, off + i * d);
                m = 1f;
            }
            featMask[maskOff + i] = m;
        }
    }
}
