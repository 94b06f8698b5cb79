package lxmert.checkpoint;

/**
 * A checkpoint file could not be read or written, or its content does not match what was expected.
 * The message always names the file (or the key) and what was expected versus what was found.
 */
public class CheckpointException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
