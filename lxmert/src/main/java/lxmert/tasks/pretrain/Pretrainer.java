package lxmert.tasks.pretrain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import lxmert.config.LxmertConfig;
import lxmert.model.LxmertPretraining;
import lxmert.train.Run;
import lxmert.train.StopSignal;
import lxmert.train.TrainingListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Pretrains LXMERT as the original's {@code lxmert_pretrain.py}: the four tasks on the packed corpus
 * ({@link PretrainCorpus}, {@link PretrainBatcher}), the six losses ({@link PretrainTask}), BertAdam with warm-up 0.05
 * over batches_per_epoch x epochs, clip 1.0: the pretraining {@link PretrainRecipe} on the one {@link Run} (checks,
 * devices, the run folder with {@code run.json}, trainer and loop: seeded order, {@code --accumulate}, stop signal,
 * resume; {@code log.log}). After every epoch, as the original prints them (and appended to
 * {@code OUTPUT/log.log}): the training loss and the six per-task losses (means over the epoch's batches), the
 * train QA accuracy, then the same over the valid split and its QA accuracy ({@link PretrainQaEval}); then
 * {@code BEST_EVAL_LOSS_LXRT.pth} when the valid loss improves and {@code EpochNN_LXRT.pth}
 * ({@link PretrainCheckpoint}: the released layout, atomic), plus {@code LAST_LXRT.pth} and {@code LAST.resume.pth}.
 *
 * <p>The valid losses mean what the original's mean ({@link PretrainRecipe#evaluate}). Differences from the original, on purpose:
 * the train QA accuracy is printed overall only, and the summary works on one device (the original's needs
 * {@code --multiGPU}). Several devices ({@code --device gpu0,gpu1},
 * {@code cpu,cpu}) train data parallel on the one trainer ({@link PretrainTask} splits each micro-batch); evaluation and
 * snapshots use the first device's model.
 */
public final class Pretrainer implements AutoCloseable {
    /** The task name of a pretraining run (run.json, resume identity). */
    public static final String TASK = "pretrain";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Run<PretrainTask.Host, PretrainTask.OnDevice, EpochRecord> run;
    private final PretrainRecipe recipe;

    /** One epoch's numbers: losses are {total, Mask_LM, Matched, Obj, Attr, Feat, QA}; accuracies in [0, 1]. */
    public record EpochRecord(int epoch, @JsonProperty("train") double[] trainLosses, @JsonProperty("valid") double[] validLosses,
                              @JsonProperty("train_qa") double trainQa, @JsonProperty("valid_qa") double validQa, double seconds) {
        public double trainLoss() { return trainLosses[0]; }
        public double validLoss() { return validLosses == null ? Double.NaN : validLosses[0]; }
    }

    /** The outcome of a run. */
    public record Result(List<EpochRecord> history, boolean interrupted, double trainSeconds, double examplesPerSec,
                         double bestValidLoss, Path output) {
        public EpochRecord last() { return history.isEmpty() ? null : history.get(history.size() - 1); }

        /** The CLI's last line: the last epoch's train and valid loss, its valid losses, QA accuracy (percent). */
        public String summaryJson() {
            EpochRecord l = last();
            ObjectNode o = JSON.createObjectNode();
            o.put("epochs", history.size());
            putNum(o, "train_loss", l == null ? Double.NaN : l.trainLoss());
            putNum(o, "valid_loss", l == null ? Double.NaN : l.validLoss());
            ObjectNode ls = o.putObject("losses");
            for (int i = 0; i < LxmertPretraining.LOSS_NAMES.length; i++) {
                putNum(ls, LxmertPretraining.LOSS_NAMES[i], l == null || l.validLosses() == null ? Double.NaN : l.validLosses()[i + 1]);
            }
            putNum(o, "qa_accuracy", l == null ? Double.NaN : l.validQa() * 100);
            o.put("train_seconds", Math.round(trainSeconds * 1000) / 1000.0);
            o.put("examples_per_sec", Math.round(examplesPerSec * 1000) / 1000.0);
            return o.toString().replace(",\"", ", \"").replace("\":", "\": ");
        }

        private static void putNum(ObjectNode o, String k, double v) {
            if (Double.isFinite(v)) o.put(k, v); else o.putNull(k);
        }
    }

    /** Checks the options, loads the corpora and builds the model with its initial weights. */
    public Pretrainer(PretrainOptions opt, List<TrainingListener> listeners, StopSignal stop) throws IOException {
        this.run = new Run<>(PretrainRecipe.settings(opt), () -> new PretrainRecipe(opt), listeners, stop);
        this.recipe = (PretrainRecipe) run.recipe();
    }

    public LxmertPretraining model() { return recipe.model(); }

    public LxmertConfig config() { return recipe.config(); }

    public PretrainCorpus trainCorpus() { return recipe.trainCorpus(); }

    PretrainRecipe recipe() { return recipe; }

    /** Trains; returns when done or interrupted (LAST saved). */
    public Result train() throws IOException {
        Run.Result<EpochRecord> r = run.train();
        return new Result(r.history(), r.interrupted(), r.trainSeconds(), r.examplesPerSec(), r.best(), r.output());
    }

    @Override
    public void close() {
        run.close();
    }
}
