package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.JupyterIO;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;

/**
 * Where a cell's output goes. {@link #jupyter(JupyterIO)} publishes on the kernel's IOPub channel; tests record.
 * Called only from the kernel's shell thread (see {@link OutputPump}).
 */
public interface KernelOutput {
    /** Text written to the cell's stdout. */
    void stdout(String text);

    /** Text written to the cell's stderr. */
    void stderr(String text);

    /** A {@code display_data} message. */
    void display(DisplayData data);

    /** An {@code update_display_data} message ({@code data} carries the display id). */
    void updateDisplay(DisplayData data);

    /** Output over basekernel's Jupyter streams (attached to the running execute request). */
    static KernelOutput jupyter(JupyterIO io) {
        return new KernelOutput() {
            @Override
            public void stdout(String text) {
                io.out.print(text);
                io.out.flush();
            }

            @Override
            public void stderr(String text) {
                io.err.print(text);
                io.err.flush();
            }

            @Override
            public void display(DisplayData data) {
                io.display.display(data);
            }

            @Override
            public void updateDisplay(DisplayData data) {
                io.display.updateDisplay(data);
            }
        };
    }
}
