package lxmert.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import lxmert.train.StopSignal;

/**
 * Runs a training command so that Ctrl-C / SIGTERM asks the trainer to stop after the current step and keeps the JVM
 * alive until it has saved LAST (shutdown hooks run to completion before the JVM halts). Used by {@code finetune} and
 * {@code pretrain}.
 */
final class Interruptible {
    private Interruptible() {}

    /** The body of a training command; it polls {@code stop} through its trainer. */
    interface Body {
        int run(StopSignal stop) throws Exception;
    }

    static int run(Body body) throws Exception {
        StopSignal stop = new StopSignal();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.request();
            try {
                done.await(30, TimeUnit.MINUTES);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "lxmert-interrupt");
        java.lang.Runtime.getRuntime().addShutdownHook(hook);
        try {
            return body.run(stop);
        } finally {
            done.countDown();
            try {
                java.lang.Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook returns now that training has ended
            }
        }
    }
}
