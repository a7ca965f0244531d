package io.mesoslb.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port number for a test that needs a number rather than a listener of its own: a dead backend, or the
 * port a component is told in advance (a service port, a child process's configuration). It is held by a socket
 * that is bound and never listens, for as long as this is open, so no bind to port 0 on the machine is given it and
 * no outgoing connection takes it as its source port. A number probed by binding port 0 and released at once is
 * free for anyone until it is used, and other processes (tests, benchmarks, the children they start) bind port 0
 * all the time.
 */
public final class LoopbackPort implements AutoCloseable {
    private final Socket holder;

    private LoopbackPort(boolean shared) {
        try {
            holder = new Socket();
            holder.setReuseAddress(shared);
            holder.bind(new InetSocketAddress(LoopbackServer.HOST, 0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port", e);
        }
    }

    /** A port that refuses every connection while this is open: nothing else can bind it. */
    public static LoopbackPort refusing() {
        return new LoopbackPort(false);
    }

    /**
     * A port kept for a listener that is told the number and binds it later, with {@code SO_REUSEADDR} (as the
     * JDK's server sockets, Netty's and nginx's and HAProxy's listeners do): Linux lets a listener share a port with
     * a bound socket that does not listen when both ask to. Until it listens, connections are refused.
     */
    public static LoopbackPort forListener() {
        return new LoopbackPort(true);
    }

    public String host() {
        return LoopbackServer.HOST;
    }

    public int port() {
        return holder.getLocalPort();
    }

    /** Gives the number back; a listener that bound it keeps it. */
    @Override
    public void close() {
        try {
            holder.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "LoopbackPort[" + host() + ":" + port() + "]";
    }
}
