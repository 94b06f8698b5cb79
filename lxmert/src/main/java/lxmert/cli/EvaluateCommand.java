package lxmert.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import lxmert.data.Nlvr2Dataset;
import lxmert.data.Nlvr2Example;
import lxmert.data.PyJson;
import lxmert.data.QaDataset;
import lxmert.data.QaExample;
import lxmert.data.QaTask;
import lxmert.eval.Nlvr2Eval;
import lxmert.eval.PredictionFiles;
import lxmert.eval.SoftScore;
import lxmert.eval.VqaOfficialEval;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code evaluate --task vqa|gqa|nlvr2 --data DIR --split S --predictions FILE [--annotations FILE]}: scores a
 * prediction file against a split. The last line printed is a JSON object {@code {"accuracy": PERCENT, "n": N}}
 * (percent 0-100, full precision), plus {@code "consistency"} for NLVR2. VQA accuracy is LXMERT's soft score, or the
 * official VQA accuracy when {@code --annotations} (VQA v2 annotation json) is given (the current vqaEval.py, or the one before its 2021-03-11 fix with {@code --vqa-eval-version 2017}) (the soft score is then added
 * as {@code "soft_accuracy"}).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Score a prediction / submission file.")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin EvaluateArgs args;

    @Override
    public Integer call() throws Exception {
        EvaluateArgs.Resolved r = args.resolve(Runtime.warn("evaluate"));
        String task = r.task().id;
        Path data = r.data(), predictions = args.predictions, annotations = args.annotations;
        String split = args.split;
        Map<String, Object> out = new LinkedHashMap<>();
        switch (task.toLowerCase()) {
            case "vqa", "gqa" -> {
                QaTask t = QaTask.parse(task);
                Map<String, String> preds = t == QaTask.VQA ? PredictionFiles.readVqa(predictions) : PredictionFiles.readGqa(predictions);
                QaDataset ds = QaDataset.loadQuestions(t, data, split);
                Map<String, Map<String, Double>> labels = new HashMap<>();
                for (QaExample e : ds.raw()) labels.put(e.questionId(), e.label());
                if (t == QaTask.VQA && annotations != null) {
                    Map<String, List<JsonNode>> anns = VqaOfficialEval.loadAnnotations(annotations);
                    out.put("accuracy", 100 * VqaOfficialEval.accuracy(r.version(), preds, anns));
                    out.put("n", preds.size());
                    out.put("soft_accuracy", 100 * SoftScore.accuracy(preds, labels));
                } else {
                    out.put("accuracy", 100 * SoftScore.accuracy(preds, labels));
                    out.put("n", preds.size());
                }
            }
            case "nlvr2" -> {
                Map<String, Boolean> preds = PredictionFiles.readNlvr2(predictions);
                Nlvr2Dataset ds = Nlvr2Dataset.loadStatements(data, split);
                Map<String, Boolean> labels = new HashMap<>();
                for (Nlvr2Example e : ds.raw()) if (e.label() != null) labels.put(e.identifier(), e.label() == 1);
                out.put("accuracy", 100 * Nlvr2Eval.accuracy(preds, labels));
                out.put("n", preds.size());
                out.put("consistency", 100 * Nlvr2Eval.consistency(preds, labels));
            }
            default -> throw new IllegalArgumentException("unknown task '" + task + "', expected vqa, gqa or nlvr2");
        }
        System.out.println(PyJson.dumps(out, -1, false));
        return 0;
    }
}
