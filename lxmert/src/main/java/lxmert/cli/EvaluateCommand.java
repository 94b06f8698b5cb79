package lxmert.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import lxmert.data.PyJson;
import lxmert.eval.VqaOfficialEval;
import lxmert.tasks.FinetuneRecipe;
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
        System.out.println(scoreJson(args, Runtime.warn("evaluate")));
        return 0;
    }

    /** Resolves {@code args} (warnings to {@code warn}), scores the file and returns the one-line JSON this command prints. */
    public static String scoreJson(EvaluateArgs args, java.util.function.Consumer<String> warn) throws Exception {
        EvaluateArgs.Resolved r = args.resolve(warn);
        FinetuneRecipe.Scores s = r.task().recipe().score(r.data(), args.split, args.predictions, args.annotations, r.version());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", 100 * s.accuracy());
        out.put("n", s.n());
        if (!Double.isNaN(s.softAccuracy())) out.put("soft_accuracy", 100 * s.softAccuracy());
        if (!Double.isNaN(s.consistency())) out.put("consistency", 100 * s.consistency());
        return PyJson.dumps(out, -1, false);
    }
}
