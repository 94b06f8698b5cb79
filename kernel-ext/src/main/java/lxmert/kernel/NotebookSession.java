package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;

/**
 * What the magics, renderers and progress displays need from the kernel they run in. Implemented by this
 * project's {@link JavaKernel} and, for a stock IJava kernel, by {@link BaseKernelSession}.
 */
public interface NotebookSession {
    /** The kernel's renderer (where renderers are registered and objects are turned into display data). */
    Renderer renderer();

    /**
     * Publishes {@code data} as a {@code display_data} output of the running cell. Assigns a fresh display id
     * when {@code data} has none and returns the id (for {@link #publishUpdate}).
     */
    String publishDisplay(DisplayData data);

    /** Replaces the output published under {@code displayId} ({@code update_display_data}). */
    void publishUpdate(String displayId, DisplayData data);

    /** The interrupt flag of this kernel (set when the user interrupts the running cell). */
    Interrupts interrupts();

    /** Objects handed from magics to notebook code by name (see {@link Bindings}). */
    BindingRegistry bindings();

    /**
     * Makes {@code value} available to later cells as a variable {@code name} of type {@code typeName}.
     * Returns {@code false} when the kernel cannot declare variables from a magic; the value is then only in
     * {@link #bindings()} and the user declares it with {@code var name = lxmert.kernel.Bindings.get("name");}.
     */
    boolean declareVariable(String name, String typeName, Object value) throws Exception;
}
