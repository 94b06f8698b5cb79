package lxmert.spark;

import lxmert.cli.EvaluateArgs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
        System.out.println(lxmert.cli.EvaluateCommand.scoreJson(args, SparkMain.warn("evaluate")));
        return 0;
    }
}
