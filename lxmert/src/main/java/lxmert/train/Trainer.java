package lxmert.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import lxmert.model.Module;
import lxmert.model.Ops;
import lxmert.util.HostReads;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * THE training step, used by fine-tuning, pretraining, {@code verify-reference} and {@code bench model}: a task
 * ({@link TrainTask}) gives the forward pass, its losses as sums and the host-side counts they are means over; the
 * trainer owns the division by the update's totals, backward, gradient accumulation, global-norm clipping, the
 * parameters' optimiser (BertAdam with the warm-up schedule) and zeroing.
 *
 * <p>One optimisation step is {@link #step(List)} with the host batches of the whole update (one, or N for
 * {@code --accumulate N}): the trainer adds their counts ({@link TrainTask#counts}), then runs each micro-batch
 * forward and backward with its loss sums divided by the update's totals (the {@code num_items_in_batch}
 * approach: the micro-batches' losses add up to the means of the one large batch, for any loss, with no scaling by
 * the task), then clips and updates. A zero total makes its loss contribute 0. Gradients of one micro-batch on one
 * replica are computed in one place ({@link #computeGradients}).
 *
 * <p>Data parallel: built with several devices ({@code --device gpu0,gpu1}, or {@code cpu,cpu} to test on the
 * CPU), the trainer keeps one replica of the model per device (the first is the master, the model given here;
 * the others come from {@link TrainTask#replicate}); every micro-batch is split into shards of examples, one per
 * replica, each copied from the host to its device and run forward and backward there with its sums divided by the
 * same update totals ({@link DataParallel}); the replicas' gradients are then summed onto the master, which gets one
 * clipping and one BertAdam step; the master's parameters are broadcast to the replicas before the next update's
 * forward. The metrics (the shards' losses added) are on the master.
 *
 * <p>No device-to-host read happens in a step: the loss, the per-loss means and the task's example sums are
 * added into device {@link RunningSums}, and the gradient norm stays on the device ({@link #lastGradNorm()});
 * a caller reads them when it needs them (a log interval, an epoch end).
 *
 * <p>Dropout is seeded per micro-step from (seed, step, micro-batch), so a run is reproducible and a resumed
 * run continues bit-exactly from the optimiser state and the step count alone.
 */
public final class Trainer<B, D> implements AutoCloseable {

    /**
     * @param lr       peak learning rate
     * @param warmup   warm-up fraction of {@code tTotal} (0.1 tasks, 0.05 pretraining)
     * @param tTotal   optimisation steps of the schedule, or -1 for a constant lr
     * @param clipNorm global gradient-norm clip (5.0 tasks, 1.0 pretraining); 0 or less = no clipping
     * @param seed     seeds dropout per micro-step; {@code null} leaves the engine's RNG alone
     */
    public record Options(double lr, double warmup, long tTotal, double clipNorm, Long seed) {
        public Options withSeed(Long s) {
            return new Options(lr, warmup, tTotal, clipNorm, s);
        }
    }

    /**
     * One micro-batch's (or shard's) results divided by its update's totals, on the device: the loss (the sum of the
     * task's loss means), each loss's mean by name (only when the task has several), the example sums as they are.
     */
    record Scaled(NDArray loss, Map<String, NDArray> parts, Map<String, NDArray> exampleSums) {}

    private final NDManager root;
    private final Module model;
    private final TrainTask<B, D> task;
    private final Options options;
    private final Map<String, NDArray> params;
    private final BertAdam optim;
    private final RunningSums sums;
    private final HostReads reads = new HostReads();
    /** The replicas when training on several devices, else null. */
    private final DataParallel<B, D> parallel;
    private final List<Device> devices;
    /** Intra-op threads that follow the CPUs this process gets ({@code --threads auto} on one CPU device). */
    private final lxmert.util.ThreadGovernor threads;
    /** Holds the last update's loss and gradient norm; replaced when the next update starts. */
    private NDManager updateManager;
    private NDArray updateLoss;
    private NDArray lastNorm;
    private long updateExamples;
    private Consumer<Map<String, NDArray>> gradientObserver;

    /**
     * @param root  the device manager the model lives in (step arrays are created in sub-managers of it)
     * @param model the model whose every parameter is trained
     */
    public Trainer(NDManager root, Module model, TrainTask<B, D> task, Options options) {
        this(root, model, task, options, List.of(root.getDevice()));
    }

    /**
     * A trainer over one replica of the model per device of {@code devices} (data parallel when there are several;
     * entries may repeat, e.g. cpu,cpu). The first device must be {@code root}'s, where {@code model} lives: it
     * holds the master parameters and the optimiser state; the task builds the other replicas
     * ({@link TrainTask#replicate}), which the trainer owns and closes.
     */
    public Trainer(NDManager root, Module model, TrainTask<B, D> task, Options options, List<Device> devices) {
        if (devices == null || devices.isEmpty()) throw new IllegalArgumentException("the trainer needs at least one device");
        if (!devices.get(0).equals(root.getDevice())) {
            throw new IllegalArgumentException("the first device " + devices.get(0) + " must be the model's device " + root.getDevice());
        }
        this.devices = List.copyOf(devices);
        this.root = root;
        this.model = model;
        this.task = task;
        this.options = options;
        this.params = model.namedParameters();
        // the replicas first: a task that cannot replicate fails before anything else is allocated
        this.parallel = devices.size() > 1 ? new DataParallel<>(root, model, task, devices) : null;
        model.setRequiresGradient(true);
        this.optim = new BertAdam(params, options.lr(), options.warmup(), options.tTotal());
        this.sums = new RunningSums(root, reads);
        this.threads = lxmert.util.EngineThreads.governor(this.devices);
    }

    /** The devices of the replicas, the master's first. */
    public List<Device> devices() {
        return devices;
    }

    /** The models of the replicas, the master first (one entry without data parallel). */
    public List<Module> replicas() {
        return parallel == null ? List.of(model) : parallel.models();
    }

    /** Counts the device-to-host reads of the metrics ({@link #sums()}): none in a step, one per log interval. */
    public HostReads hostReads() {
        return reads;
    }

    public Options options() {
        return options;
    }

    public Map<String, NDArray> parameters() {
        return params;
    }

    public BertAdam optimizer() {
        return optim;
    }

    /** Device running sums of the loss, loss means and example sums of every update since the last reset. */
    public RunningSums sums() {
        return sums;
    }

    /** Completed optimisation steps. */
    public long step() {
        return optim.stepCount();
    }

    /**
     * One optimisation step over the host batches of a whole update (its micro-batches, in order): their counts
     * added, then forward, loss sums divided by the update's totals and backward of each (gradients accumulate),
     * then clipping, BertAdam and zeroing. No host read. On an exception the accumulated gradients are dropped.
     */
    public void step(List<B> microBatches) {
        if (microBatches.isEmpty()) throw new IllegalArgumentException("an update needs at least one micro-batch");
        Map<String, Long> totals = new LinkedHashMap<>();
        for (B b : microBatches) task.counts(b).forEach((k, v) -> totals.merge(k, v, Long::sum));
        startUpdate();
        try {
            for (int i = 0; i < microBatches.size(); i++) accumulate(microBatches.get(i), i, totals);
            sums.endBatch(updateExamples);
            if (parallel != null) parallel.sumGradientsOntoMaster();
            if (gradientObserver != null) gradientObserver.accept(params);
            if (options.clipNorm() > 0) {
                lastNorm = BertAdam.clipGradNorm(params.values(), options.clipNorm(), updateManager);
            }
            optim.step();
        } finally {
            optim.zeroGrad();
            if (parallel != null) parallel.zeroReplicaGradients();
        }
        threads.afterStep();
    }

    /**
     * Calls {@code observer} in every update with the master's parameters once their gradients are complete (summed
     * over micro-batches and replicas), before clipping ({@code verify-reference} checks a gradient with it).
     */
    public void observeGradients(Consumer<Map<String, NDArray>> observer) {
        this.gradientObserver = observer;
    }

    /** Forward, loss and backward of micro-batch {@code micro} of the update; its gradients add to the update's. */
    private void accumulate(B batch, int micro, Map<String, Long> totals) {
        int n = task.examples(batch);
        if (options.seed() != null) {
            Engine.getEngine("PyTorch").setRandomSeed(dropoutSeed(options.seed(), optim.stepCount(), micro));
        }
        try (NDManager m = root.newSubManager()) {
            Scaled out = parallel == null
                    ? computeGradients(task, task.toDevice(m, batch), totals)
                    : parallel.forwardBackward(m, batch, n, totals, this::computeGradients);
            try (AutoCloseable ng = Grad.noGrad()) {
                sums.add(out);
                updateLoss.addi(out.loss());
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        updateExamples += n;
    }

    /** The seed of the dropout RNG for micro-batch {@code micro} of step {@code step} (accumulate 1: seed*7919+step). */
    static int dropoutSeed(long seed, long step, int micro) {
        return (int) (seed * 7919 + step + micro * 1_000_003L);
    }

    /**
     * The gradients of one batch on the replica of {@code t}: forward and loss sums by the task, each sum divided by
     * the update's total of its count (0 when that total is 0), backward of their sum (gradients add into the
     * parameters' .grad; none when every total is 0). The one place where gradients are computed.
     */
    Scaled computeGradients(TrainTask<B, D> t, D batch, Map<String, Long> totals) {
        try (Grad.Mode g = Grad.enable()) {
            TrainTask.Output out = t.forward(batch);
            Map<String, NDArray> parts = new LinkedHashMap<>();
            NDArray loss = null;
            boolean counted = false;
            for (Map.Entry<String, TrainTask.Loss> e : out.losses().entrySet()) {
                String count = e.getValue().count();
                Long total = totals.get(count);
                if (total == null) {
                    throw new IllegalStateException(t.getClass().getSimpleName() + ": loss \"" + e.getKey() + "\" is a mean over \""
                            + count + "\", which counts() does not give (it gives " + totals.keySet() + ")");
                }
                NDArray sum = e.getValue().sum().reshape(new Shape());
                NDArray mean = total == 0 ? sum.zerosLike() : sum.div(Ops.scalar(sum, total));
                counted |= total != 0;
                parts.put(e.getKey(), mean);
                loss = loss == null ? mean : loss.add(mean);
            }
            if (counted) JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
            return new Scaled(loss, parts.size() > 1 ? parts : Map.of(), out.exampleSums());
        }
    }

    private void startUpdate() {
        if (updateManager != null) updateManager.close();
        updateManager = root.newSubManager();
        if (parallel != null) parallel.broadcast(); // the master's parameters (updated, or loaded when resuming)
        updateLoss = updateManager.zeros(new Shape());
        lastNorm = null;
        updateExamples = 0;
    }

    /** The last update's loss (the sum of its micro-batches' shares: the update's means), on the device. */
    public NDArray lastUpdateLoss() {
        return updateLoss;
    }

    /** The last update's gradient norm before clipping, on the device (null without clipping). */
    public NDArray lastGradNorm() {
        return lastNorm;
    }

    /** Examples in the last update. */
    public long updateExamples() {
        return updateExamples;
    }

    /** The learning rate the last update used. */
    public double lastLr() {
        return optim.lastLr();
    }

    public Module model() {
        return model;
    }

    @Override
    public void close() {
        if (updateManager != null) updateManager.close();
        sums.close();
        optim.close();
        if (parallel != null) parallel.close();
        model.setRequiresGradient(false);
    }
}
