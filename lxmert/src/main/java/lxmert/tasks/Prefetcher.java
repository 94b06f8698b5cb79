package lxmert.tasks;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Prepares the next batches on a background thread (features copied from the memory-mapped store, sentences
 * tokenised) while the model works on the current one. Two batches in flight at most.
 */
final class Prefetcher implements AutoCloseable {
    private final TaskData data;
    private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lxmert-prefetch");
        t.setDaemon(true);
        return t;
    });
    private BlockingQueue<Future<HostBatch>> queue;
    private int[][] order;
    private int next;

    Prefetcher(TaskData data) {
        this.data = data;
    }

    void start(int[][] order, int first) {
        this.order = order;
        this.next = first;
        this.queue = new ArrayBlockingQueue<>(3);
        for (int i = 0; i < 2; i++) submit();
    }

    private void submit() {
        if (next >= order.length) return;
        int[] idx = order[next++];
        queue.add(exec.submit(() -> data.fill(data.allocate(idx.length), idx)));
    }

    HostBatch next() {
        Future<HostBatch> f = queue.poll();
        if (f == null) throw new IllegalStateException("no more batches");
        try {
            HostBatch b = f.get();
            submit();
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new IllegalStateException(c);
        }
    }

    @Override
    public void close() {
        exec.shutdownNow();
    }
}
