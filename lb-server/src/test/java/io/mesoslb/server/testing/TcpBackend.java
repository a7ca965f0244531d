package io.mesoslb.server.testing;

import io.mesoslb.core.Backend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain TCP task on a loopback port of its own, one thread per connection, in one of a few
 * behaviours the TCP service-port tests need. What it read from each connection that ended is kept.
 */
public final class TcpBackend implements AutoCloseable {
    /** What the backend does with a connection. */
    public enum Behaviour {
        /** Writes back everything it reads, until the client's FIN; then sends its own. */
        ECHO,
        /** Writes its name first, then echoes. */
        GREET_THEN_ECHO,
        /** Reads until the client's FIN, then answers {@code read <n>} and closes. */
        COUNT_AFTER_EOF,
        /** Writes its name and shuts its output at once, then keeps reading until the client's FIN. */
        FIN_FIRST
    }

    private final String name;
    private final Behaviour behaviour;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    public final AtomicInteger connections = new AtomicInteger();
    /** What each connection read before its client's FIN, in the order the connections ended. */
    public final Queue<String> received = new ConcurrentLinkedQueue<>();

    public TcpBackend(String name, Behaviour behaviour) throws IOException {
        this.name = name;
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** This task as a backend of {@code appId}. */
    public Backend backend(String appId) {
        return new Backend("127.0.0.1", port(), name, appId);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            StringBuilder text = new StringBuilder();
            if (behaviour == Behaviour.GREET_THEN_ECHO || behaviour == Behaviour.FIN_FIRST) {
                out.write(name.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            if (behaviour == Behaviour.FIN_FIRST) {
                s.shutdownOutput();
            }
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
                if (text.length() < 256) {
                    text.append(new String(buf, 0, Math.min(n, 256), StandardCharsets.ISO_8859_1));
                }
                if (behaviour == Behaviour.ECHO || behaviour == Behaviour.GREET_THEN_ECHO) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
            received.add(text.toString());
            if (behaviour == Behaviour.COUNT_AFTER_EOF) {
                out.write(("read " + total).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // The client went away; nothing to keep.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
