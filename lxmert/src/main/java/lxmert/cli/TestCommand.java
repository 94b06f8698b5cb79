package lxmert.cli;

import lxmert.data.DataOptions;
import lxmert.tasks.Tester;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code test}: predict a split with a task snapshot and write the original's prediction file. */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Predict a split with a snapshot; writes OUTPUT/<split>_predict.json (vqa, gqa) or .csv (nlvr2).")
public final class TestCommand implements Callable<Integer> {
    @Mixin TestArgs args;

    @Override
    public Integer call() throws Exception {
        TestArgs.Resolved t = args.resolve(Runtime.warn("test"));
        try (Tester tester = t.model().tester(args.load, t.device(), args.precision)) {
            Tester.Result r = tester.test(DataOptions.of(t.model().data()), args.test, args.output, args.batchSize);
            for (String line : r.dataSummary()) System.err.println(line);
            System.err.println("wrote " + r.file() + " (" + r.n() + " predictions)");
            // "labelled" appears when only some examples carry labels: the accuracy is over those
            String labelled = r.labelled() > 0 && r.labelled() < r.n() ? ", \"labelled\": " + r.labelled() : "";
            if (Double.isNaN(r.accuracy())) {
                System.out.printf(Locale.ROOT, "{\"accuracy\": null, \"n\": %d}%n", r.n());
            } else {
                System.out.printf(Locale.ROOT, "{\"accuracy\": %s, \"n\": %d%s}%n", Double.toString(r.accuracy() * 100), r.n(), labelled);
            }
        }
        return 0;
    }
}
