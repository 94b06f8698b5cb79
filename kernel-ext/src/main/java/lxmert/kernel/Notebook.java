package lxmert.kernel;

import java.util.Objects;
import java.util.Optional;

/**
 * The one static link between notebook code and the kernel hosting it. Cells are compiled by JShell into
 * classes whose only way to reach their host is a static member, exactly as in IJava; everything else in this
 * module receives its {@link NotebookSession} explicitly. The kernel attaches itself on start
 * ({@link JavaKernel}) or {@link LxmertExtension#install()} attaches a wrapper around a stock IJava kernel.
 */
public final class Notebook {
    private static volatile NotebookSession current;

    private Notebook() {
    }

    /** Makes {@code session} the session that notebook code in this JVM talks to. */
    public static void attach(NotebookSession session) {
        current = Objects.requireNonNull(session, "session");
    }

    /** Detaches {@code session} if it is the current one. */
    public static void detach(NotebookSession session) {
        if (current == session) current = null;
    }

    /** The attached session, if any. */
    public static Optional<NotebookSession> find() {
        return Optional.ofNullable(current);
    }

    /** The attached session; throws with a hint when notebook code runs outside a kernel. */
    public static NotebookSession current() {
        NotebookSession s = current;
        if (s == null) {
            throw new IllegalStateException("no notebook kernel attached: run inside the lxmert-java kernel, or call "
                    + "lxmert.kernel.LxmertExtension.install() first in an IJava kernel");
        }
        return s;
    }
}
