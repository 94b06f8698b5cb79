package lxmert.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import lxmert.model.Module;
import lxmert.model.Ops;

/**
 * Data parallel training over a list of devices, without DJL's parameter server: one replica of the model per device,
 * each batch split into contiguous shards (sizes differ by at most one), forward and backward per replica, gradients
 * summed onto the first device (the master), one gradient clipping and one {@link BertAdam} step there, parameters
 * broadcast back to the other replicas. Equal to one replica on the whole batch up to float summation order, for
 * losses that are means over the batch: each shard's loss is weighted by its share of the batch before backward.
 *
 * <p>The same code path runs with several replicas on the CPU device ({@code cpu,cpu}), which is how it is tested.
 * Replicas run one after the other (no threads): on GPUs torch launches kernels asynchronously, so the devices
 * still overlap; on CPU the split only adds overhead.
 *
 * @param <M> the model type
 */
public final class DataParallel<M extends Module> implements AutoCloseable {
    /** The loss of rows {@code [from, to)} of the batch, a 0-d mean over those rows, built on {@code m}'s device. */
    public interface ShardLoss<M> {
        NDArray loss(M model, NDManager m, int from, int to);
    }

    /** One step: the batch loss (0-d, on the master device: read it when logging) and the gradient norm before clipping. */
    public record Step(NDArray loss, double gradNorm) {
    }

    private final List<Device> devices;
    private final List<NDManager> roots = new ArrayList<>();
    private final List<M> replicas = new ArrayList<>();
    private final List<Map<String, NDArray>> params = new ArrayList<>();
    private final BertAdam optimizer;

    /**
     * @param devices one replica per entry (the first is the master; entries may repeat, e.g. cpu,cpu)
     * @param create builds a replica on the given manager (the same initialisation each time is not required: the
     *               master's parameters are broadcast at construction)
     * @param optimizer builds the optimiser over the master's parameters
     */
    public DataParallel(List<Device> devices, Function<NDManager, M> create,
                        Function<Map<String, NDArray>, BertAdam> optimizer) {
        if (devices.isEmpty()) throw new IllegalArgumentException("DataParallel needs at least one device");
        this.devices = List.copyOf(devices);
        for (Device d : devices) {
            NDManager root = NDManager.newBaseManager(d);
            roots.add(root);
            M model = create.apply(root);
            model.setRequiresGradient(true);
            replicas.add(model);
            params.add(model.namedParameters());
        }
        this.optimizer = optimizer.apply(params.get(0));
        broadcast();
    }

    public M master() {
        return replicas.get(0);
    }

    public List<M> replicas() {
        return List.copyOf(replicas);
    }

    public List<Device> devices() {
        return devices;
    }

    public BertAdam optimizer() {
        return optimizer;
    }

    /** Shard boundaries of a batch of {@code n} rows over {@code k} replicas: {@code k + 1} offsets. */
    public static int[] shards(int n, int k) {
        int[] at = new int[k + 1];
        for (int i = 0; i < k; i++) at[i + 1] = at[i] + n / k + (i < n % k ? 1 : 0);
        return at;
    }

    /**
     * One training step on a batch of {@code batch} rows. {@code beforeClip} runs on the master after the gradients
     * are summed (e.g. zeroing the padding rows of embedding gradients); the returned loss lives in {@code out}.
     */
    public Step step(int batch, ShardLoss<M> shardLoss, double maxGradNorm, Consumer<M> beforeClip, NDManager out) {
        int[] at = shards(batch, replicas.size());
        NDArray total = null;
        for (int i = 0; i < replicas.size(); i++) {
            int from = at[i], to = at[i + 1];
            if (to == from) continue;
            try (NDManager m = roots.get(i).newSubManager();
                 GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = shardLoss.loss(replicas.get(i), m, from, to);
                NDArray weighted = Ops.mul(loss, (double) (to - from) / batch);
                gc.backward(weighted);
                NDArray l = weighted.stopGradient().toDevice(devices.get(0), true);
                l.attach(out);
                total = total == null ? l : total.addi(l);
            }
        }
        sumGradientsOntoMaster(at);
        if (beforeClip != null) beforeClip.accept(master());
        double norm = BertAdam.clipGradNorm(params.get(0).values(), maxGradNorm);
        optimizer.step();
        for (Map<String, NDArray> p : params) p.values().forEach(Grad::zero);
        broadcast();
        return new Step(total, norm);
    }

    private void sumGradientsOntoMaster(int[] at) {
        if (replicas.size() == 1) return;
        try (NDManager tmp = roots.get(0).newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            for (Map.Entry<String, NDArray> e : params.get(0).entrySet()) {
                NDArray g0 = e.getValue().getGradient();
                g0.attach(tmp);
                for (int i = 1; i < replicas.size(); i++) {
                    if (at[i + 1] == at[i]) continue;
                    NDArray gi = params.get(i).get(e.getKey()).getGradient();
                    gi.attach(tmp);
                    NDArray moved = gi.toDevice(devices.get(0), true);
                    moved.attach(tmp);
                    g0.addi(moved);
                }
            }
        } catch (Exception ex) {
            throw ex instanceof RuntimeException r ? r : new IllegalStateException(ex);
        }
    }

    /** Copies the master's parameters into every other replica, in place (device to device). */
    public void broadcast() {
        Map<String, NDArray> master = params.get(0);
        for (int i = 1; i < replicas.size(); i++) {
            try (NDManager tmp = roots.get(i).newSubManager(); AutoCloseable ng = Grad.noGrad()) {
                for (Map.Entry<String, NDArray> e : params.get(i).entrySet()) {
                    NDArray src = master.get(e.getKey()).toDevice(devices.get(i), true);
                    src.attach(tmp);
                    e.getValue().set(new NDIndex(":"), src);
                }
            } catch (Exception ex) {
                throw ex instanceof RuntimeException r ? r : new IllegalStateException(ex);
            }
        }
    }

    @Override
    public void close() {
        optimizer.close();
        for (NDManager r : roots) r.close();
    }
}
