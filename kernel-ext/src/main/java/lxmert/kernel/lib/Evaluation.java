package lxmert.kernel.lib;

import com.fasterxml.jackson.databind.JsonNode;
import lxmert.data.Nlvr2Dataset;
import lxmert.data.Nlvr2Example;
import lxmert.data.QaDataset;
import lxmert.data.QaExample;
import lxmert.data.QaTask;
import lxmert.eval.Nlvr2Eval;
import lxmert.eval.PredictionFiles;
import lxmert.eval.SoftScore;
import lxmert.eval.VqaOfficialEval;
import lxmert.tasks.Task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The score of a prediction / submission file on a labelled split, as {@code lxmert evaluate} computes it with the
 * library's {@code lxmert.eval} classes: VQA soft score (or the official VQA accuracy with an annotation file, the
 * soft score then in {@link #softAccuracy}), GQA exact match, NLVR2 accuracy and consistency. Fractions in [0, 1]
 * (NaN when not applicable).
 */
public record Evaluation(Task task, String split, Path predictions, double accuracy, int n, double softAccuracy,
                         double consistency) {

    /** Scores {@code predictions} against {@code split} under {@code dataRoot}; {@code annotations} may be null. */
    public static Evaluation score(Task task, Path dataRoot, String split, Path predictions, Path annotations)
            throws IOException {
        return score(task, dataRoot, split, predictions, annotations, VqaOfficialEval.DEFAULT);
    }

    /** As {@link #score(Task, Path, String, Path, Path)} with the given official VQA script version. */
    public static Evaluation score(Task task, Path dataRoot, String split, Path predictions, Path annotations,
                                   VqaOfficialEval.Version vqaEvalVersion) throws IOException {
        if (annotations != null && task != Task.VQA) {
            throw new IllegalArgumentException("--annotations is the official VQA annotation file; it does not apply to " + task.id);
        }
        if (task.isQa()) {
            QaTask t = task == Task.VQA ? QaTask.VQA : QaTask.GQA;
            Map<String, String> preds = t == QaTask.VQA ? PredictionFiles.readVqa(predictions) : PredictionFiles.readGqa(predictions);
            Map<String, Map<String, Double>> labels = new HashMap<>();
            try (QaDataset ds = QaDataset.loadQuestions(t, dataRoot, split)) {
                for (QaExample e : ds.raw()) labels.put(e.questionId(), e.label());
            }
            double soft = SoftScore.accuracy(preds, labels);
            if (annotations != null) {
                Map<String, List<JsonNode>> anns = VqaOfficialEval.loadAnnotations(annotations);
                return new Evaluation(task, split, predictions, VqaOfficialEval.accuracy(vqaEvalVersion, preds, anns), preds.size(), soft, Double.NaN);
            }
            return new Evaluation(task, split, predictions, soft, preds.size(), Double.NaN, Double.NaN);
        }
        Map<String, Boolean> preds = PredictionFiles.readNlvr2(predictions);
        Map<String, Boolean> labels = new HashMap<>();
        try (Nlvr2Dataset ds = Nlvr2Dataset.loadStatements(dataRoot, split)) {
            for (Nlvr2Example e : ds.raw()) if (e.label() != null) labels.put(e.identifier(), e.label() == 1);
        }
        return new Evaluation(task, split, predictions, Nlvr2Eval.accuracy(preds, labels), preds.size(), Double.NaN,
                Nlvr2Eval.consistency(preds, labels));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s %s: accuracy %.2f%% on %d predictions",
                task.id, split, 100 * accuracy, n));
        if (!Double.isNaN(softAccuracy)) s.append(String.format(Locale.ROOT, ", soft accuracy %.2f%%", 100 * softAccuracy));
        if (!Double.isNaN(consistency)) s.append(String.format(Locale.ROOT, ", consistency %.2f%%", 100 * consistency));
        return s.append(" (").append(predictions).append(')').toString();
    }
}
