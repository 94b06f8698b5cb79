package lxmert.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import lxmert.model.Module;
import lxmert.util.HostReads;

import java.util.List;
import java.util.Map;

/**
 * THE training step, used by fine-tuning, pretraining, {@code verify-reference} and {@code bench model}: a task
 * ({@link TrainTask}) gives the forward pass and the loss; the trainer owns the parameters' optimiser
 * (BertAdam with the warm-up schedule), backward, gradient accumulation, global-norm clipping and zeroing.
 *
 * <p>One optimisation step is {@link #accumulateGradients} once per micro-batch (N times for
 * {@code --accumulate N}), then {@link #applyUpdate}. A micro-batch of n examples in an update of
 * {@code updateBatchSize} examples has its loss scaled by n / updateBatchSize before backward, so 4
 * micro-batches of 8 give the gradients of one batch of 32 (for losses that are means over the examples);
 * a micro-batch holding the whole update is not scaled at all. Gradients of one micro-batch on one replica are
 * computed in one place ({@link #computeGradients}).
 *
 * <p>Data parallel: built with several devices ({@code --device gpu0,gpu1}, or {@code cpu,cpu} to test on the
 * CPU), the trainer keeps one replica of the model per device (the first is the master, the model given here;
 * the others come from {@link TrainTask#replicate}); every micro-batch is split into shards of examples, one per
 * replica, each copied from the host to its device and run forward and backward there ({@link DataParallel}); at
 * {@link #applyUpdate} the replicas' gradients are summed onto the master, which gets one padding-row zeroing,
 * one clipping and one BertAdam step; the master's parameters are broadcast to the replicas before the next
 * update's forward. The metrics are the whole batch's (shard losses weighted by their share) on the master.
 *
 * <p>No device-to-host read happens in a step: the loss, the loss parts and the task's example sums are
 * added into device {@link RunningSums}, and the gradient norm stays on the device ({@link #lastGradNorm()});
 * a caller reads them when it needs them (a log interval, an epoch end).
 *
 * <p>Dropout is seeded per micro-step from (seed, step, micro-batch), so a run is reproducible and a resumed
 * run continues bit-exactly from the optimiser state and the step count alone.
 */
public final class Trainer<B, D> implements AutoCloseable {

    /**
     * @param lr              peak learning rate
     * @param warmup          warm-up fraction of {@code tTotal} (0.1 tasks, 0.05 pretraining)
     * @param tTotal          optimisation steps of the schedule, or -1 for a constant lr
     * @param clipNorm        global gradient-norm clip (5.0 tasks, 1.0 pretraining); 0 or less = no clipping
     * @param updateBatchSize examples per optimisation step (micro-batches are weighted by their share of it);
     *                        0 = never scale
     * @param seed            seeds dropout per micro-step; {@code null} leaves the engine's RNG alone
     */
    public record Options(double lr, double warmup, long tTotal, double clipNorm, int updateBatchSize, Long seed) {
        public Options withSeed(Long s) {
            return new Options(lr, warmup, tTotal, clipNorm, updateBatchSize, s);
        }
    }

    private final NDManager root;
    private final Module model;
    private final TrainTask<B, D> task;
    private final Options options;
    private final Map<String, NDArray> params;
    private final List<NDArray> paddingRows;
    private final BertAdam optim;
    private final RunningSums sums;
    private final HostReads reads = new HostReads();
    /** The replicas when training on several devices, else null. */
    private final DataParallel<B, D> parallel;
    private final List<Device> devices;
    /** Holds the last update's loss and gradient norm; replaced when the next update starts. */
    private NDManager updateManager;
    private NDArray updateLoss;
    private NDArray lastLoss;
    private NDArray lastNorm;
    private int microBatches;
    private long updateExamples;

    /**
     * @param root        the device manager the model lives in (step arrays are created in sub-managers of it)
     * @param model       the model whose every parameter is trained
     * @param paddingRows embedding tables whose row 0 gets no gradient (torch padding_idx=0)
     */
    public Trainer(NDManager root, Module model, List<NDArray> paddingRows, TrainTask<B, D> task, Options options) {
        this(root, model, paddingRows, task, options, List.of(root.getDevice()));
    }

    /**
     * A trainer over one replica of the model per device of {@code devices} (data parallel when there are several;
     * entries may repeat, e.g. cpu,cpu). The first device must be {@code root}'s, where {@code model} lives: it
     * holds the master parameters and the optimiser state; the task builds the other replicas
     * ({@link TrainTask#replicate}), which the trainer owns and closes.
     */
    public Trainer(NDManager root, Module model, List<NDArray> paddingRows, TrainTask<B, D> task, Options options,
                   List<Device> devices) {
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
        this.paddingRows = paddingRows == null ? List.of() : paddingRows;
        // the replicas first: a task that cannot replicate fails before anything else is allocated
        this.parallel = devices.size() > 1 ? new DataParallel<>(root, model, task, devices) : null;
        model.setRequiresGradient(true);
        this.optim = new BertAdam(params, options.lr(), options.warmup(), options.tTotal());
        this.sums = new RunningSums(root, reads);
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

    /** Device running sums of the loss, loss parts and example sums of every micro-batch since the last reset. */
    public RunningSums sums() {
        return sums;
    }

    /** Completed optimisation steps. */
    public long step() {
        return optim.stepCount();
    }

    /** Micro-batches accumulated since the last update. */
    public int pendingMicroBatches() {
        return microBatches;
    }

    /**
     * Forward, loss and backward of one (micro-)batch; its gradients are added to those accumulated since the
     * last {@link #applyUpdate()}. No host read.
     */
    public void accumulateGradients(B batch) {
        int n = task.examples(batch);
        double w = options.updateBatchSize() > 0 ? (double) n / options.updateBatchSize() : 1.0;
        if (microBatches == 0) startUpdate();
        if (options.seed() != null) {
            Engine.getEngine("PyTorch").setRandomSeed(dropoutSeed(options.seed(), optim.stepCount(), microBatches));
        }
        try (NDManager m = root.newSubManager()) {
            TrainTask.Output out = parallel == null
                    ? computeGradients(task, task.toDevice(m, batch), w)
                    : parallel.forwardBackward(m, batch, n, w, this::computeGradients);
            try (AutoCloseable ng = Grad.noGrad()) {
                sums.add(out, n);
                NDArray l = out.loss().reshape(new Shape());
                // the update's loss: the micro-batch losses weighted as their gradients
                if (w == 1.0) updateLoss.addi(l); else updateLoss.addi(l.mul((float) w));
                lastLoss = l.duplicate();
                lastLoss.attach(updateManager);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        microBatches++;
        updateExamples += n;
    }

    /** The seed of the dropout RNG for micro-batch {@code micro} of step {@code step} (accumulate 1: seed*7919+step). */
    static int dropoutSeed(long seed, long step, int micro) {
        return (int) (seed * 7919 + step + micro * 1_000_003L);
    }

    /**
     * The gradients of one batch on this replica: forward and loss by the task, the loss scaled by
     * {@code weight}, backward (gradients add into the parameters' .grad). The one place where gradients are
     * computed; returns the task's unscaled outputs.
     */
    TrainTask.Output computeGradients(D batch, double weight) {
        return computeGradients(task, batch, weight);
    }

    /** {@link #computeGradients(Object, double)} on the replica of {@code t} (data parallel: each shard). */
    TrainTask.Output computeGradients(TrainTask<B, D> t, D batch, double weight) {
        try (Grad.Mode g = Grad.enable()) {
            TrainTask.Output out = t.forward(batch);
            NDArray l = weight == 1.0 ? out.loss() : out.loss().mul((float) weight);
            JniUtils.backward((PtNDArray) l, (PtNDArray) l.onesLike(), false, false);
            return out;
        }
    }

    private void startUpdate() {
        if (updateManager != null) updateManager.close();
        updateManager = root.newSubManager();
        if (parallel != null) parallel.broadcast(); // the master's parameters (updated, or loaded when resuming)
        updateLoss = updateManager.zeros(new Shape());
        lastNorm = null;
        lastLoss = null;
        updateExamples = 0;
    }

    /**
     * Ends an optimisation step: zero the padding rows' gradients, clip the global norm, BertAdam, zero every
     * gradient. No host read (the norm stays on the device: {@link #lastGradNorm()}).
     */
    public void applyUpdate() {
        if (microBatches == 0) throw new IllegalStateException("applyUpdate() without accumulateGradients()");
        if (parallel != null) parallel.sumGradientsOntoMaster();
        BertAdam.zeroPaddingRows(paddingRows);
        if (options.clipNorm() > 0) {
            lastNorm = BertAdam.clipGradNorm(params.values(), options.clipNorm(), updateManager);
        }
        optim.step();
        optim.zeroGrad();
        microBatches = 0;
    }

    /** Drops the accumulated gradients without updating (e.g. after a non-finite loss). */
    public void discardGradients() {
        optim.zeroGrad();
        if (parallel != null) parallel.zeroReplicaGradients();
        microBatches = 0;
    }

    /** The last update's loss (its micro-batches weighted as their gradients), on the device. */
    public NDArray lastUpdateLoss() {
        return updateLoss;
    }

    /** The last micro-batch's loss, on the device. */
    public NDArray lastLoss() {
        return lastLoss;
    }

    /** The last update's gradient norm before clipping, on the device (null without clipping). */
    public NDArray lastGradNorm() {
        return lastNorm;
    }

    /** Examples in the last (or current) update. */
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
