package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

import java.util.ArrayList;
import java.util.List;

/** Records what a kernel publishes, in order (stands in for the IOPub channel). */
final class RecordingOutput implements KernelOutput {
    /** One published message: kind is stdout, stderr, display or update. */
    record Event(String kind, String text, DisplayData data) {
    }

    final List<Event> events = new ArrayList<>();

    @Override
    public synchronized void stdout(String text) {
        events.add(new Event("stdout", text, null));
    }

    @Override
    public synchronized void stderr(String text) {
        events.add(new Event("stderr", text, null));
    }

    @Override
    public synchronized void display(DisplayData data) {
        events.add(new Event("display", null, data));
    }

    @Override
    public synchronized void updateDisplay(DisplayData data) {
        events.add(new Event("update", null, data));
    }

    synchronized String stdout() {
        StringBuilder sb = new StringBuilder();
        events.stream().filter(e -> e.kind.equals("stdout")).forEach(e -> sb.append(e.text));
        return sb.toString();
    }

    synchronized String stderr() {
        StringBuilder sb = new StringBuilder();
        events.stream().filter(e -> e.kind.equals("stderr")).forEach(e -> sb.append(e.text));
        return sb.toString();
    }

    synchronized List<Event> ofKind(String kind) {
        return events.stream().filter(e -> e.kind.equals(kind)).toList();
    }

    synchronized void clear() {
        events.clear();
    }
}
