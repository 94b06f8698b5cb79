package lxmert.train;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Prepares the next batches on a background thread (features copied from the memory-mapped store, sentences
 * tokenised) while the model works on the current one. Two batches in flight at most.
 *
 * @param <B> the host batch type; {@code load} fills one from example indices
 */
public final class Prefetcher<B> implements AutoCloseable {
    private final Loader<B> load;
    private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lxmert-prefetch");
        t.setDaemon(true);
        return t;
    });
    private BlockingQueue<Future<B>> queue;
    private int[][] order;
    private int next;

    /** Loads batch {@code index} of {@code order} (it may look at the other batches, e.g. an update's micro-batches). */
    public interface Loader<B> {
        B load(int[][] order, int index);
    }

    public Prefetcher(Function<int[], B> load) {
        this.load = (order, i) -> load.apply(order[i]);
    }

    public Prefetcher(Loader<B> load) {
        this.load = load;
    }

    /** Starts loading the batches {@code order[first..]}. */
    public void start(int[][] order, int first) {
        this.order = order;
        this.next = first;
        this.queue = new ArrayBlockingQueue<>(3);
        for (int i = 0; i < 2; i++) submit();
    }

    private void submit() {
        if (next >= order.length) return;
        int[][] o = order;
        int i = next++;
        queue.add(exec.submit(() -> load.load(o, i)));
    }

    public B next() {
        Future<B> f = queue.poll();
        if (f == null) throw new IllegalStateException("no more batches");
        try {
            B b = f.get();
            submit();
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error r) throw r;
            throw new IllegalStateException(c);
        }
    }

    @Override
    public void close() {
        exec.shutdownNow();
    }
}
