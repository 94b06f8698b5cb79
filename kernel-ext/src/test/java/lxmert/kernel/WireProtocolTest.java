package lxmert.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishExecuteResult;
import io.github.spencerpark.jupyter.messages.publish.PublishStream;
import io.github.spencerpark.jupyter.messages.publish.PublishUpdateDisplayData;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import io.github.spencerpark.jupyter.messages.request.InterruptRequest;
import lxmert.kernel.jshell.RedefineAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The kernel over the real Jupyter protocol (ZeroMQ on loopback, signed messages): execute, display updates,
 * and an interrupt_request on the control channel while the cell keeps printing with its interrupt flag set
 * (the situation the {@link OutputPump} guards against); afterwards the kernel answers and keeps its state.
 */
class WireProtocolTest {
    static final String ERROR_REPLY = "error reply";
    private static final String SESSION = UUID.randomUUID().toString();
    private JavaKernel kernel;
    private JupyterConnection connection;
    private ZMQ.Context ctx;
    private final List<Message<?>> iopub = new ArrayList<>();

    /** A client-side socket: basekernel's message framing and signing, connecting instead of binding. */
    static final class Client extends JupyterSocket {
        Client(ZMQ.Context ctx, SocketType type, HMACGenerator hmac, String address) {
            super(ctx, type, hmac, Logger.getLogger("test-client"));
            connect(address);
            if (type == SocketType.SUB) subscribe(new byte[0]);
        }

        @Override
        public void bind(KernelConnectionProperties connProps) {
            throw new UnsupportedOperationException("client");
        }

        /** A message, {@link #ERROR_REPLY}, or null on timeout. */
        Object read(ZMQ.Context ctx, long timeoutMs) {
            ZMQ.Poller poller = ctx.poller(1);
            poller.register(this, ZMQ.Poller.POLLIN);
            int n = poller.poll(timeoutMs);
            poller.close();
            if (n <= 0) return null;
            try {
                return readMessage();
            } catch (ClassCastException e) {
                // basekernel's client-side parsing cannot turn an error reply into the request's reply type
                if (String.valueOf(e.getMessage()).contains("ErrorReply")) return ERROR_REPLY;
                throw e;
            } catch (RuntimeException e) {
                if (getType() != SocketType.SUB.type()) throw e;
                return null; // basekernel cannot parse 'status' messages (kernel-side library); frames are consumed
            }
        }
    }

    private final List<Client> clients = new ArrayList<>();

    @AfterEach
    void close() {
        for (Client c : clients) {
            c.setLinger(0);
            c.close();
        }
        if (connection != null) connection.close();
        if (kernel != null) kernel.close();
        if (ctx != null) ctx.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void executeDisplayAndInterruptOverZeroMq() throws Exception {
        String key = UUID.randomUUID().toString();
        KernelConnectionProperties props = new KernelConnectionProperties("127.0.0.1", freePort(), freePort(),
                freePort(), freePort(), freePort(), "tcp", "hmac-sha256", key);
        kernel = new JavaKernel(KernelConfig.basic(RedefineAgent.attachToSelf(), null));
        LxmertExtension.register(kernel);
        connection = new JupyterConnection(props);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();

        ctx = ZMQ.context(1);
        HMACGenerator hmac = props.createHMACGenerator();
        Client shell = new Client(ctx, SocketType.DEALER, hmac, "tcp://127.0.0.1:" + props.getShellPort());
        Client control = new Client(ctx, SocketType.DEALER, hmac, "tcp://127.0.0.1:" + props.getControlPort());
        Client sub = new Client(ctx, SocketType.SUB, hmac, "tcp://127.0.0.1:" + props.getIopubPort());
        clients.addAll(List.of(shell, control, sub));
        Thread.sleep(500); // let the subscription reach the publisher

        assertEquals(ExecuteReply.Status.OK, execute(shell, "int kept = 7;"));
        assertEquals(ExecuteReply.Status.OK, execute(shell, "String id = display(\"a\");\nupdateDisplay(id, \"b\");"));
        awaitIopub(sub, m -> m.getContent() instanceof PublishUpdateDisplayData, 10_000);

        shell.sendMessage(request("long ticks = 0;\nwhile (true) {\n  ticks++;\n  System.out.println(\"tick \" + ticks);\n"
                + "  if (Thread.currentThread().isInterrupted()) {\n    System.out.println(\"flag set, still printing\");\n"
                + "    throw new IllegalStateException(\"stopped by interrupt\");\n  }\n"
                + "  long until = System.nanoTime() + 20_000_000L;\n  while (System.nanoTime() < until) Thread.onSpinWait();\n}"));
        awaitIopub(sub, m -> m.getContent() instanceof PublishStream s && s.getText().contains("tick"), 20_000);
        control.sendMessage(new Message<>(new Header<>(SESSION, InterruptRequest.MESSAGE_TYPE), new InterruptRequest()));
        Message<?> ir = (Message<?>) control.read(ctx, 10_000);
        assertNotNull(ir, "no interrupt_reply");
        assertEquals(MessageType.INTERRUPT_REPLY, ir.getHeader().getType());
        assertEquals(ERROR_REPLY, awaitReply(shell, 20_000), "the interrupted cell ends with an error reply");
        awaitIopub(sub, m -> m.getContent() instanceof PublishStream s && s.getText().contains("flag set, still printing"),
                10_000);

        assertEquals(ExecuteReply.Status.OK, execute(shell, "kept + 1"));
        Message<?> result = awaitIopub(sub, m -> m.getContent() instanceof PublishExecuteResult, 10_000);
        assertEquals("8", ((PublishExecuteResult) result.getContent()).getData(MIMEType.TEXT_PLAIN));
        assertEquals(ExecuteReply.Status.OK, execute(shell, "ticks > 0"), "state of the interrupted cell is kept");
    }

    /** The packaged entry point as a process: SIGINT interrupts the running cell instead of ending the kernel. */
    @Test
    void sigintInterruptsTheRunningCellOfAKernelProcess(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        KernelConnectionProperties props = new KernelConnectionProperties("127.0.0.1", freePort(), freePort(),
                freePort(), freePort(), freePort(), "tcp", "hmac-sha256", UUID.randomUUID().toString());
        java.nio.file.Path conn = tmp.resolve("connection.json");
        java.nio.file.Files.writeString(conn, props.toJsonString());
        java.nio.file.Path log = tmp.resolve("kernel.log");
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), "lxmert.kernel.Main", conn.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            ctx = ZMQ.context(1);
            HMACGenerator hmac = props.createHMACGenerator();
            Client shell = new Client(ctx, SocketType.DEALER, hmac, "tcp://127.0.0.1:" + props.getShellPort());
            Client sub = new Client(ctx, SocketType.SUB, hmac, "tcp://127.0.0.1:" + props.getIopubPort());
            clients.addAll(List.of(shell, sub));
            shell.sendMessage(request("int kept = 3;"));
            Object first = shell.read(ctx, 60_000);
            assertNotNull(first, "kernel process did not answer within 60 s; log:\n" + java.nio.file.Files.readString(log));
            shell.sendMessage(request("System.out.println(\"started\");\nwhile (true) { Thread.sleep(20); }"));
            awaitIopub(sub, m -> m.getContent() instanceof PublishStream s && s.getText().contains("started"), 30_000);
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
            assertEquals(0, kill.waitFor(), "kill -INT failed");
            assertEquals(ERROR_REPLY, awaitReply(shell, 20_000), "the interrupted cell ends with an error reply");
            assertTrue(p.isAlive(), "SIGINT must not end the kernel; log:\n" + java.nio.file.Files.readString(log));
            assertEquals(ExecuteReply.Status.OK, execute(shell, "kept * 2"));
            Message<?> result = awaitIopub(sub, m -> m.getContent() instanceof PublishExecuteResult, 10_000);
            assertEquals("6", ((PublishExecuteResult) result.getContent()).getData(MIMEType.TEXT_PLAIN));
        } finally {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    private static Message<ExecuteRequest> request(String code) {
        return new Message<>(new Header<>(SESSION, ExecuteRequest.MESSAGE_TYPE),
                new ExecuteRequest(code, false, true, Map.of(), false, true));
    }

    private ExecuteReply.Status execute(Client shell, String code) {
        shell.sendMessage(request(code));
        Object reply = awaitReply(shell, 30_000);
        if (reply == ERROR_REPLY) fail("cell failed: " + code + "\niopub so far: " + iopub);
        return ((ExecuteReply) ((Message<?>) reply).getContent()).getStatus();
    }

    private Object awaitReply(Client shell, long timeoutMs) {
        Object m = shell.read(ctx, timeoutMs);
        assertNotNull(m, "no execute_reply within " + timeoutMs + " ms");
        return m;
    }

    private Message<?> awaitIopub(Client sub, Predicate<Message<?>> wanted, long timeoutMs) {
        for (Message<?> m : iopub) {
            if (wanted.test(m)) {
                iopub.remove(m);
                return m;
            }
        }
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            Message<?> m = (Message<?>) sub.read(ctx, 200);
            if (m == null) continue;
            if (wanted.test(m)) return m;
            if (iopub.size() < 10_000) iopub.add(m);
        }
        fail("no matching iopub message within " + timeoutMs + " ms; saw " + iopub.size() + " others");
        return null;
    }
}
