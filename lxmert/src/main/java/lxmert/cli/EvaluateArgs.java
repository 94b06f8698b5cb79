package lxmert.cli;

import lxmert.eval.VqaOfficialEval;
import lxmert.tasks.RunFolder;
import lxmert.tasks.Task;
import lxmert.util.Check;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The options of {@code lxmert evaluate} and {@code %lxmert evaluate} (a picocli mixin: {@code @Mixin EvaluateArgs
 * args;}); {@link #resolve} checks them.
 */
public final class EvaluateArgs {
    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Option(names = "--task", description = "vqa, gqa or nlvr2 (default: the --run folder's)") public String task;
    @Option(names = "--data", defaultValue = "data", description = "data root (default: the --run folder's, else ${DEFAULT-VALUE})") public Path data;
    @Option(names = "--run", description = "a fine-tuning run folder (its run.json gives --task and --data)") public Path run;
    @Option(names = "--split", required = true, description = "split(s), comma-separated, e.g. minival") public String split;
    @Option(names = "--predictions", required = true, description = "VQA/GQA json or NLVR2 csv") public Path predictions;
    @Option(names = "--annotations", description = "official VQA annotation file (mscoco_val2014_annotations.json)") public Path annotations;
    @Option(names = "--vqa-eval-version", defaultValue = "2021-03-11", description = "with --annotations: 2021-03-11 (the current vqaEval.py, default) or 2017 (the script before its 2021-03-11 fix)") public String vqaEvalVersion;

    /** The task, data root (from {@code --run} unless given) and official-evaluation version to score with. */
    public record Resolved(Task task, Path data, VqaOfficialEval.Version version) {
    }

    /** Checks the options (evaluation version, task, data directory; the task's score first refuses --annotations but for VQA). */
    public Resolved resolve(Consumer<String> warn) throws Exception {
        VqaOfficialEval.Version version = VqaOfficialEval.Version.parse(vqaEvalVersion);
        RunFolder.Chooser ch = new RunFolder.Chooser(run == null ? null : RunFolder.open(run), Runtime.given(spec), warn);
        Task t = ch.task(task, "given with --run");
        Path d = ch.data(data);
        Check.directory("--data", d, "data directory");
        return new Resolved(t, d, version);
    }
}
