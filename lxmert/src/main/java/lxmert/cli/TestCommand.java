package lxmert.cli;

import lxmert.config.LxmertConfig;
import lxmert.data.DataOptions;
import lxmert.tasks.Task;
import lxmert.tasks.Tester;
import lxmert.util.Check;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code test}: predict a split with a task snapshot and write the original's prediction file. */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Predict a split with a snapshot; writes OUTPUT/<split>_predict.json (vqa, gqa) or .csv (nlvr2).")
public final class TestCommand implements Callable<Integer> {
    @Option(names = "--task", required = true) String task;
    @Option(names = "--data", defaultValue = "data") Path data;
    @Option(names = "--load", required = true, description = "task snapshot (X, X.pth)") Path load;
    @Option(names = "--test", required = true, description = "split to predict") String split;
    @Option(names = "--output", required = true) Path output;
    @Option(names = "--batch-size", defaultValue = "1024", converter = Check.PositiveInt.class) int batchSize;
    @Option(names = "--config", description = "lxr955, tiny or JSON (default: config.json beside the snapshot, else lxr955)") String config;
    @Option(names = "--vocab", description = "vocabulary (default DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt)") Path vocab;
    @Mixin DeviceOption dev;
    @Option(names = "--precision", defaultValue = "fp32", converter = lxmert.util.Precision.Converter.class,
            description = "fp32 or fp16 (fp16 on a GPU only; LayerNorm and softmax stay float32)") lxmert.util.Precision precision;

    @Override
    public Integer call() throws Exception {
        Check.directory("--data", data, "data directory");
        ai.djl.Device d = dev.apply().single("test");
        precision.checkDevice(d);
        String device = lxmert.util.Devices.name(d);
        Task t = Task.parse(task);
        LxmertConfig c = config == null ? null : LxmertConfig.resolve(config);
        Path v = FinetuneCommand.defaultVocab(vocab, data);
        try (Tester tester = new Tester(t, load, c, Tester.numAnswers(t, data), v, device, precision)) {
            Tester.Result r = tester.test(DataOptions.of(data), split, output, batchSize);
            System.err.println("wrote " + r.file() + " (" + r.n() + " predictions)");
            if (Double.isNaN(r.accuracy())) {
                System.out.printf(Locale.ROOT, "{\"accuracy\": null, \"n\": %d}%n", r.n());
            } else {
                System.out.printf(Locale.ROOT, "{\"accuracy\": %s, \"n\": %d}%n", Double.toString(r.accuracy() * 100), r.n());
            }
        }
        return 0;
    }
}
