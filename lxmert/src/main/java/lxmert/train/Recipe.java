package lxmert.train;

import ai.djl.ndarray.NDManager;
import lxmert.config.LxmertConfig;
import lxmert.model.Module;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * What one training task brings to a {@link Run}: its data (loaded when the recipe is made), its model and
 * {@link TrainTask}, its epoch end (evaluation -> a metrics record with its log lines) and how BEST is chosen.
 * Everything else (option checks, devices, the run folder, trainer and loop wiring, resume state, {@code log.log})
 * is the run's, written once for every task.
 *
 * @param <H> the host batch
 * @param <D> the batch on a device
 * @param <E> one epoch's metrics: a record kept in the run's history and, serialised by Jackson, in the resume state
 */
public interface Recipe<H, D, E> extends AutoCloseable {

    /** One epoch's end: its metrics, its lines of {@code log.log} (exactly as the original's) and the listeners' event. */
    record Outcome<E>(E metrics, String log, TrainingListener.EpochEvent event) {}

    /**
     * How BEST is chosen: the snapshot's name, whether a lower valid value is better, and the value before the
     * first epoch (NaN: the first evaluation is always the best).
     */
    record Objective(String snapshot, boolean lowest, double initial) {
        public boolean improves(double value, double best) {
            return lowest ? value < best : Double.isNaN(best) || value > best;
        }
    }

    /** The training data's name in errors (e.g. {@code training split 'train'}), size and feature dimension; valid examples. */
    record Data(String name, int size, int featDim, int validSize) {}

    /**
     * The model built on the first device: its module (every parameter trained), its training step, and the step's example sum shown as the running train accuracy (null: none).
     */
    record Model<H, D>(Module module, TrainTask<H, D> task, String accuracyName) {}

    /** The data loaded when the recipe was made. */
    Data data();

    /** The model's config (written to {@code config.json}); may differ from the options' (e.g. answers from the data). */
    LxmertConfig config();

    /** The answer table of the head (copied into the run folder); null for none. */
    List<String> answers();

    /** Builds the model in {@code root} and loads its initial weights; {@code message} reports what was loaded. */
    Model<H, D> build(NDManager root, Consumer<String> message) throws IOException;

    /** Fills the host batch of a micro-batch (on the prefetch thread). */
    TrainingLoop.EpochLoader<H> loader();

    Objective objective();

    /** Writes the model snapshot {@code name} in the task's layout into {@code dir}. */
    void saveModel(Path dir, String name) throws IOException;

    /**
     * The epoch's metrics from its training sums and an evaluation of the valid data; the recipe offers the valid
     * value to {@code best}, which saves BEST when it improves.
     */
    Outcome<E> epochEnd(TrainingLoop.EpochEnd e, Run.Best best) throws IOException;

    /** The metrics record's class (to read the history back from the resume state). */
    Class<E> epochType();

    /** Closes the data (the model lives in the run's manager). */
    @Override
    void close();
}
