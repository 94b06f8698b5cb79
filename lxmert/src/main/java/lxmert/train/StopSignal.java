package lxmert.train;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cooperative stop request: Ctrl-C (a shutdown hook) or a notebook interrupt sets it; the trainer checks it
 * after every batch, saves LAST and returns.
 */
public final class StopSignal {
    private final AtomicBoolean requested = new AtomicBoolean();

    public void request() {
        requested.set(true);
    }

    public boolean isRequested() {
        return requested.get() || Thread.currentThread().isInterrupted();
    }

    public void reset() {
        requested.set(false);
    }
}
