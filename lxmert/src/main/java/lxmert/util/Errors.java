package lxmert.util;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How errors are told to a person, shared by the command line and the notebook kernel: bad usage or bad input
 * ({@link #isBadInput}: exit status 2, one line) versus a failure while running (exit status 1).
 */
public final class Errors {
    private Errors() {
    }

    /** Marks an exception that is the input's fault (a malformed file, a bad line of input), not a failure. */
    public interface BadInput {
    }

    /**
     * Bad usage or bad input: {@link IllegalArgumentException} (with {@code CheckpointException} and
     * {@link NumberFormatException}), any {@link BadInput} exception (e.g. {@code DataFormatException}), and
     * missing or unreadable files.
     */
    public static boolean isBadInput(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof BadInput
                || t instanceof NoSuchFileException || t instanceof FileNotFoundException
                || t instanceof AccessDeniedException || t instanceof NotDirectoryException;
    }

    /** The exception that says what happened, through wrappers that add nothing. */
    public static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t instanceof ExecutionException || t instanceof CompletionException
                || t instanceof UncheckedIOException || t instanceof java.lang.reflect.InvocationTargetException)) {
            t = t.getCause();
        }
        return t;
    }

    /** One line saying what went wrong: the message (file named when the message is only the path). */
    public static String message(Throwable t) {
        String msg = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getName()
                : t.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ");
        if (t instanceof NoSuchFileException n && msg.equals(n.getFile())) return "file not found: " + msg;
        if (t instanceof AccessDeniedException a && msg.equals(a.getFile())) return "permission denied: " + msg;
        if (!isBadInput(t) && !(t instanceof java.io.IOException)) return msg + " (" + t.getClass().getName() + ")";
        return msg;
    }
}
