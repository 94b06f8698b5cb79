package lxmert.cli;

import lxmert.tasks.RunFolder;
import lxmert.util.Check;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The options that open a task snapshot as a model ({@code --task --data --config --vocab} and the device options):
 * part of {@link TestArgs}, and the options of {@code %lxmert load}. A run folder beside the snapshot fills in the
 * options not given.
 */
public class ModelArgs {
    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Option(names = "--task", description = "vqa, gqa or nlvr2 (default: the run folder's run.json)") public String task;
    @Option(names = "--data", defaultValue = "data", description = "data root (default: the run folder's, else ${DEFAULT-VALUE})") public Path data;
    @Option(names = "--config", description = "lxr955, tiny or JSON (default: a HuggingFace folder's config.json, else config.json beside the snapshot, else lxr955)") public String config;
    @Option(names = "--vocab", description = "vocabulary (default: the run folder's copy, else DATA/bert-base-uncased-vocab.txt, else DATA/synth-vocab.txt)") public Path vocab;
    @Mixin public DeviceOption dev;

    /** The model of {@code snapshot} (its run folder's task, data, config and vocabulary unless given), data checked. */
    public RunFolder.Model model(Path snapshot, Consumer<String> warn) throws Exception {
        RunFolder.Model m = new RunFolder.Chooser(RunFolder.near(snapshot), Runtime.given(spec), warn)
                .model(task, data, config, vocab, "beside " + snapshot);
        Check.directory("--data", m.data(), "data directory");
        return m;
    }
}
