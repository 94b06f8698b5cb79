package lxmert.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import lxmert.train.Grad;
import lxmert.train.Prefetcher;
import lxmert.train.TrainingLoop;

/**
 * Predicts every example of a split with a task model, in eval mode without gradients: the evaluation after
 * each fine-tuning epoch and the {@code test} command both use it.
 */
public final class Predictor {
    private Predictor() {}

    /**
     * Predictions of one split: per example index the predicted class and the probability the model gave it
     * ({@link TaskNet#probabilities}), and the accuracy if labelled.
     */
    public record Predictions(TaskData data, int[] labels, float[] probabilities, double accuracy) {}

    /** Predicts every example of {@code data} with {@code net} in batches of {@code batchSize}. */
    public static Predictions predict(TaskNet net, TaskData data, int batchSize, NDManager root) {
        int[] labels = new int[data.size()];
        float[] probabilities = new float[data.size()];
        predict(net, data, TrainingLoop.batches(data.size(), batchSize, false, false, 0), root, (i, label, p) -> {
            labels[i] = label;
            probabilities[i] = p;
        });
        return new Predictions(data, labels, probabilities, TaskData.accuracy(data, labels)); // over the labelled examples only
    }

    /** Where {@link #predict(TaskNet, TaskData, int[][], NDManager, Sink)} puts each example's prediction. */
    @FunctionalInterface
    public interface Sink {
        void accept(int index, int label, float probability);
    }

    /**
     * Predicts the examples of {@code batches} (example indices of {@code data}, one array per batch, as
     * {@link TrainingLoop#batches} makes them) in eval mode without gradients; every batch's arrays are closed.
     * {@link #predict(TaskNet, TaskData, int, NDManager)} runs it over every batch of a split; a Spark partition over
     * its share of the same batches.
     */
    public static void predict(TaskNet net, TaskData data, int[][] batches, NDManager root, Sink sink) {
        boolean wasTraining = net.module().isTraining();
        net.module().setTraining(false);
        try (AutoCloseable ng = Grad.noGrad(); Prefetcher<HostBatch> pre = new Prefetcher<>(idx -> data.fill(data.allocate(idx.length), idx))) {
            pre.start(batches, 0);
            lxmert.util.ThreadGovernor threads = lxmert.util.EngineThreads.governor(java.util.List.of(root.getDevice()));
            for (int b = 0; b < batches.length; b++) {
                HostBatch hb = pre.next();
                try (NDManager m = root.newSubManager()) {
                    NDArray logits = net.forward(TaskNet.inputs(m, hb), null);
                    // the class of the largest logit, as the original (not of the largest probability: a saturated
                    // sigmoid can tie classes whose logits differ)
                    NDArray best = logits.argMax(1);
                    long[] am = best.toLongArray();
                    float[] pr = net.probabilities(logits).gather(best.expandDims(1), 1).toFloatArray();
                    for (int r = 0; r < hb.examples; r++) sink.accept(hb.indices[r], (int) am[r], pr[r]);
                }
                threads.afterStep();
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            net.module().setTraining(wasTraining);
        }
    }
}
