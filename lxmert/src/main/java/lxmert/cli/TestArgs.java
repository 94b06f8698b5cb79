package lxmert.cli;

import ai.djl.Device;
import lxmert.tasks.RunFolder;
import lxmert.util.Check;
import lxmert.util.Precision;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The options of {@code lxmert test} and {@code %lxmert test} (a picocli mixin: {@code @Mixin TestArgs args;});
 * {@link #resolve} checks them and opens the snapshot's model description.
 */
public final class TestArgs extends ModelArgs {
    @Option(names = "--load", required = true, description = "task snapshot (X, X.pth, X.safetensors) or a HuggingFace LxmertForQuestionAnswering folder (config.json + model.safetensors or pytorch_model.bin); RUN/BEST of a run folder needs no other option") public Path load;
    @Option(names = "--test", required = true, description = "split to predict") public String test;
    @Option(names = "--output", required = true, description = "directory for the prediction file") public Path output;
    @Option(names = "--batch-size", defaultValue = "1024", converter = Check.PositiveInt.class,
            description = "examples per batch (default ${DEFAULT-VALUE})") public int batchSize;
    @Option(names = "--precision", defaultValue = "fp32", converter = Precision.Converter.class,
            description = "fp32 or fp16 (fp16 on a GPU only; LayerNorm and softmax stay float32; default ${DEFAULT-VALUE})") public Precision precision;

    /** What {@code test} runs on: the model of {@code --load} and one device. */
    public record Resolved(RunFolder.Model model, String device) {
    }

    /** Checks the options (the device and precision, then the run folder and data directory) before any work. */
    public Resolved resolve(Consumer<String> warn) throws Exception {
        Device d = dev.apply().single("test");
        precision.checkDevice(d);
        return new Resolved(model(load, warn), lxmert.util.Devices.name(d));
    }
}
