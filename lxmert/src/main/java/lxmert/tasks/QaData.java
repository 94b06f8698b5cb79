package lxmert.tasks;

import lxmert.data.ImageFeatures;
import lxmert.data.QaDataset;
import lxmert.data.QaExample;
import lxmert.data.TaskAnswers;
import lxmert.text.SentenceEncoder;

import java.util.List;
import java.util.Map;

/**
 * VQA / GQA examples for batching (VQATorchDataset / GQATorchDataset): the question tokenised, the image's
 * features and normalised boxes, and the soft-score target over the answer table (answers absent from the
 * table are skipped and counted: {@link QaDataset#fillTarget}).
 */
public final class QaData implements TaskData {
    private final QaDataset dataset;
    private final List<QaExample> data;
    private final TaskAnswers answers;
    private final ImageFeatures features;
    private final SentenceEncoder encoder;
    private final int seqLen;
    private final int boxes;

    public QaData(QaDataset dataset, SentenceEncoder encoder, int seqLen) {
        this.dataset = dataset;
        this.data = dataset.data();
        this.answers = dataset.answers();
        this.features = dataset.features();
        this.encoder = encoder;
        this.seqLen = seqLen;
        this.boxes = TaskData.maxBoxes(features);
    }

    public QaDataset dataset() {
        return dataset;
    }

    public QaExample example(int i) {
        return data.get(i);
    }

    @Override public int size() { return data.size(); }
    @Override public int imagesPerExample() { return 1; }
    @Override public int featDim() { return features.featDim(); }
    @Override public int boxes() { return boxes; }
    @Override public int numAnswers() { return answers.size(); }
    @Override public String exampleId(int index) { return data.get(index).questionId(); }

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
        return new HostBatch(n, 1, seqLen, boxes, featDim(), numAnswers());
    }

    @Override
    public HostBatch fill(HostBatch b, int[] idx) {
        b.indices = idx;
        b.anyPadding = false;
        java.util.Arrays.fill(b.targets, 0f);
        String[] sents = new String[idx.length];
        for (int r = 0; r < idx.length; r++) {
            QaExample e = data.get(idx[r]);
            sents[r] = e.sent();
            b.exampleIds[r] = e.questionId();
            TaskData.fillImage(b, r, features, e.imgId());
            dataset.fillTarget(e, b.targets, r * numAnswers());
        }
        encoder.encodeBatch(java.util.Arrays.asList(sents), b.inputIds, b.inputMask, b.segmentIds);
        return b;
    }

    @Override
    public double score(int index, int label) {
        Map<String, Double> l = data.get(index).label();
        if (l == null) return 0;
        Double s = l.get(answers.answer(label));
        return s == null ? 0 : s;
    }

    public String answer(int label) {
        return answers.answer(label);
    }
}
