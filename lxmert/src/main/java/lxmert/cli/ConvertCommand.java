package lxmert.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.StateDict;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchReader;
import lxmert.checkpoint.TorchWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lxmert convert --in A.pth --out B.pth [--layout original|hf|canonical]}: reads any supported checkpoint
 * (legacy or zip container; original, task-snapshot, canonical or HuggingFace key layout) and writes it in the torch
 * zip format in the requested layout. Under {@code original}, pretraining checkpoints get the {@code module.}-prefixed
 * pretraining names and task snapshots keep their {@code lxrt_encoder.model.*} + {@code logit_fc.*} names.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a .pth checkpoint (legacy or zip; original, task, canonical or HF layout) to a zip .pth in another layout.")
public final class ConvertCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--in", required = true, description = "input .pth file")
    Path in;

    @Option(names = "--out", required = true, description = "output .pth file (written atomically)")
    Path out;

    @Option(names = "--layout", defaultValue = "original",
            description = "output key layout: original (module.* for pretraining, lxrt_encoder.model.* for task snapshots), "
                    + "hf (lxmert.*) or canonical (no prefix); default ${DEFAULT-VALUE}")
    String layout;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        String l = layout.toLowerCase(Locale.ROOT);
        if (!java.util.List.of("original", "hf", "canonical").contains(l)) {
            throw new IllegalArgumentException("--layout: unknown layout '" + layout + "'; expected original, hf or canonical");
        }
        StateDict sd = TorchReader.read(in);
        KeyMaps.Layout inLayout = KeyMaps.detect(sd.keySet());
        Map<String, Tensor> canonical = KeyMaps.toCanonical(sd);
        KeyMaps.Layout outLayout = switch (l) {
            case "hf" -> KeyMaps.Layout.HF;
            case "canonical" -> KeyMaps.Layout.CANONICAL;
            default -> KeyMaps.originalLayoutFor(canonical.keySet());
        };
        Map<String, Tensor> converted = KeyMaps.fromCanonical(canonical, outLayout);
        TorchWriter.writeZip(out, converted);
        o.printf("read  %s: %d keys, %s format, layout %s%n", in, sd.size(), sd.format(), inLayout);
        o.printf("wrote %s: %d keys, ZIP format, layout %s%n", out, converted.size(), outLayout);
        o.flush();
        return 0;
    }
}
