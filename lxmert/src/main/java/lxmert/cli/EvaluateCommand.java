package lxmert.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import lxmert.data.PyJson;
import lxmert.eval.VqaOfficialEval;
import lxmert.tasks.FinetuneRecipe;
import lxmert.tasks.RunFolder;
import lxmert.tasks.Task;
import lxmert.util.Check;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code evaluate --task vqa|gqa|nlvr2 --data DIR --split S --predictions FILE [--annotations FILE]}: scores a
 * prediction file against a split. The last line printed is a JSON object {@code {"accuracy": PERCENT, "n": N}}
 * (percent 0-100, full precision), plus {@code "consistency"} for NLVR2. VQA accuracy is LXMERT's soft score, or the
 * official VQA accuracy when {@code --annotations} (VQA v2 annotation json) is given (the current vqaEval.py, or the one before its 2021-03-11 fix with {@code --vqa-eval-version 2017}) (the soft score is then added
 * as {@code "soft_accuracy"}).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Score a prediction / submission file.")
public final class EvaluateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--task", description = "vqa, gqa or nlvr2 (default: the --run folder's)") String task;
    @Option(names = "--data", defaultValue = "data", description = "data root (default: the --run folder's, else ${DEFAULT-VALUE})") Path data;
    @Option(names = "--run", description = "a fine-tuning run folder (its run.json gives --task and --data)") Path run;
    @Option(names = "--split", required = true, description = "split(s), comma-separated, e.g. minival") String split;
    @Option(names = "--predictions", required = true, description = "VQA/GQA json or NLVR2 csv") Path predictions;
    @Option(names = "--annotations", description = "official VQA annotation file (mscoco_val2014_annotations.json)") Path annotations;
    @Option(names = "--vqa-eval-version", defaultValue = "2021-03-11", description = "with --annotations: 2021-03-11 (the current vqaEval.py, default) or 2017 (the script before its 2021-03-11 fix)") String vqaEvalVersion;

    @Override
    public Integer call() throws Exception {
        VqaOfficialEval.Version version = VqaOfficialEval.Version.parse(vqaEvalVersion);
        RunFolder.Chooser ch = new RunFolder.Chooser(run == null ? null : RunFolder.open(run), Runtime.given(spec),
                Runtime.warn("evaluate"));
        Task task = ch.task(this.task, "given with --run");
        Path data = ch.data(this.data);
        Check.directory("--data", data, "data directory");
        FinetuneRecipe.Scores s = task.recipe().score(data, split, predictions, annotations, version);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", 100 * s.accuracy());
        out.put("n", s.n());
        if (!Double.isNaN(s.softAccuracy())) out.put("soft_accuracy", 100 * s.softAccuracy());
        if (!Double.isNaN(s.consistency())) out.put("consistency", 100 * s.consistency());
        System.out.println(PyJson.dumps(out, -1, false));
        return 0;
    }
}
