package lxmert.cli;

import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.Finetuner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code finetune}: VQA / GQA / NLVR2 fine-tuning as the original's run scripts. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune LXMERT on vqa, gqa or nlvr2; writes OUTPUT/log.log, BEST.pth, LAST.pth (+ LAST.resume.pth).")
public final class FinetuneCommand implements Callable<Integer> {
    @Mixin FinetuneArgs args;

    @Override
    public Integer call() throws Exception {
        FinetuneOptions o = args.resolve(Runtime.warn("finetune"));
        return Interruptible.run(stop -> {
            try (Finetuner f = new Finetuner(o, List.of(new ProgressBar(System.err)), stop)) {
                Finetuner.Result r = f.train();
                System.out.println(r.summaryJson());
                System.out.flush();
                return r.interrupted() ? 130 : 0;
            }
        });
    }
}
