package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;

import java.util.UUID;

/**
 * A {@link NotebookSession} over any basekernel kernel, used inside a stock IJava kernel. Displays are published
 * directly on the caller's thread (IJava's own model); magics cannot declare variables (they run inside a JShell
 * snippet, where evaluating another snippet is not possible), so {@code --into} only binds the value by name;
 * and IJava's interrupt stops cells with {@code Thread.stop} without setting {@link Interrupts}.
 */
public final class BaseKernelSession implements NotebookSession {
    private final BaseKernel kernel;
    private final Interrupts interrupts = new Interrupts();
    private final BindingRegistry bindings = new BindingRegistry();

    public BaseKernelSession(BaseKernel kernel) {
        this.kernel = kernel;
    }

    /** The wrapped kernel. */
    public BaseKernel kernel() {
        return kernel;
    }

    @Override
    public Renderer renderer() {
        return kernel.getRenderer();
    }

    @Override
    public String publishDisplay(DisplayData data) {
        if (!data.hasDisplayId()) data.setDisplayId(UUID.randomUUID().toString());
        kernel.getIO().display.display(data);
        return data.getDisplayId();
    }

    @Override
    public void publishUpdate(String displayId, DisplayData data) {
        kernel.getIO().display.updateDisplay(displayId, data);
    }

    @Override
    public Interrupts interrupts() {
        return interrupts;
    }

    @Override
    public BindingRegistry bindings() {
        return bindings;
    }

    @Override
    public boolean declareVariable(String name, String typeName, Object value) {
        bindings.put(name, value);
        return false;
    }
}
