package lxmert.tasks;

import com.fasterxml.jackson.annotation.JsonProperty;
import lxmert.train.Run;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Fine-tunes LXMERT on VQA, GQA or NLVR2 as the original's {@code vqa.py}/{@code gqa.py}/{@code nlvr2.py} do: the
 * task's {@link FinetuneRecipe} ({@link FinetuneRecipe.Training}: data, head, step, epoch end) on the one
 * {@link Run} (checks, devices, run folder, trainer and loop, resume state, {@code log.log}). Runs are deterministic
 * per seed and resumable: an interrupted and resumed run ends with the same weights as an uninterrupted one.
 */
public final class Finetuner implements AutoCloseable {
    private final FinetuneRecipe.Training recipe;
    private final Run<HostBatch, FinetuneTask.Batch, EpochRecord> run;

    /** The outcome of a run; accuracies in [0, 1]. */
    public record Result(double bestValid, int epochs, double trainSeconds, double examplesPerSec,
                         List<EpochRecord> history, boolean interrupted, Path output, double dataWaitFraction) {
        /** The one-line JSON summary the CLI prints last. */
        public String summaryJson() {
            return String.format(Locale.ROOT, "{\"best_valid\": %s, \"epochs\": %d, \"train_seconds\": %.3f, \"examples_per_sec\": %.3f}",
                    Double.isNaN(bestValid) ? "null" : Double.toString(bestValid * 100), epochs, trainSeconds, examplesPerSec);
        }
    }

    /** One epoch's metrics (accuracies in [0, 1]); the JSON names are those of the resume state. */
    public record EpochRecord(int epoch, @JsonProperty("train") double trainAccuracy, @JsonProperty("valid") double validAccuracy,
                              @JsonProperty("best") double bestValid, @JsonProperty("loss") double meanLoss, double seconds) {}

    public Finetuner(FinetuneOptions opt, List<TrainingListener> listeners, StopSignal stop) throws IOException {
        this.run = new Run<>(FinetuneRecipe.Training.settings(opt), () -> new FinetuneRecipe.Training(opt), listeners, stop);
        this.recipe = (FinetuneRecipe.Training) run.recipe();
    }

    public TaskNet net() {
        return recipe.net();
    }

    public TaskData trainData() {
        return recipe.trainData();
    }

    /** Trains; returns when done or interrupted (LAST saved); a non-finite loss throws {@link lxmert.train.NonFiniteLossException}. */
    public Result train() throws IOException {
        Run.Result<EpochRecord> r = run.train();
        return new Result(r.best(), r.history().size(), r.trainSeconds(), r.examplesPerSec(), r.history(), r.interrupted(),
                r.output(), r.dataWaitFraction());
    }

    @Override
    public void close() {
        run.close();
    }
}
