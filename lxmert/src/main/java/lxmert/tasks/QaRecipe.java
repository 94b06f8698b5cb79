package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import lxmert.checkpoint.LoadReport;
import lxmert.checkpoint.ModelWeights;
import lxmert.checkpoint.Tensor;
import lxmert.config.LxmertConfig;
import lxmert.data.AnswerHeadSurgery;
import lxmert.data.AnswerTable;
import lxmert.data.DataOptions;
import lxmert.data.QaDataset;
import lxmert.data.QaExample;
import lxmert.data.QaTask;
import lxmert.data.TaskAnswers;
import lxmert.eval.PredictionFiles;
import lxmert.eval.SoftScore;
import lxmert.eval.VqaOfficialEval;
import lxmert.model.Losses;
import lxmert.model.Ops;
import lxmert.model.QaModel;
import lxmert.tasks.pretrain.PretrainCheckpoint;
import lxmert.text.SentenceEncoder;
import lxmert.util.NdArrays;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * VQA and GQA (vqa.py, gqa.py): a question per image, the answer head over the task's answer table, BCE with
 * logits x A (GQA with {@code --mce-loss}: cross entropy on the best answer x A), the soft score; predictions as
 * the original's json ({@code [{"question_id", "answer"}]} / {@code [{"questionId", "prediction"}]}), scored by soft
 * score, or by the official VQA accuracy with an annotation file.
 */
public final class QaRecipe extends FinetuneRecipe {
    private final QaTask qa;

    QaRecipe(QaTask qa) {
        super(qa.dir);
        this.qa = qa;
    }

    @Override
    public TaskData load(DataOptions data, String splits, SentenceEncoder encoder, List<String> label2ans) throws IOException {
        QaDataset ds = label2ans == null ? QaDataset.load(qa, data, splits) : QaDataset.load(qa, data, splits, TaskAnswers.of(label2ans));
        return new QaData(ds, encoder, FinetuneOptions.SEQ_LEN);
    }

    @Override
    List<String> label2ans(TaskData train) {
        return ((QaData) train).dataset().answers().label2ans();
    }

    @Override
    public int numAnswers(Path dataRoot) throws IOException {
        return TaskAnswers.load(qa.answerDir(dataRoot)).size();
    }

    @Override
    TaskNet.Head head(NDManager manager, LxmertConfig config, int numAnswers, long seed) {
        QaModel m = QaModel.create(manager, config, numAnswers, seed);
        return new TaskNet.Head(m, m.bert(), m::head, numAnswers);
    }

    /** The soft scores [n, A]. */
    @Override
    NDArray targets(NDManager m, HostBatch b, int from, int to, int numAnswers) {
        return NdArrays.floats(m, b.targets, from * numAnswers, (to - from) * numAnswers, new Shape(to - from, numAnswers));
    }

    /**
     * BCE-with-logits (mean over B x A) x A = the BCE summed over answers and examples / B; GQA with --mce-loss: cross
     * entropy on the best answer (mean over B) x A.
     */
    @Override
    NDArray lossSum(NDArray logits, NDArray targets, int numAnswers, boolean mceLoss) {
        if (mceLoss) {
            NDArray best = targets.argMax(1).toType(DataType.INT64, false);
            return Ops.mul(Losses.crossEntropyNone(logits, best).sum(), numAnswers);
        }
        return Losses.bceWithLogitsNone(logits, targets).sum();
    }

    /** BCE (the original's loss): each answer's sigmoid; {@code --mce-loss} (cross entropy): the softmax over the answers. */
    @Override
    NDArray probabilities(NDArray logits, boolean mceLoss) {
        return mceLoss ? logits.softmax(1) : ai.djl.nn.Activation.sigmoid(logits);
    }

    /** Every example (the original's BCE and CE are means over the batch). */
    @Override
    long lossCount(HostBatch b) {
        return b.examples;
    }

    /** The target score of the predicted answers. */
    @Override
    NDArray scoreSum(NDArray predicted, NDArray targets) {
        return targets.gather(predicted.expandDims(1), 1).sum();
    }

    @Override
    public Tester.Row row(TaskData data, int i, int label, double probability) {
        QaData d = (QaData) data;
        QaExample e = d.example(i);
        return new Tester.Row(e.questionId(), e.imgId(), e.sent(), d.answer(label), d.score(i, label), probability,
                e.questionType(), e.answerType(), e.label());
    }

    @Override
    Path writePredictions(Path dir, String split, List<Tester.Row> rows) throws IOException {
        Map<String, String> q2a = new LinkedHashMap<>();
        for (Tester.Row r : rows) q2a.put(r.id(), r.predicted());
        Path f = dir.resolve(split + "_predict.json");
        if (qa == QaTask.VQA) PredictionFiles.writeVqa(f, q2a); else PredictionFiles.writeGqa(f, q2a);
        return f;
    }

    /** The encoder (all of it) and the answer head of LXMERT's QA pretraining, mapped onto the task's answers (the original's surgery). */
    @Override
    void loadLxmertQa(FinetuneOptions opt, Map<String, NDArray> params, List<String> label2ans, Consumer<String> message)
            throws IOException {
        Map<String, Tensor> ck = ModelWeights.readCanonical(PretrainCheckpoint.resolve(opt.weightsPath()));
        LoadReport r = ModelWeights.load(InitialWeights.encoderParams(params), ck, k -> !k.startsWith("bert."));
        if (!r.missing().isEmpty() || !r.mismatched().isEmpty()) {
            throw new IllegalArgumentException(opt.weightsPath() + ": encoder weights incomplete (the original asserts all are present)\n" + r);
        }
        Path allAns = opt.data().root().resolve("lxmert").resolve("all_ans.json");
        lxmert.util.Check.file("answer table", allAns);
        AnswerTable table = AnswerTable.load(allAns, null);
        for (String k : new String[] {"0.weight", "0.bias", "2.weight", "2.bias"}) {
            Tensor t = ck.get("answer_head.logit_fc." + k);
            if (t == null) throw new IllegalArgumentException(opt.weightsPath() + ": missing key answer_head.logit_fc." + k);
            ModelWeights.copyInto(params.get("logit_fc." + k), t);
        }
        Tensor w = ck.get("answer_head.logit_fc.3.weight");
        Tensor b = ck.get("answer_head.logit_fc.3.bias");
        if (w == null || b == null) throw new IllegalArgumentException(opt.weightsPath() + ": missing key answer_head.logit_fc.3.*");
        AnswerHeadSurgery.Result s = AnswerHeadSurgery.apply(w.toFloatArray(), b.toFloatArray(), (int) w.shape()[1], table, label2ans);
        ModelWeights.copyInto(params.get("logit_fc.3.weight"),
                Tensor.ofFloats("w", new long[] {label2ans.size(), w.shape()[1]}, s.weight()));
        ModelWeights.copyInto(params.get("logit_fc.3.bias"), Tensor.ofFloats("b", new long[] {label2ans.size()}, s.bias()));
        message.accept("Load QA pre-trained LXMERT from " + opt.weightsPath() + "\nLoaded " + s.mapped()
                + " answers from LXRTQA pre-training and " + s.zeroed() + " not");
    }

    /** Soft score; with VQA annotations the official accuracy (the soft score then in {@code softAccuracy}). */
    @Override
    public Scores score(Path dataRoot, String split, Path predictions, Path annotations, VqaOfficialEval.Version version)
            throws IOException {
        if (qa != QaTask.VQA) noAnnotations(annotations);
        Map<String, String> preds = qa == QaTask.VQA ? PredictionFiles.readVqa(predictions) : PredictionFiles.readGqa(predictions);
        Map<String, Map<String, Double>> labels = new HashMap<>();
        try (QaDataset ds = QaDataset.loadQuestions(qa, dataRoot, split)) {
            for (QaExample e : ds.raw()) labels.put(e.questionId(), e.label());
        }
        double soft = SoftScore.accuracy(preds, labels);
        if (annotations == null) return new Scores(soft, preds.size(), Double.NaN, Double.NaN);
        Map<String, List<JsonNode>> anns = VqaOfficialEval.loadAnnotations(annotations);
        return new Scores(VqaOfficialEval.accuracy(version, preds, anns), preds.size(), soft, Double.NaN);
    }
}
