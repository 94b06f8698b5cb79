package lxmert.spark;

import lxmert.cli.EvaluateArgs;
import lxmert.data.PyJson;
import lxmert.tasks.FinetuneRecipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lxmert-spark evaluate}: the options and output of {@code lxmert evaluate}, for prediction files written by
 * {@code lxmert-spark test}. Scoring is one pass over the file and the split's labels: it runs on the driver with the
 * library's scorer (the same code as {@code lxmert evaluate}, hence the same numbers), and starts no Spark session.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Score a prediction / submission file (as lxmert evaluate).")
public final class SparkEvaluateCommand implements Callable<Integer> {
    @Mixin EvaluateArgs args;

    @Override
    public Integer call() throws Exception {
        EvaluateArgs.Resolved r = args.resolve(SparkMain.warn("evaluate"));
        FinetuneRecipe.Scores s = r.task().recipe().score(r.data(), args.split, args.predictions, args.annotations, r.version());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accuracy", 100 * s.accuracy());
        out.put("n", s.n());
        if (!Double.isNaN(s.softAccuracy())) out.put("soft_accuracy", 100 * s.softAccuracy());
        if (!Double.isNaN(s.consistency())) out.put("consistency", 100 * s.consistency());
        System.out.println(PyJson.dumps(out, -1, false));
        return 0;
    }
}
