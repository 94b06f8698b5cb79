package lxmert.kernel.jshell;

/**
 * Marks the stretch of time in which user code (a cell's snippet or a magic) runs on the execution thread, so
 * that interrupts and hard stops reach user code and never the kernel's or JShell's own machinery.
 *
 * <p>{@link #leave()} clears the thread's interrupt flag: an interrupt aimed at user code must not leak into
 * JShell's compiler or the kernel, where interruptible file channels would be closed by it.
 */
public final class ExecutionGuard {
    private final Object lock = new Object();
    private final java.util.function.BooleanSupplier interruptPending;
    private Thread userThread;
    private int depth;

    /**
     * @param interruptPending whether an interrupt was requested for the running cell; user code entered after the
     *                         request (it arrived while JShell compiled) starts with its thread interrupted
     */
    public ExecutionGuard(java.util.function.BooleanSupplier interruptPending) {
        this.interruptPending = interruptPending;
    }

    /** Called on the execution thread before user code runs (re-entrant). */
    public void enter() {
        synchronized (lock) {
            userThread = Thread.currentThread();
            depth++;
            if (interruptPending.getAsBoolean()) userThread.interrupt();
        }
    }

    /** Called on the execution thread after user code returned or threw. */
    public void leave() {
        synchronized (lock) {
            if (--depth <= 0) {
                depth = 0;
                userThread = null;
                Thread.interrupted();
            }
        }
    }

    /** The thread running user code now, or {@code null}. */
    public Thread userThread() {
        synchronized (lock) {
            return userThread;
        }
    }

    /** Interrupts user code if it is running; returns whether it was. */
    public boolean interrupt() {
        synchronized (lock) {
            if (userThread == null) return false;
            userThread.interrupt();
            return true;
        }
    }

    /**
     * Hard stop: throws {@link ThreadDeath} into running user code (what JShell's own local engine does on stop).
     * Returns whether user code was running. Falls back to an interrupt where {@code Thread.stop} is unsupported.
     */
    @SuppressWarnings({"deprecation", "removal"})
    public boolean hardStop() {
        synchronized (lock) {
            if (userThread == null) return false;
            try {
                userThread.stop();
            } catch (UnsupportedOperationException e) {
                userThread.interrupt();
            }
            return true;
        }
    }
}
