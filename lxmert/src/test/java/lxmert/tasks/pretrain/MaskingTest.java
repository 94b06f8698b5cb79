package lxmert.tasks.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** Masking statistics over many draws against binomial bounds (5 standard deviations), and the specials. */
class MaskingTest {
    static final Masking.Specials SP = new Masking.Specials(101, 102, 103, 0, 1000);

    /** |count - n p| <= 5 sqrt(n p (1 - p)). */
    static void binomial(String what, long count, long n, double p) {
        double mean = n * p, sd = Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(count - mean) <= 5 * sd + 1e-9,
                what + ": " + count + " of " + n + ", expected " + mean + " +- " + 5 * sd);
    }

    @Test
    void wordMaskingRatesAndSpecials() {
        int seqLen = 20;
        long[] ids = new long[seqLen], mask = new long[seqLen], seg = new long[seqLen], lab = new long[seqLen];
        SplittableRandom r = new SplittableRandom(1);
        long tokens = 0, predicted = 0, masked = 0, random = 0, kept = 0, randomSpecial = 0;
        int[] toks = new int[18];
        for (int draw = 0; draw < 20000; draw++) {
            int n = 1 + draw % 18;
            for (int k = 0; k < n; k++) toks[k] = 200 + (draw * 7 + k * 13) % 700; // never a special, never 103
            java.util.Arrays.fill(seg, 5);
            Masking.maskWords(toks, n, seqLen, 0.15, SP, r, ids, mask, seg, lab, 0);
            assertEquals(101, ids[0]);
            assertEquals(-1, lab[0], "[CLS] never predicted");
            assertEquals(102, ids[n + 1]);
            assertEquals(-1, lab[n + 1], "[SEP] never predicted");
            for (int i = 0; i < seqLen; i++) {
                assertEquals(i < n + 2 ? 1 : 0, mask[i]);
                assertEquals(0, seg[i]);
                if (i >= n + 2) {
                    assertEquals(0, ids[i], "padding id");
                    assertEquals(-1, lab[i], "padding never predicted");
                }
            }
            for (int k = 0; k < n; k++) {
                tokens++;
                long id = ids[k + 1], l = lab[k + 1];
                if (l == -1) {
                    assertEquals(toks[k], id, "an unpredicted word is unchanged");
                    continue;
                }
                assertEquals(toks[k], l, "the label is the original id");
                predicted++;
                if (id == 103) masked++;
                else if (id == toks[k]) kept++;
                else {
                    random++;
                    assertTrue(id >= 0 && id < 1000);
                    if (id < 200) randomSpecial++;
                }
            }
        }
        binomial("predicted words", predicted, tokens, 0.15);
        binomial("[MASK] among predicted", masked, predicted, 0.8);
        // a random entry equal to the original (p 1/1000) counts as kept
        binomial("random among predicted", random, predicted, 0.1 * 999 / 1000);
        binomial("kept among predicted", kept, predicted, 0.1 + 0.1 / 1000);
        // the random entry is drawn from the whole vocabulary, the first 200 ids included
        binomial("random entries below id 200", randomSpecial, random, 0.2);
    }

    @Test
    void otherRatesAndFullLengthSentence() {
        int seqLen = 6;
        long[] ids = new long[seqLen], mask = new long[seqLen], seg = new long[seqLen], lab = new long[seqLen];
        int[] toks = {300, 301, 302, 303};
        SplittableRandom r = new SplittableRandom(2);
        long n = 0, p = 0;
        for (int d = 0; d < 20000; d++) {
            Masking.maskWords(toks, 4, seqLen, 0.4, SP, r, ids, mask, seg, lab, 0);
            assertEquals(101, ids[0]);
            assertEquals(102, ids[5]);
            for (int k = 1; k <= 4; k++) { n++; if (lab[k] >= 0) p++; }
        }
        binomial("rate 0.4", p, n, 0.4);
        Masking.maskWords(toks, 4, seqLen, 0.0, SP, r, ids, mask, seg, lab, 0);
        assertEquals(java.util.List.of(101L, 300L, 301L, 302L, 303L, 102L), java.util.Arrays.stream(ids).boxed().toList());
    }

    @Test
    void objectMaskingRates() {
        int n = 36, d = 3;
        float[] feats = new float[n * d];
        float[] fm = new float[n];
        SplittableRandom r = new SplittableRandom(3);
        Masking.RandomBox rb = (rr, dst, off) -> java.util.Arrays.fill(dst, off, off + d, -7f);
        long boxes = 0, masked = 0, zero = 0, rand = 0, kept = 0;
        for (int draw = 0; draw < 10000; draw++) {
            for (int i = 0; i < n * d; i++) feats[i] = 1 + i / d;
            java.util.Arrays.fill(fm, 9f);
            Masking.maskObjects(feats, 0, n, d, 0.15, rb, r, fm, 0);
            for (int i = 0; i < n; i++) {
                boxes++;
                float v = feats[i * d];
                for (int k = 1; k < d; k++) assertEquals(v, feats[i * d + k], "a box is replaced as a whole");
                if (fm[i] == 0f) { assertEquals(1 + i, v, "unmasked box unchanged"); continue; }
                assertEquals(1f, fm[i]);
                masked++;
                if (v == 0f) zero++;
                else if (v == -7f) rand++;
                else { assertEquals(1 + i, v); kept++; }
            }
        }
        binomial("masked boxes", masked, boxes, 0.15);
        binomial("zeroed", zero, masked, 0.8);
        binomial("random box", rand, masked, 0.1);
        binomial("kept", kept, masked, 0.1);
    }
}
