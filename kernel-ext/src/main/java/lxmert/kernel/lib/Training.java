package lxmert.kernel.lib;

import lxmert.kernel.Interrupts;
import lxmert.kernel.progress.TrainingProgress;
import lxmert.tasks.FinetuneOptions;
import lxmert.tasks.Finetuner;
import lxmert.train.StopSignal;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs the library's {@link Finetuner} from a notebook cell: progress to a {@link TrainingProgress}, interrupts
 * to the trainer's {@link StopSignal}. No training logic here, only the notebook plumbing.
 *
 * <p>The trainer runs on its own thread while the cell's thread waits. A kernel interrupt interrupts the cell's
 * thread; that must not reach the trainer (an interrupted wait for the next batch would abort the run without
 * saving), so the waiting thread turns it into a stop request and keeps waiting until the trainer has saved LAST
 * and returned. A hard stop (second interrupt) also requests the stop before the cell gives up waiting.
 */
public final class Training {
    private Training() {
    }

    /** Fine-tunes with {@code options}; {@code progress}, {@code interrupts} and {@code messages} may be null. */
    public static TrainingRun finetune(FinetuneOptions options, TrainingProgress progress, Interrupts interrupts,
                                       PrintStream messages) throws Exception {
        StopSignal stop = new StopSignal();
        ProgressListener listener = new ProgressListener(progress, interrupts, stop, messages);
        Finetuner.Result r = onWorker("lxmert-finetune", stop, () -> {
            try (Finetuner f = new Finetuner(options, List.of(listener), stop)) {
                return f.train();
            }
        });
        return new TrainingRun(options, r);
    }

    /** Pretrains with {@code options}, as {@link #finetune}: the trainer on its own thread, interrupts become a stop. */
    public static PretrainRun pretrain(lxmert.tasks.pretrain.PretrainOptions options, TrainingProgress progress, Interrupts interrupts,
                                       PrintStream messages) throws Exception {
        StopSignal stop = new StopSignal();
        ProgressListener listener = new ProgressListener(progress, interrupts, stop, messages);
        var r = onWorker("lxmert-pretrain", stop, () -> {
            try (var run = lxmert.tasks.pretrain.Pretrainer.run(options, List.of(listener), stop)) {
                return run.train();
            }
        });
        return new PretrainRun(options, r);
    }

    /** A training run's body; it polls the stop signal through its trainer. */
    private interface Body<R> {
        R run() throws Exception;
    }

    /**
     * Runs {@code body} on its own thread named {@code name} and waits for it; an interrupt of the waiting (cell)
     * thread becomes a stop request and the wait goes on until the trainer has saved LAST and returned.
     */
    private static <R> R onWorker(String name, StopSignal stop, Body<R> body) throws Exception {
        CompletableFuture<R> future = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                future.complete(body.run());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }, name);
        worker.start();
        boolean done = false;
        try {
            while (true) {
                try {
                    R r = future.get();
                    done = true;
                    return r;
                } catch (InterruptedException e) {
                    stop.request();
                } catch (ExecutionException e) {
                    done = true;
                    Throwable c = e.getCause();
                    if (c instanceof Exception x) throw x;
                    if (c instanceof Error x) throw x;
                    throw e;
                }
            }
        } finally {
            if (!done) stop.request();
        }
    }
}
