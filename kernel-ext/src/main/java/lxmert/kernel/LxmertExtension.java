package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;
import lxmert.kernel.magic.LxmertMagics;
import lxmert.kernel.render.Renderers;

/**
 * The one entry point that adds this project's notebook features to a kernel: the XChart and Tablesaw
 * renderers and the {@code %lxmert} / {@code %%lxmert} magics.
 *
 * <p>In the project's own kernel ({@link Main}) this runs at start. In a stock IJava 1.3 kernel:
 * <pre>
 * %jars /path/to/kernel-ext/target/kernel-ext.jar /path/to/kernel-ext/target/lib/*.jar
 * lxmert.kernel.LxmertExtension.install();
 * </pre>
 * {@link #install()} finds the running kernel through IJava's {@code IJava.getKernelInstance()} (by reflection:
 * no compile-time dependency on IJava), wraps it in a {@link BaseKernelSession}, attaches it to {@link Notebook}
 * (so {@code lxmert.kernel.Display.display(...)} and {@code Bindings.get(...)} work) and registers everything.
 */
public final class LxmertExtension {
    private static final String IJAVA_CLASS = "io.github.spencerpark.ijava.IJava";

    private LxmertExtension() {
    }

    /** Registers renderers and magics on {@code session} and {@code magics}. */
    public static void register(NotebookSession session, Magics magics) {
        Renderers.registerAll(session.renderer());
        magics.registerLineCellMagic(LxmertMagics.NAME, new LxmertMagics(session));
    }

    /** Registers everything on this project's kernel. */
    public static void register(JavaKernel kernel) {
        register(kernel, kernel.getMagics());
    }

    /**
     * Installs into the kernel running this code: this project's kernel (already installed: returns its session)
     * or a stock IJava kernel (found by reflection). Returns the session now attached to {@link Notebook}.
     */
    public static NotebookSession install() throws ReflectiveOperationException {
        NotebookSession attached = Notebook.find().orElse(null);
        if (attached instanceof JavaKernel) return attached;
        Class<?> ijava;
        try {
            ijava = Class.forName(IJAVA_CLASS, true, LxmertExtension.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("not running in the lxmert-java kernel nor in IJava ("
                    + IJAVA_CLASS + " not found)", e);
        }
        Object kernel = ijava.getMethod("getKernelInstance").invoke(null);
        if (kernel == null) throw new IllegalStateException("IJava.getKernelInstance() returned null");
        return install(kernel);
    }

    /**
     * Installs into a given basekernel kernel that has a {@code getMagics()} method returning basekernel's
     * {@link Magics} (IJava's {@code JavaKernel} does). Installing again into the same kernel returns the session
     * already attached, with its bindings.
     */
    public static NotebookSession install(Object kernel) throws ReflectiveOperationException {
        NotebookSession attached = Notebook.find().orElse(null);
        if (attached instanceof BaseKernelSession s && s.kernel() == kernel) return s; // again: keep session and bindings
        if (!(kernel instanceof BaseKernel base)) {
            throw new IllegalArgumentException("not a basekernel kernel: " + kernel.getClass().getName());
        }
        Object magics = kernel.getClass().getMethod("getMagics").invoke(kernel);
        if (!(magics instanceof Magics m)) {
            throw new IllegalArgumentException(kernel.getClass().getName() + ".getMagics() returned "
                    + (magics == null ? "null" : magics.getClass().getName()) + ", expected " + Magics.class.getName());
        }
        BaseKernelSession session = new BaseKernelSession(base);
        Notebook.attach(session);
        register(session, m);
        return session;
    }
}
