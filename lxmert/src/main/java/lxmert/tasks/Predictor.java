package lxmert.tasks;

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

    /** Predictions of one split: per example index the predicted class, and the accuracy if labelled. */
    public record Predictions(TaskData data, int[] labels, double accuracy) {}

    /** Predicts every example of {@code data} with {@code net} in batches of {@code batchSize}. */
    public static Predictions predict(TaskNet net, TaskData data, int batchSize, NDManager root) {
        boolean wasTraining = net.module().isTraining();
        net.module().setTraining(false);
        int[] labels = new int[data.size()];
        double s = 0;
        try (AutoCloseable ng = Grad.noGrad(); Prefetcher<HostBatch> pre = new Prefetcher<>(idx -> data.fill(data.allocate(idx.length), idx))) {
            int[][] order = TrainingLoop.batches(data.size(), batchSize, false, false, 0);
            pre.start(order, 0);
            for (int b = 0; b < order.length; b++) {
                HostBatch hb = pre.next();
                try (NDManager m = root.newSubManager()) {
                    long[] am = net.forward(TaskNet.inputs(m, hb), null).argMax(1).toLongArray();
                    for (int r = 0; r < hb.examples; r++) {
                        labels[hb.indices[r]] = (int) am[r];
                        s += data.score(hb.indices[r], (int) am[r]);
                    }
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            net.module().setTraining(wasTraining);
        }
        return new Predictions(data, labels, TaskData.accuracy(data, labels)); // over the labelled examples only
    }
}
