package lxmert.kernel.magic;

import lxmert.kernel.Interrupts;
import lxmert.kernel.NotebookSession;
import lxmert.kernel.progress.ProgressDisplay;

import java.util.List;

/**
 * The context of one {@code %lxmert} invocation handed to its sub-command: the session (displays, interrupts), the
 * sub-command and the full argument list as typed.
 */
public record MagicCall(NotebookSession session, String subcommand, List<String> args) {
    public MagicCall {
        args = List.copyOf(args);
    }

    /** A new live progress display in the running cell. */
    public ProgressDisplay progress(String title) {
        return new ProgressDisplay(session, title);
    }

    /** The session's interrupt flag (poll after every batch; stop, save LAST and return when set). */
    public Interrupts interrupts() {
        return session.interrupts();
    }
}
