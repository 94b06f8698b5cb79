package lxmert.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import lxmert.checkpoint.Checkpoints;
import lxmert.checkpoint.HfFolder;
import lxmert.checkpoint.KeyMaps;
import lxmert.checkpoint.Safetensors;
import lxmert.checkpoint.StateDict;
import lxmert.checkpoint.Tensor;
import lxmert.checkpoint.TorchWriter;
import lxmert.config.LxmertConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lxmert convert --in X --out Y [--layout original|hf|canonical] [--format pth|bin|safetensors] [--config C]}:
 * reads any supported checkpoint (a file: torch legacy or zip, or safetensors; or a HuggingFace folder; original,
 * task-snapshot, canonical or HuggingFace key layout) and writes it in the requested layout. Under {@code original},
 * pretraining checkpoints get the {@code module.}-prefixed pretraining names and task snapshots keep their
 * {@code lxrt_encoder.model.*} + {@code logit_fc.*} names; under {@code hf} a pretraining model is
 * {@code LxmertForPreTraining}, a task model {@code LxmertForQuestionAnswering} ({@code answer_head.logit_fc.*}) and
 * an encoder alone {@code LxmertModel}. {@code --out FILE.pth} (or {@code .bin}) writes a torch zip file as before,
 * {@code --out FILE.safetensors} a safetensors file; with {@code --layout hf} any other {@code --out} is a HuggingFace
 * folder: {@code config.json} and {@code model.safetensors} (default) or {@code pytorch_model.bin}.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a checkpoint (a .pth legacy or zip file, a .safetensors file, or a HuggingFace folder with config.json "
                + "and model.safetensors or pytorch_model.bin; original, task, canonical or HF key layout) to another layout and format.",
                "--out FILE.pth writes a torch zip file (as before), FILE.safetensors a safetensors file; with --layout hf any other "
                        + "--out is a HuggingFace folder (config.json + model.safetensors, or pytorch_model.bin with --format bin) that "
                        + "transformers' from_pretrained loads: LxmertForPreTraining, LxmertForQuestionAnswering (task snapshots, head "
                        + "answer_head.logit_fc.*) or LxmertModel (encoder only). The tied MLM decoder key is always written (in .pth / .bin "
                        + "as one storage with the word embeddings, as torch does)."})
public final class ConvertCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--in", required = true, description = "input: a .pth / .bin / .safetensors file or a HuggingFace folder")
    Path in;

    @Option(names = "--out", required = true,
            description = "output file (.pth/.bin: torch zip; .safetensors) or, with --layout hf, a HuggingFace folder; written atomically")
    Path out;

    @Option(names = "--layout", defaultValue = "original",
            description = "output key layout: original (module.* for pretraining, lxrt_encoder.model.* for task snapshots), "
                    + "hf (lxmert.*; task heads answer_head.logit_fc.*) or canonical (no prefix); default ${DEFAULT-VALUE}")
    String layout;

    @Option(names = "--format", description = "pth (= bin: torch zip) or safetensors; default: by --out's extension, safetensors for a folder")
    String format;

    @Option(names = "--config", description = "config of the weights for a HuggingFace folder's config.json (lxr955, tiny, synth or JSON); "
            + "default: the input folder's config.json or the one beside the input file, else sizes read from the shapes")
    String config;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String l = layout.toLowerCase(Locale.ROOT);
        if (!List.of("original", "hf", "canonical").contains(l)) {
            throw new IllegalArgumentException("--layout: unknown layout '" + layout + "'; expected original, hf or canonical");
        }
        String f = format == null ? null : format.toLowerCase(Locale.ROOT);
        if (f != null && !List.of("pth", "bin", "safetensors").contains(f)) {
            throw new IllegalArgumentException("--format: unknown format '" + format + "'; expected pth, bin or safetensors");
        }
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        boolean fileOut = name.endsWith(".pth") || name.endsWith(".bin") || name.endsWith(".safetensors");
        boolean folder = l.equals("hf") && !fileOut;
        if (!fileOut && !l.equals("hf") && Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a directory: a HuggingFace folder needs --layout hf; "
                    + "other layouts write a file (FILE.pth or FILE.safetensors)");
        }
        boolean safetensors = f != null ? f.equals("safetensors") : folder || name.endsWith(".safetensors");
        if (fileOut && f != null && safetensors != name.endsWith(".safetensors")) {
            throw new IllegalArgumentException("--format " + f + " does not match --out " + out + " (use a ."
                    + (safetensors ? "safetensors" : "pth") + " name, or a folder with --layout hf)");
        }
        java.util.function.Consumer<String> warn = s -> { err.println(s); err.flush(); };
        StateDict sd = Checkpoints.read(in);
        KeyMaps.Layout inLayout = KeyMaps.detect(sd.keySet());
        Map<String, Tensor> canonical = Checkpoints.readCanonical(in, warn);
        String what;
        int keys;
        if (folder) {
            LxmertConfig c = folderConfig(canonical, warn);
            KeyMaps.Layout written = HfFolder.write(out, canonical, c, safetensors);
            keys = Checkpoints.read(out).size();
            what = (safetensors ? "SAFETENSORS" : "ZIP") + " format, layout " + written + " (" + KeyMaps.hfArchitecture(written)
                    + "), HuggingFace folder: " + HfFolder.CONFIG + " + " + (safetensors ? HfFolder.SAFETENSORS : HfFolder.BIN);
        } else {
            KeyMaps.Layout outLayout = switch (l) {
                case "hf" -> KeyMaps.hfLayoutFor(canonical.keySet());
                case "canonical" -> KeyMaps.Layout.CANONICAL;
                default -> KeyMaps.originalLayoutFor(canonical.keySet());
            };
            Map<String, Tensor> converted = KeyMaps.fromCanonical(canonical, outLayout);
            if (safetensors) Safetensors.write(out, converted, Map.of("format", "pt"));
            else TorchWriter.writeZip(out, converted);
            keys = converted.size();
            what = (safetensors ? "SAFETENSORS" : "ZIP") + " format, layout " + outLayout;
        }
        o.printf("read  %s: %d keys, %s format, layout %s%n", in, sd.size(), sd.format(), inLayout);
        o.printf("wrote %s: %d keys, %s%n", out, keys, what);
        o.flush();
        return 0;
    }

    /**
     * The config written to the folder's config.json: {@code --config}, else the input folder's config.json or the
     * one beside the input file, else lxr955's values with every size read from the shapes (and
     * {@code num_attention_heads} = hidden / 64, which shapes cannot tell). A given config must agree with the shapes
     * (the answer count excepted: a task model's head decides it).
     */
    private LxmertConfig folderConfig(Map<String, Tensor> canonical, java.util.function.Consumer<String> warn) throws Exception {
        LxmertConfig base = null;
        String from = null;
        if (config != null) {
            base = LxmertConfig.resolve(config);
            from = "--config " + config;
        } else {
            Path cj = Files.isDirectory(in) ? in.resolve(HfFolder.CONFIG) : in.toAbsolutePath().resolveSibling(HfFolder.CONFIG);
            if (Files.isRegularFile(cj)) {
                base = LxmertConfig.load(cj, warn);
                from = cj.toString();
            }
        }
        List<String> changed = new ArrayList<>();
        if (base == null) {
            LxmertConfig fitted = HfFolder.fit(canonical, LxmertConfig.lxr955().toBuilder().numAttentionHeads(1).build(), changed);
            int heads = fitted.hidden_size() % 64 == 0 ? fitted.hidden_size() / 64 : 1;
            warn.accept("note: no config given (--config) and no " + HfFolder.CONFIG + " beside " + in + ": sizes read from the shapes, "
                    + "num_attention_heads " + heads + " (hidden_size / 64, which shapes cannot tell: give --config to set it)");
            return fitted.toBuilder().numAttentionHeads(heads).build();
        }
        LxmertConfig fitted = HfFolder.fit(canonical, base, changed);
        changed.removeIf(s -> s.startsWith("num_qa_labels "));
        if (!changed.isEmpty()) throw new IllegalArgumentException(from + " does not fit the weights of " + in + ": " + changed);
        return fitted;
    }
}
