package lxmert.cli;

import lxmert.data.DataOptions;
import lxmert.tasks.RunFolder;
import lxmert.tasks.Tester;
import lxmert.util.Check;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code test}: predict a split with a task snapshot and write the original's prediction file. */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Predict a split with a snapshot; writes OUTPUT/<split>_predict.json (vqa, gqa) or .csv (nlvr2).")
public final class TestCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--task", description = "vqa, gqa or nlvr2 (default: the run folder's run.json)") String task;
    @Option(names = "--data", defaultValue = "data", description = "data root (default: the run folder's, else ${DEFAULT-VALUE})") Path data;
    @Option(names = "--load", required = true, description = "task snapshot (X, X.pth); RUN/BEST of a run folder needs no other option") Path load;
    @Option(names = "--test", required = true, description = "split to predict") String split;
    @Option(names = "--output", required = true) Path output;
    @Option(names = "--batch-size", defaultValue = "1024", converter = Check.PositiveInt.class) int batchSize;
    @Option(names = "--config", description = "lxr955, tiny or JSON (default: config.json beside the snapshot, else lxr955)") String config;
    @Option(names = "--vocab", description = "vocabulary (default: the run folder's copy, else DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt)") Path vocab;
    @Mixin DeviceOption dev;
    @Option(names = "--precision", defaultValue = "fp32", converter = lxmert.util.Precision.Converter.class,
            description = "fp32 or fp16 (fp16 on a GPU only; LayerNorm and softmax stay float32)") lxmert.util.Precision precision;

    @Override
    public Integer call() throws Exception {
        ai.djl.Device d = dev.apply().single("test");
        precision.checkDevice(d);
        String device = lxmert.util.Devices.name(d);
        RunFolder.Chooser ch = new RunFolder.Chooser(RunFolder.near(load), Runtime.given(spec), Runtime.warn("test"));
        RunFolder.Model m = ch.model(task, data, config, vocab, "beside " + load);
        Check.directory("--data", m.data(), "data directory");
        try (Tester tester = m.tester(load, device, precision)) {
            Tester.Result r = tester.test(DataOptions.of(m.data()), split, output, batchSize);
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
