package lxmert.kernel;

/**
 * Notebook-side access to objects bound by magics ({@code %lxmert finetune ... --into result}).
 * The kernel declares {@code SomeType result = lxmert.kernel.Bindings.get("result");} after the magic; in a stock
 * IJava kernel the user writes that line.
 */
public final class Bindings {
    private Bindings() {
    }

    /** The object bound under {@code name} in the current kernel session. */
    @SuppressWarnings("unchecked")
    public static <T> T get(String name) {
        return (T) Notebook.current().bindings().get(name);
    }

    /** Binds {@code value} under {@code name} in the current kernel session (without declaring a variable). */
    public static void put(String name, Object value) {
        Notebook.current().bindings().put(name, value);
    }
}
