package lxmert.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import lxmert.util.HostReads;
import java.util.Map;

/**
 * Running sums of a step's metrics kept on the device (float64 scalars), so that a training step makes no
 * device-to-host read; {@link #read()} fetches all of them in ONE read, when a log interval or an epoch end
 * needs them. The loss and the named loss means are averaged over batches (optimisation steps: the
 * micro-batches of an update add up to the update's means), example sums over examples.
 */
public final class RunningSums implements AutoCloseable {
    /** The name of the training loss's sum. */
    public static final String LOSS = "loss";

    private final NDManager manager;
    private final Map<String, NDArray> perBatch = new LinkedHashMap<>();
    private final Map<String, NDArray> perExample = new LinkedHashMap<>();
    private long batches;
    private long examples;

    private final HostReads reads;

    public RunningSums(NDManager parent) {
        this(parent, new HostReads());
    }

    /** Sums whose reads are counted by {@code reads} (the trainer's). */
    public RunningSums(NDManager parent, HostReads reads) {
        this.manager = parent.newSubManager();
        this.reads = reads;
    }

    /** Adds one micro-batch's share of its update: loss, loss means, example sums (call with gradients off). */
    void add(Trainer.Scaled o) {
        addTo(perBatch, LOSS, o.loss());
        o.parts().forEach((k, v) -> addTo(perBatch, k, v));
        o.exampleSums().forEach((k, v) -> addTo(perExample, k, v));
    }

    /** Ends one update (a "batch" of the means) of {@code updateExamples} examples. */
    void endBatch(long updateExamples) {
        batches++;
        examples += updateExamples;
    }

    private void addTo(Map<String, NDArray> sums, String name, NDArray v) {
        NDArray s = sums.get(name);
        if (s == null) {
            s = manager.zeros(new Shape(), DataType.FLOAT64);
            sums.put(name, s);
        }
        NDArray x = v.toType(DataType.FLOAT64, false); // belongs to v's (micro-step) manager
        s.addi(x.reshape(new Shape()));
    }

    /** The sums read to the host: one device-to-host transfer of every sum at once. */
    public Values read() {
        return read(new NDArray[0]).values();
    }

    /** The sums and {@code extra} scalars (e.g. the last gradient norm; null entries read as NaN) in one read. */
    public Read read(NDArray... extra) {
        Map<String, Double> b = new LinkedHashMap<>();
        Map<String, Double> e = new LinkedHashMap<>();
        double[] ex = new double[extra.length];
        java.util.Arrays.fill(ex, Double.NaN);
        int n = perBatch.size() + perExample.size();
        int present = 0;
        for (NDArray x : extra) if (x != null) present++;
        if (n + present > 0) {
            try (NDManager tmp = manager.newSubManager()) {
                NDList all = new NDList(n + present);
                perBatch.values().forEach(all::add);
                perExample.values().forEach(all::add);
                for (NDArray x : extra) {
                    if (x == null) continue;
                    NDArray y = x.toType(DataType.FLOAT64, true).reshape(new Shape());
                    y.attach(tmp);
                    all.add(y);
                }
                NDArray stacked = NDArrays.stack(all);
                stacked.attach(tmp);
                double[] h = reads.doubles(stacked); // the one device-to-host read
                int i = 0;
                for (String k : perBatch.keySet()) b.put(k, h[i++]);
                for (String k : perExample.keySet()) e.put(k, h[i++]);
                for (int j = 0; j < extra.length; j++) if (extra[j] != null) ex[j] = h[i++];
            }
        }
        return new Read(new Values(b, e, batches, examples), ex);
    }

    /** The result of {@link #read(NDArray...)}. */
    public record Read(Values values, double[] extra) {}

    /** Restores sums read earlier (resuming in the middle of an epoch). */
    public void set(Values v) {
        reset();
        v.batchSums().forEach((k, x) -> perBatch.put(k, manager.create(x.doubleValue())));
        v.exampleSums().forEach((k, x) -> perExample.put(k, manager.create(x.doubleValue())));
        batches = v.batches();
        examples = v.examples();
    }

    public void reset() {
        perBatch.values().forEach(NDArray::close);
        perExample.values().forEach(NDArray::close);
        perBatch.clear();
        perExample.clear();
        batches = 0;
        examples = 0;
    }

    public long batches() {
        return batches;
    }

    public long examples() {
        return examples;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Host values of the sums; {@link #mean} divides by batches (losses) or examples (example sums). */
    public record Values(Map<String, Double> batchSums, Map<String, Double> exampleSums, long batches, long examples) {
        public static Values empty() {
            return new Values(Map.of(), Map.of(), 0, 0);
        }

        public double mean(String name) {
            Double s = batchSums.get(name);
            if (s != null) return batches == 0 ? Double.NaN : s / batches;
            s = exampleSums.get(name);
            if (s != null) return examples == 0 ? Double.NaN : s / examples;
            return Double.NaN;
        }

        /** The loss mean and every loss part's mean, in insertion order ("loss" first). */
        public Map<String, Double> lossMeans() {
            Map<String, Double> out = new LinkedHashMap<>();
            batchSums.keySet().forEach(k -> out.put(k, mean(k)));
            return out;
        }

        /** The change since {@code earlier} (same epoch): the means over a log interval. */
        public Values since(Values earlier) {
            Map<String, Double> b = new LinkedHashMap<>();
            Map<String, Double> e = new LinkedHashMap<>();
            batchSums.forEach((k, x) -> b.put(k, x - earlier.batchSums.getOrDefault(k, 0.0)));
            exampleSums.forEach((k, x) -> e.put(k, x - earlier.exampleSums.getOrDefault(k, 0.0)));
            return new Values(b, e, batches - earlier.batches, examples - earlier.examples);
        }
    }
}
