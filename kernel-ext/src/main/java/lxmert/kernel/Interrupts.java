package lxmert.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The interrupt flag of one kernel session. The kernel sets it when the user interrupts the running cell
 * (interrupt_request or SIGINT) and clears it when the next cell starts. Long-running library code polls it
 * between units of work (the training listener adapter checks it after every batch, stops, saves LAST and returns),
 * which is the graceful path; the kernel also interrupts the execution thread so blocking calls wake up.
 *
 * <p>Code without a session at hand uses {@link #current()}, which is a never-set flag outside a kernel.
 */
public final class Interrupts {
    private static final Interrupts NONE = new Interrupts(true);

    private final boolean readOnly;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicInteger count = new AtomicInteger();

    /** A flag owned by one kernel session. */
    public Interrupts() {
        this(false);
    }

    private Interrupts(boolean readOnly) {
        this.readOnly = readOnly;
    }

    /** The flag of the attached kernel session, or a flag that is never set when no kernel is attached. */
    public static Interrupts current() {
        return Notebook.find().map(NotebookSession::interrupts).orElse(NONE);
    }

    /** Whether an interrupt was requested since the running cell started. */
    public boolean isRequested() {
        return requested.get();
    }

    /** Sets the flag; returns how many interrupts were requested for the running cell (1 for the first). */
    public int request() {
        if (readOnly) return 0;
        requested.set(true);
        return count.incrementAndGet();
    }

    /** Clears the flag (the kernel calls this when a cell starts). */
    public void clear() {
        requested.set(false);
        count.set(0);
    }

    /** Throws {@link CellInterruptedException} when an interrupt was requested. */
    public void check() {
        if (isRequested()) throw new CellInterruptedException("interrupted by the user");
    }

    /** Thrown by {@link #check()}: the user interrupted the running cell. */
    public static final class CellInterruptedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CellInterruptedException(String message) {
            super(message);
        }
    }
}
