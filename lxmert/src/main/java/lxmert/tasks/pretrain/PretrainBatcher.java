package lxmert.tasks.pretrain;

import java.util.Arrays;
import java.util.SplittableRandom;

import lxmert.data.FeatureStore;

/**
 * Builds {@link PretrainBatch}es from a {@link PretrainCorpus} as the original's {@code LXMERTTorchDataset.__getitem__}
 * + {@code convert_example_to_features}: the sentence swapped for one of another image with probability 0.5
 * (matched label 0; only when the matched task runs), words and objects masked ({@link Masking}), the QA answer
 * sampled in proportion to its score (-1 without a label, with an empty label or when unmatched).
 *
 * <p>Every random draw of an example comes from a generator seeded by (seed, epoch, example index), so a batch does
 * not depend on batch size, order, thread or resume point. The random-box replacement draws from {@code boxSource}
 * (the original draws from the training corpus, also for the valid split): a uniformly random example, then a
 * uniformly random box among its image's boxes, so images with any number of boxes work.
 */
public final class PretrainBatcher {
    private final PretrainCorpus corpus;
    private final PretrainCorpus boxSource;
    private final PretrainTasks tasks;
    private final Masking.Specials specials;
    private final long seed;
    private final int seqLen;
    private final int boxes;
    private final int featDim;
    private final Masking.RandomBox randomBox;

    public PretrainBatcher(PretrainCorpus corpus, PretrainCorpus boxSource, PretrainTasks tasks, Masking.Specials specials,
                           int seqLen, long seed) {
        if (corpus.features() == null || boxSource.features() == null) throw new IllegalArgumentException("corpus has no features");
        if (corpus.size() == 0) throw new IllegalArgumentException("the pretraining corpus " + corpus.sources() + " has no examples with features");
        if (boxSource.size() == 0) throw new IllegalArgumentException("the random-box corpus " + boxSource.sources() + " has no examples");
        if (tasks.matched() && corpus.numImages() < 2) {
            throw new IllegalArgumentException("the matched task needs sentences of at least 2 images; corpus " + corpus.sources()
                    + " has " + corpus.numImages());
        }
        if (corpus.maxTokens() > seqLen - 2) {
            throw new IllegalArgumentException("corpus keeps " + corpus.maxTokens() + " word pieces, more than a sequence of " + seqLen + " holds");
        }
        if (specials.vocabSize() < 1) throw new IllegalArgumentException("empty vocabulary");
        this.corpus = corpus;
        this.boxSource = boxSource;
        this.tasks = tasks;
        this.specials = specials;
        this.seqLen = seqLen;
        this.seed = seed;
        this.boxes = corpus.maxBoxes();
        this.featDim = corpus.features().featDim();
        if (boxSource.features().featDim() != featDim) {
            throw new IllegalArgumentException("random-box corpus has feature dim " + boxSource.features().featDim() + ", corpus " + featDim);
        }
        this.randomBox = (r, dst, off) -> {
            int img = boxSource.image(r.nextInt(boxSource.size()));
            for (int tries = 0; boxSource.imageBoxes(img) == 0 && tries < 1000; tries++) img = boxSource.image(r.nextInt(boxSource.size()));
            if (boxSource.imageBoxes(img) == 0) return; // only box-less images: the box keeps its features
            int b = r.nextInt(boxSource.imageBoxes(img));
            boxSource.store(img).copyFeature(boxSource.row(img), b, dst, off);
        };
    }

    public PretrainCorpus corpus() { return corpus; }

    /** Boxes per image in a batch: the most of any image of the corpus. */
    public int boxes() { return boxes; }

    public int featDim() { return featDim; }

    public int seqLen() { return seqLen; }

    public PretrainBatch allocate(int capacity) { return new PretrainBatch(capacity, seqLen, boxes, featDim); }

    /** The generator of one example's draws. */
    public static SplittableRandom random(long seed, int epoch, int example) {
        long s = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + example * 0x165667B19E3779F9L;
        return new SplittableRandom(s);
    }

    /** Fills {@code b} with examples {@code idx} (at most its capacity) of epoch {@code epoch}; returns b. */
    public PretrainBatch fill(PretrainBatch b, int[] idx, int epoch) {
        if (idx.length > b.capacity) throw new IllegalArgumentException(idx.length + " examples for a batch of " + b.capacity);
        if (b.boxes != boxes || b.seqLen != seqLen || b.featDim != featDim) throw new IllegalArgumentException("batch shape does not fit this corpus");
        b.size = idx.length;
        b.anyPadding = false;
        int[] toks = new int[corpus.maxTokens()];
        int n = boxes, d = featDim;
        for (int row = 0; row < idx.length; row++) {
            int ex = idx[row];
            b.indices[row] = ex;
            SplittableRandom r = random(seed, epoch, ex);
            int img = corpus.image(ex);
            // matching
            int sentEx = ex;
            long matched = 1;
            if (tasks.matched() && r.nextDouble() < 0.5) {
                matched = 0;
                int other = r.nextInt(corpus.size());
                while (corpus.image(other) == img) other = r.nextInt(corpus.size());
                sentEx = other;
            }
            b.matched[row] = matched;
            // words
            int nt = corpus.tokens(sentEx, toks);
            Masking.maskWords(toks, nt, seqLen, tasks.wordMaskRate(), specials, r, b.inputIds, b.inputMask, b.segmentIds, b.lmLabels, row * seqLen);
            // image
            FeatureStore st = corpus.store(img);
            int srow = corpus.row(img);
            int nb = corpus.imageBoxes(img);
            int fo = row * n * d, bo = row * n;
            st.copyFeatures(srow, b.origFeats, fo);
            st.copyBoxes(srow, b.boxCoords, bo * 4);
            st.copyObjectIds(srow, b.objLabels, bo);
            st.copyObjectConfs(srow, b.objConfs, bo);
            st.copyAttrIds(srow, b.attrLabels, bo);
            st.copyAttrConfs(srow, b.attrConfs, bo);
            Arrays.fill(b.visualMask, bo, bo + nb, 1f);
            if (nb < n) {
                b.anyPadding = true;
                Arrays.fill(b.origFeats, fo + nb * d, fo + n * d, 0f);
                Arrays.fill(b.boxCoords, (bo + nb) * 4, (bo + n) * 4, 0f);
                Arrays.fill(b.objLabels, bo + nb, bo + n, 0L);
                Arrays.fill(b.attrLabels, bo + nb, bo + n, 0L);
                Arrays.fill(b.objConfs, bo + nb, bo + n, 0f);
                Arrays.fill(b.attrConfs, bo + nb, bo + n, 0f);
                Arrays.fill(b.visualMask, bo + nb, bo + n, 0f);
                Arrays.fill(b.featMask, bo + nb, bo + n, 0f);
            }
            System.arraycopy(b.origFeats, fo, b.feats, fo, n * d);
            Masking.maskObjects(b.feats, fo, nb, d, tasks.objMaskRate(), randomBox, r, b.featMask, bo);
            // QA
            b.qaLabel[row] = matched == 1 ? sampleAnswer(corpus, ex, r) : -1;
        }
        return b;
    }

    /**
     * The QA label of {@code ex}: -1 without a label or with an empty one; the only answer when there is one (whatever
     * its score, as the original); otherwise an answer drawn with probability score / sum of scores. When several
     * answers all score 0 (the original's multinomial would fail on 0/0) one is drawn uniformly.
     */
    public static long sampleAnswer(PretrainCorpus c, int ex, SplittableRandom r) {
        int k = c.numAnswers(ex);
        if (k == 0) return -1;
        if (k == 1) return c.answer(ex, 0);
        double sum = 0;
        for (int i = 0; i < k; i++) sum += c.score(ex, i);
        if (!(sum > 0)) return c.answer(ex, r.nextInt(k));
        double u = r.nextDouble() * sum, acc = 0;
        for (int i = 0; i < k; i++) {
            acc += c.score(ex, i);
            if (u < acc) return c.answer(ex, i);
        }
        return c.answer(ex, k - 1);
    }
}
