package lxmert.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import lxmert.model.Module;

/**
 * The data parallel part of the {@link Trainer} (without DJL's parameter server): one replica of the model per
 * device, built by the task ({@link TrainTask#replicate}); each (micro-)batch split into contiguous shards of
 * examples (sizes differ by at most one), each shard copied from the host to its replica's device and run forward
 * and backward there with its loss sums divided by the update's totals (so the shards add up to the whole batch
 * whatever items each holds); before the update the gradients are summed
 * onto the first device (the master, whose parameters the optimiser updates: one clipping, one BertAdam step, by
 * the trainer), and after it the master's parameters are broadcast back into the replicas. Equal to one device on
 * the whole batch up to float summation order.
 *
 * <p>The same code path runs with several replicas on the CPU device ({@code cpu,cpu}), which is how it is tested.
 * Replicas run one after the other on the trainer's thread: on GPUs torch launches kernels asynchronously, so the
 * devices overlap; on CPU the split only adds overhead (measured in the README).
 */
final class DataParallel<B, D> implements AutoCloseable {
    private final List<Device> devices = new ArrayList<>();
    private final List<NDManager> roots = new ArrayList<>();
    private final List<Module> models = new ArrayList<>();
    private final List<TrainTask<B, D>> tasks = new ArrayList<>();
    private final List<Map<String, NDArray>> params = new ArrayList<>();

    /** The gradients of one shard on one replica (the trainer's one place that computes gradients). */
    interface Gradients<B, D> {
        Trainer.Scaled compute(TrainTask<B, D> task, D batch, Map<String, Long> totals);
    }

    /**
     * @param root    the master's manager (its device must be {@code devices.get(0)})
     * @param devices one replica per entry; entries after the first get a new replica from {@code task}
     */
    DataParallel(NDManager root, Module model, TrainTask<B, D> task, List<Device> devices) {
        if (devices.size() < 2) throw new IllegalArgumentException("data parallel needs at least two devices, got " + devices);
        if (!devices.get(0).equals(root.getDevice())) {
            throw new IllegalArgumentException("the first device " + devices.get(0) + " must be the model's device " + root.getDevice());
        }
        this.devices.add(devices.get(0));
        roots.add(root);
        models.add(model);
        tasks.add(task);
        params.add(model.namedParameters());
        try {
            for (Device d : devices.subList(1, devices.size())) {
                NDManager r = NDManager.newBaseManager(d);
                roots.add(r);
                this.devices.add(d);
                TrainTask.Replica<B, D> rep = task.replicate(r);
                Map<String, NDArray> p = rep.model().namedParameters();
                if (!p.keySet().equals(params.get(0).keySet())) {
                    throw new IllegalStateException(task.getClass().getSimpleName() + ".replicate built a model with other parameters");
                }
                rep.model().setRequiresGradient(true);
                models.add(rep.model());
                tasks.add(rep.task());
                params.add(p);
            }
            broadcast();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    int size() {
        return models.size();
    }

    List<Module> models() {
        return List.copyOf(models);
    }

    /** Shard boundaries of a batch of {@code n} examples over {@code k} replicas: {@code k + 1} offsets. */
    static int[] shards(int n, int k) {
        int[] at = new int[k + 1];
        for (int i = 0; i < k; i++) at[i + 1] = at[i] + n / k + (i < n % k ? 1 : 0);
        return at;
    }

    /**
     * Forward and backward of every shard of {@code batch} ({@code n} examples, loss sums divided by the update's
     * {@code totals}); the gradients stay on the replicas until {@link #sumGradientsOntoMaster}. Returns the batch's
     * outputs on the master device, owned by {@code m}: the shards' losses, loss means and example sums added. No
     * host read.
     */
    Trainer.Scaled forwardBackward(NDManager m, B batch, int n, Map<String, Long> totals, Gradients<B, D> grads) {
        int[] at = shards(n, size());
        Device master = devices.get(0);
        NDArray loss = null;
        Map<String, NDArray> parts = new LinkedHashMap<>();
        Map<String, NDArray> sums = new LinkedHashMap<>();
        for (int i = 0; i < size(); i++) {
            int from = at[i], to = at[i + 1];
            if (to == from) continue;
            Module model = models.get(i);
            if (i > 0) model.setTraining(models.get(0).isTraining());
            try (NDManager s = i == 0 ? m.newSubManager() : roots.get(i).newSubManager()) {
                TrainTask<B, D> t = tasks.get(i);
                D d = t.toDevice(s, batch, from, to);
                Trainer.Scaled out = grads.compute(t, d, totals);
                try (AutoCloseable ng = Grad.noGrad()) {
                    loss = add(loss, out.loss(), master, m);
                    out.parts().forEach((k, v) -> parts.put(k, add(parts.get(k), v, master, m)));
                    out.exampleSums().forEach((k, v) -> sums.put(k, add(sums.get(k), v, master, m)));
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return new Trainer.Scaled(loss, parts, sums);
    }

    /** {@code acc + v} as a new scalar on the master device owned by {@code m} ({@code acc} null: none yet). */
    private static NDArray add(NDArray acc, NDArray v, Device master, NDManager m) {
        NDArray x = v.reshape(new Shape()).toDevice(master, true);
        x.attach(m);
        return acc == null ? x : acc.addi(x);
    }

    /** Adds every replica's accumulated gradients into the master's (device to master device), then zeroes theirs. */
    void sumGradientsOntoMaster() {
        try (NDManager tmp = roots.get(0).newSubManager(); AutoCloseable ng = Grad.noGrad()) {
            Device master = devices.get(0);
            for (Map.Entry<String, NDArray> e : params.get(0).entrySet()) {
                NDArray g0 = Grad.gradient(e.getValue(), tmp); // the handle only: the gradient tensor stays the parameter's
                for (int i = 1; i < size(); i++) {
                    NDArray p = params.get(i).get(e.getKey());
                    NDArray gi = Grad.gradient(p, tmp);
                    if (gi == null) continue; // no backward reached it on this replica (or its shard was empty)
                    if (g0 == null) throw new IllegalStateException(e.getKey() + " has a gradient on replica " + i + " but not on the master");
                    g0.addi(on(gi, master, tmp));
                    Grad.zero(p);
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Zeroes the replicas' gradients (not the master's: the optimiser does). */
    void zeroReplicaGradients() {
        for (int i = 1; i < size(); i++) params.get(i).values().forEach(Grad::zero);
    }

    /** Copies the master's parameters into every other replica, in place (device to device). */
    void broadcast() {
        Map<String, NDArray> master = params.get(0);
        for (int i = 1; i < size(); i++) {
            try (NDManager tmp = roots.get(i).newSubManager(); AutoCloseable ng = Grad.noGrad()) {
                for (Map.Entry<String, NDArray> e : params.get(i).entrySet()) {
                    e.getValue().set(new NDIndex(":"), on(master.get(e.getKey()), devices.get(i), tmp));
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@code x} itself when it is on {@code d} (cpu,cpu), else a copy on {@code d} owned by {@code tmp} (device to device). */
    private static NDArray on(NDArray x, Device d, NDManager tmp) {
        if (x.getDevice().equals(d)) return x;
        NDArray y = x.toDevice(d, true);
        y.attach(tmp);
        return y;
    }

    /** Closes the replicas' managers (not the master's: the caller's). */
    @Override
    public void close() {
        for (int i = 1; i < roots.size(); i++) roots.get(i).close();
    }
}
