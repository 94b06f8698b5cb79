package lxmert.cli;

import lxmert.tasks.pretrain.PretrainOptions;
import lxmert.tasks.pretrain.Pretrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code pretrain}: LXMERT pretraining as the original's lxmert_pretrain.py (run/lxmert_pretrain.bash defaults). */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrain LXMERT (masked LM, object prediction, matching, QA); writes OUTPUT/log.log, "
                + "EpochNN_LXRT.pth, BEST_EVAL_LOSS_LXRT.pth, LAST_LXRT.pth (+ LAST.resume.pth). Last line: one JSON object.")
public final class PretrainCommand implements Callable<Integer> {
    @Mixin PretrainArgs args;

    @Override
    public Integer call() throws Exception {
        PretrainOptions o = args.resolve();
        return Interruptible.run(stop -> {
            try (var run = Pretrainer.run(o, List.of(new ProgressBar(System.err)), stop)) {
                var r = run.train();
                System.out.println(Pretrainer.summaryJson(r));
                System.out.flush();
                return r.interrupted() ? 130 : 0;
            }
        });
    }
}
