package io.mesoslb.server.testing;

import io.mesoslb.core.Backend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback listener whose accept queue is full, so that a connect to it hangs: the kernel drops its SYNs, and the
 * connecting side sends them again (after 1 s, 3 s, ...) until {@link #accept()} has made room. Two connections of
 * its own fill the queue (a backlog of 1 queues two); they are the first two accepted.
 */
public final class FullAcceptQueue implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket();
    private final List<Socket> sockets = new ArrayList<>();

    public FullAcceptQueue() throws IOException {
        try {
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            listener.setSoTimeout(20_000);
            for (int i = 0; i < 2; i++) {
                Socket filler = new Socket();
                sockets.add(filler);
                filler.connect(listener.getLocalSocketAddress(), 2_000);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    public Backend backend(String taskId, String appId) {
        return new Backend("127.0.0.1", listener.getLocalPort(), taskId, appId);
    }

    /** The next connection in the queue (closed with this), waiting up to 20 s for one. */
    public Socket accept() throws IOException {
        Socket s = listener.accept();
        sockets.add(s);
        return s;
    }

    @Override
    public void close() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        listener.close();
    }
}
