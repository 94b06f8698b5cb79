package lxmert.train;

/** Thrown when the training loss becomes NaN or infinite; the message names the step and the last good snapshot. */
public class NonFiniteLossException extends IllegalStateException {
    public NonFiniteLossException(String m) {
        super(m);
    }
}
