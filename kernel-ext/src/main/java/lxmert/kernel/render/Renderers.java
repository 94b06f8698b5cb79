package lxmert.kernel.render;

import io.github.spencerpark.jupyter.kernel.display.Renderer;

/** Registers every renderer of this module: XChart charts as PNG, Tablesaw tables as HTML. */
public final class Renderers {
    private Renderers() {
    }

    /** Registers all renderers on {@code renderer}. */
    public static void registerAll(Renderer renderer) {
        ChartRenderer.register(renderer);
        TableRenderer.register(renderer);
    }
}
