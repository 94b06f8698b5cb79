package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link NotebookSession} that records displays, updates and declared variables (no kernel). */
public final class RecordingSession implements NotebookSession {
    public final Renderer renderer = new Renderer();
    public final List<DisplayData> displays = new ArrayList<>();
    public final List<DisplayData> updates = new ArrayList<>();
    public final Map<String, String> declared = new LinkedHashMap<>();
    private final Interrupts interrupts = new Interrupts();
    private final BindingRegistry bindings = new BindingRegistry();
    private int ids;

    @Override
    public Renderer renderer() {
        return renderer;
    }

    @Override
    public String publishDisplay(DisplayData data) {
        if (!data.hasDisplayId()) data.setDisplayId("id" + (++ids));
        displays.add(data);
        return data.getDisplayId();
    }

    @Override
    public void publishUpdate(String displayId, DisplayData data) {
        data.setDisplayId(displayId);
        updates.add(data);
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
        declared.put(name, typeName);
        return true;
    }
}
