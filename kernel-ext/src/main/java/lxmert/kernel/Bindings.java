package lxmert.kernel;

/**
 * Notebook-side access to objects bound by magics ({@code %lxmert finetune ... --into run}).
 * The lxmert-java kernel declares {@code TrainingRun run = lxmert.kernel.Bindings.get("run");} after the magic; in a
 * stock IJava kernel the user declares it, typed by the class so that {@code var} works:
 * <pre>
 * var run = lxmert.kernel.Bindings.get("run", lxmert.kernel.lib.TrainingRun.class);
 * run.chart()
 * </pre>
 */
public final class Bindings {
    private Bindings() {
    }

    /**
     * The object bound under {@code name} in the current kernel session, as whatever type the assignment asks for
     * ({@code TrainingRun run = Bindings.get("run");}; with {@code var} it is an {@code Object}: use
     * {@link #get(String, Class)}).
     */
    @SuppressWarnings("unchecked")
    public static <T> T get(String name) {
        return (T) Notebook.current().bindings().get(name);
    }

    /** The object bound under {@code name}, checked to be a {@code type}; throws naming both types otherwise. */
    public static <T> T get(String name, Class<T> type) {
        Object v = Notebook.current().bindings().get(name);
        if (v != null && !type.isInstance(v)) {
            throw new ClassCastException("binding '" + name + "' is a " + v.getClass().getName() + ", not a " + type.getName());
        }
        return type.cast(v);
    }

    /** Binds {@code value} under {@code name} in the current kernel session (without declaring a variable). */
    public static void put(String name, Object value) {
        Notebook.current().bindings().put(name, value);
    }
}
