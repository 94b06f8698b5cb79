package lxmert.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Carries a running cell's output (stdout, stderr, display and update-display messages) from whatever thread
 * produces it to the kernel's shell thread, which alone writes to the Jupyter sockets.
 *
 * <p>Why: ZeroMQ sockets are not thread safe, and jeromq signals through NIO pipes, which the JDK closes for good
 * when a thread with its interrupt flag set blocks in them. Interrupting the cell's thread must never put the
 * kernel's connection at risk, so that thread never touches a socket: it only enqueues (a defensive design: in
 * our tests a cell printing with its flag set did not break jeromq 0.5.1 even without the pump). The pump also
 * keeps the order of text and displays and merges consecutive text into few messages. Output produced while no cell runs
 * is dropped (it would belong to no cell).
 */
public final class OutputPump {
    private static final long POLL_MS = 50;
    private static final int MAX_MERGE = 1 << 20;

    /** One queued output: stdout/stderr text or a (update-)display message. */
    private record Item(Kind kind, String text, DisplayData data) {
    }

    private enum Kind { OUT, ERR, DISPLAY, UPDATE }

    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final PumpStream outBytes = new PumpStream(true);
    private final PumpStream errBytes = new PumpStream(false);
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private volatile boolean active;

    /** A stream whose text becomes the running cell's stdout. */
    public PrintStream out() {
        return out;
    }

    /** A stream whose text becomes the running cell's stderr. */
    public PrintStream err() {
        return err;
    }

    /** Enqueues a display message (any thread). */
    public void display(DisplayData data) {
        flushStreams();
        submit(new Item(Kind.DISPLAY, null, data));
    }

    /** Enqueues an update-display message (any thread). */
    public void updateDisplay(DisplayData data) {
        flushStreams();
        submit(new Item(Kind.UPDATE, null, data));
    }

    private void submit(Item item) {
        if (active) queue.add(item);
    }

    private void flushStreams() {
        out.flush();
        err.flush();
    }

    /**
     * On the shell thread: forwards output to {@code sink} until {@code task} completes, then forwards what is
     * left and returns the task's result (rethrowing its exception).
     */
    public <T> T pumpUntilDone(Future<T> task, KernelOutput sink) throws Exception {
        try {
            while (!task.isDone()) {
                Item a = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (a != null) forward(a, sink);
                else flushStreams(); // text printed without a newline shows up while the cell runs
            }
            flushStreams();
            drain(sink);
            return task.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception) throw (Exception) c;
            if (c instanceof Error) throw (Error) c;
            throw e;
        }
    }

    private void drain(KernelOutput sink) {
        Item a;
        while ((a = queue.poll()) != null) forward(a, sink);
    }

    /**
     * Sends one item; text is merged with the text of the same stream queued right behind it, so a cell printing
     * thousands of lines sends a few large stream messages instead of thousands of small ones.
     */
    private void forward(Item a, KernelOutput sink) {
        switch (a.kind()) {
            case DISPLAY -> sink.display(a.data());
            case UPDATE -> sink.updateDisplay(a.data());
            case OUT, ERR -> {
                StringBuilder text = new StringBuilder(a.text());
                Item next;
                while ((next = queue.peek()) != null && next.kind() == a.kind() && text.length() < MAX_MERGE) {
                    text.append(queue.poll().text());
                }
                if (a.kind() == Kind.OUT) sink.stdout(text.toString());
                else sink.stderr(text.toString());
            }
        }
    }

    /** Starts accepting output (a cell starts). */
    public void open() {
        queue.clear();
        active = true;
    }

    /** Stops accepting output and drops anything not forwarded (the cell ended). */
    public void close() {
        active = false;
        queue.clear();
    }

    /** Collects bytes and, on flush, enqueues them as text for one stream. */
    private final class PumpStream extends OutputStream {
        private final boolean stdout;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        PumpStream(boolean stdout) {
            this.stdout = stdout;
        }

        @Override
        public synchronized void write(int b) {
            buf.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buf.write(b, off, len);
        }

        @Override
        public synchronized void flush() {
            if (buf.size() == 0) return;
            String text = buf.toString(StandardCharsets.UTF_8);
            buf.reset();
            submit(new Item(stdout ? Kind.OUT : Kind.ERR, text, null));
        }
    }
}
