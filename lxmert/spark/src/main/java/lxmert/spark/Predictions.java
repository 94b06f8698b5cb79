package lxmert.spark;

import ai.djl.ndarray.NDManager;
import lxmert.tasks.Predictor;
import lxmert.tasks.TaskData;
import lxmert.tasks.Tester;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The partition function of the {@code test} job, a plain {@code Iterator -> Iterator} method (unit-tested without
 * Spark): a partition is a run of whole batches of the single-JVM order ({@code TrainingLoop.batches} of the split with
 * {@code --batch-size}), so every example is predicted in the same batch as {@code lxmert test} predicts it.
 */
public final class Predictions {
    private Predictions() {}

    /**
     * The predictions of one partition: example indices, predicted classes and their probabilities, and which JVM
     * made them (process id, host, and how many models that JVM had loaded when it finished).
     */
    public record Part(int[] indices, int[] labels, float[] probabilities, long pid, String host, int loads) implements Serializable {}

    /** Predicts the batches of one partition with the JVM's model of {@code spec}. */
    public static Iterator<Part> partition(PredictSpec spec, Iterator<int[]> batches) {
        List<int[]> list = new ArrayList<>();
        batches.forEachRemaining(list::add);
        if (list.isEmpty()) return java.util.Collections.emptyIterator();
        Tester tester = ModelHolder.model(spec);
        TaskData data = ModelHolder.data(spec);
        return List.of(predict(tester, data, list.toArray(new int[0][]))).iterator();
    }

    /** Predicts {@code batches} of {@code data} with {@code tester}'s model. */
    static Part predict(Tester tester, TaskData data, int[][] batches) {
        int n = 0;
        for (int[] b : batches) n += b.length;
        int[] idx = new int[n], labels = new int[n];
        float[] probs = new float[n];
        int[] k = {0};
        try (NDManager root = NDManager.newBaseManager(ai.djl.Device.cpu())) {
            Predictor.predict(tester.net(), data, batches, root, (i, label, p) -> {
                idx[k[0]] = i;
                labels[k[0]] = label;
                probs[k[0]] = p;
                k[0]++;
            });
        }
        return new Part(idx, labels, probs, ProcessHandle.current().pid(), host(), ModelHolder.loads());
    }

    /** Splits {@code batches} into at most {@code partitions} contiguous runs of whole batches, sizes differing by at most one batch. */
    public static List<int[][]> split(int[][] batches, int partitions) {
        int p = Math.max(1, Math.min(partitions, batches.length));
        List<int[][]> out = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            int from = (int) ((long) batches.length * i / p), to = (int) ((long) batches.length * (i + 1) / p);
            out.add(Arrays.copyOfRange(batches, from, to));
        }
        return out;
    }

    /** Puts the parts' predictions in example order; every example of {@code size} exactly once, or an error. */
    public static void gather(List<Part> parts, int size, int[] labels, float[] probabilities) {
        boolean[] seen = new boolean[size];
        int n = 0;
        for (Part p : parts) {
            for (int j = 0; j < p.indices().length; j++) {
                int i = p.indices()[j];
                if (i < 0 || i >= size || seen[i]) throw new IllegalStateException("prediction of example " + i + " missing or twice");
                seen[i] = true;
                labels[i] = p.labels()[j];
                probabilities[i] = p.probabilities()[j];
                n++;
            }
        }
        if (n != size) throw new IllegalStateException("predicted " + n + " of " + size + " examples");
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
