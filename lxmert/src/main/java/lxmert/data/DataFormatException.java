package lxmert.data;

import java.io.IOException;
import java.nio.file.Path;

import lxmert.util.Errors;

/**
 * A malformed input file (feature TSV, dataset json, answer table, prediction file). The message always names the
 * file and where in it (line and img_id for TSV rows, key or index for json), and what was expected vs found.
 */
public class DataFormatException extends IOException implements Errors.BadInput {
    private final Path file;

    public DataFormatException(Path file, String where, String message) {
        super(file + (where == null || where.isEmpty() ? "" : ": " + where) + ": " + message);
        this.file = file;
    }

    public DataFormatException(Path file, String where, String message, Throwable cause) {
        this(file, where, message);
        initCause(cause);
    }

    /** The offending file. */
    public Path file() { return file; }
}
