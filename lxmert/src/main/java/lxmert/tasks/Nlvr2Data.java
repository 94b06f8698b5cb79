package lxmert.tasks;

import lxmert.data.ImageFeatures;
import lxmert.data.Nlvr2Dataset;
import lxmert.data.Nlvr2Example;
import lxmert.text.SentenceEncoder;

import java.util.List;

/**
 * NLVR2 statements for batching (NLVR2TorchDataset): each statement becomes two rows, (sentence, img0) and
 * (sentence, img1); the label is 0/1.
 */
public final class Nlvr2Data implements TaskData {
    private final Nlvr2Dataset dataset;
    private final List<Nlvr2Example> data;
    private final ImageFeatures features;
    private final SentenceEncoder encoder;
    private final int seqLen;
    private final int boxes;

    public Nlvr2Data(Nlvr2Dataset dataset, SentenceEncoder encoder, int seqLen) {
        this.dataset = dataset;
        this.data = dataset.data();
        this.features = dataset.features();
        this.encoder = encoder;
        this.seqLen = seqLen;
        this.boxes = TaskData.maxBoxes(features);
    }

    public Nlvr2Example example(int i) {
        return data.get(i);
    }

    @Override public int size() { return data.size(); }
    @Override public int imagesPerExample() { return 2; }
    @Override public int featDim() { return features.featDim(); }
    @Override public int boxes() { return boxes; }
    @Override public int numAnswers() { return 2; }
    @Override public String exampleId(int index) { return data.get(index).uid(); }

    @Override
    public boolean labelled(int index) {
        return data.get(index).label() != null;
    }

    @Override
    public java.util.List<String> loadSummary() {
        return dataset.summary();
    }

    @Override
    public void close() {
        dataset.close();
    }

    @Override
    public HostBatch allocate(int n) {
        return new HostBatch(n, 2, seqLen, boxes, featDim(), 0);
    }

    @Override
    public HostBatch fill(HostBatch b, int[] idx) {
        b.indices = idx;
        b.anyPadding = false;
        String[] sents = new String[idx.length * 2];
        for (int r = 0; r < idx.length; r++) {
            Nlvr2Example e = data.get(idx[r]);
            b.exampleIds[r] = e.uid();
            b.labels[r] = e.label() == null ? -1 : e.label();
            String[] imgs = {e.img0(), e.img1()};
            for (int j = 0; j < 2; j++) {
                int row = 2 * r + j;
                sents[row] = e.sent();
                TaskData.fillImage(b, row, features, imgs[j]);
            }
        }
        encoder.encodeBatch(java.util.Arrays.asList(sents), b.inputIds, b.inputMask, b.segmentIds);
        return b;
    }

    @Override
    public double score(int index, int label) {
        Integer l = data.get(index).label();
        return l != null && l == label ? 1 : 0;
    }
}
