package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.data.Nlvr2Dataset;
import lxmert.data.Nlvr2Example;
import lxmert.eval.Nlvr2Eval;
import lxmert.eval.PredictionFiles;
import lxmert.eval.VqaOfficialEval;
import lxmert.model.Losses;
import lxmert.model.Nlvr2Model;
import lxmert.text.SentenceEncoder;
import lxmert.util.NdArrays;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * NLVR2 (nlvr2.py): a statement about two images (two encoder rows), the pair head over True/False, cross entropy;
 * predictions as the original's csv, scored by accuracy and consistency.
 */
public final class Nlvr2Recipe extends FinetuneRecipe {
    private static final List<String> ANSWERS = List.of("False", "True");

    Nlvr2Recipe() {
        super("nlvr2");
    }

    @Override
    public TaskData load(DataOptions data, String splits, SentenceEncoder encoder, List<String> label2ans) throws IOException {
        return new Nlvr2Data(Nlvr2Dataset.load(data, splits), encoder, FinetuneOptions.SEQ_LEN);
    }

    @Override
    List<String> label2ans(TaskData train) {
        return ANSWERS;
    }

    @Override
    public int numAnswers(Path dataRoot) {
        return ANSWERS.size();
    }

    @Override
    TaskNet.Head head(NDManager manager, LxmertConfig config, int numAnswers, long seed) {
        Nlvr2Model m = Nlvr2Model.create(manager, config, seed);
        return new TaskNet.Head(m, m.bert(), m::head, ANSWERS.size());
    }

    /** The labels [n] (-1: none). */
    @Override
    NDArray targets(NDManager m, HostBatch b, int from, int to, int numAnswers) {
        return NdArrays.longs(m, b.labels, from, to - from, new Shape(to - from));
    }

    /** Cross entropy over the pair head, summed over the labelled examples (label -1 ignored, as ignore_index). */
    @Override
    NDArray lossSum(NDArray logits, NDArray targets, int numAnswers, boolean mceLoss) {
        return Losses.crossEntropyNone(logits, targets).sum();
    }

    /** Cross entropy over the two classes: their softmax. */
    @Override
    NDArray probabilities(NDArray logits, boolean mceLoss) {
        return logits.softmax(1);
    }

    /** The labelled examples (the original's cross entropy averages over them). */
    @Override
    long lossCount(HostBatch b) {
        long n = 0;
        for (int i = 0; i < b.examples; i++) if (b.labels[i] >= 0) n++;
        return n;
    }

    /** The number of right predictions. */
    @Override
    NDArray scoreSum(NDArray predicted, NDArray targets) {
        return predicted.eq(targets).toType(DataType.FLOAT32, false).sum();
    }

    @Override
    public Tester.Row row(TaskData data, int i, int label, double probability) {
        Nlvr2Example e = ((Nlvr2Data) data).example(i);
        return new Tester.Row(e.identifier(), e.img0() + "," + e.img1(), e.sent(), ANSWERS.get(label), data.score(i, label),
                probability, null, null, e.label() == null ? null : Map.of(ANSWERS.get(e.label()), 1.0));
    }

    @Override
    Path writePredictions(Path dir, String split, List<Tester.Row> rows) throws IOException {
        Map<String, Boolean> idt2ans = new LinkedHashMap<>();
        for (Tester.Row r : rows) idt2ans.put(r.id(), r.predicted().equals("True"));
        Path f = dir.resolve(split + "_predict.csv");
        PredictionFiles.writeNlvr2(f, idt2ans);
        return f;
    }

    @Override
    void loadLxmertQa(FinetuneOptions opt, Map<String, NDArray> params, List<String> label2ans, Consumer<String> message) {
        throw new IllegalArgumentException("--load-lxmert-qa applies to vqa and gqa only");
    }

    /** Accuracy and consistency. */
    @Override
    public Scores score(Path dataRoot, String split, Path predictions, Path annotations, VqaOfficialEval.Version version)
            throws IOException {
        noAnnotations(annotations);
        Map<String, Boolean> preds = PredictionFiles.readNlvr2(predictions);
        Map<String, Boolean> labels = new HashMap<>();
        try (Nlvr2Dataset ds = Nlvr2Dataset.loadStatements(dataRoot, split)) {
            for (Nlvr2Example e : ds.raw()) if (e.label() != null) labels.put(e.identifier(), e.label() == 1);
        }
        return new Scores(Nlvr2Eval.accuracy(preds, labels), preds.size(), Double.NaN, Nlvr2Eval.consistency(preds, labels));
    }
}
