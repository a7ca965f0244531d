package io.mesoslb.testkit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A task's server on {@code 127.0.0.1:<free port>}, whatever it speaks: counts its connections, and stopping it
 * closes the listener and every connection, like a killed process ({@link LoopbackBackend}, {@link TcpEchoBackend}).
 */
public abstract class LoopbackServer implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final String taskId;
    private final EventLoopGroup ownedGroup;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger accepted = new AtomicInteger();
    private final Listener listener;
    private final int port;
    private volatile boolean stopped;
    /** While true, an accepted connection is the server's own warm-up ({@link LoopbackBackend#warmUp}): uncounted. */
    private volatile boolean warming;
    private final AtomicInteger warmUps = new AtomicInteger();

    /**
     * @param ownedGroup {@code group} when this server owns it (shut down by {@link #stop()}), else null
     * @param halfClosure whether a connection stays open for writing after the peer stopped sending
     */
    LoopbackServer(EventLoopGroup group, EventLoopGroup ownedGroup, String taskId, boolean halfClosure) {
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.ownedGroup = ownedGroup;
        // Its connections on the listener's own loop, as a task's process serves them: no hand-over between threads
        // from accept to the first read, which on a shared machine delayed a new task's first request.
        EventLoop loop = Objects.requireNonNull(group, "group").next();
        this.listener = (Listener) new ServerBootstrap()
                .group(loop, loop)
                .channelFactory(Listener::new)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, halfClosure)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Before it is counted: a connection seen counted has its handlers (and their accept time).
                        handlers(ch.pipeline());
                        // The warm-up's connection is closed by the server before warmUp returns: nothing to stop.
                        if (!warming) {
                            accepted.incrementAndGet();
                            connections.add(ch);
                        }
                    }
                })
                .bind(HOST, 0)
                .syncUninterruptibly()
                .channel();
        this.port = listener.localAddress().getPort();
    }

    /**
     * Starts a server on a single-threaded event loop group of its own, which its {@link #stop()} shuts down
     * (at once, should the start fail).
     *
     * @param start makes the server on the group, as the group's owner
     */
    static <T extends LoopbackServer> T onOwnGroup(Function<EventLoopGroup, T> start) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            return start.apply(group);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Runs {@code exchange}, a connection of the server's own, without counting its connection. */
    final void uncounted(Runnable exchange) {
        warming = true;
        try {
            exchange.run();
            warmUps.incrementAndGet();
        } finally {
            warming = false;
        }
    }

    /** Connections of its own it has served (a warm-up), not in {@link #connectionsAccepted()}. */
    public int warmUps() {
        return warmUps.get();
    }

    /** Whether the connection being accepted now is the server's own warm-up; for {@link #handlers}. */
    final boolean warming() {
        return warming;
    }

    /** Adds what serves one accepted connection. */
    abstract void handlers(ChannelPipeline pipeline);

    public String taskId() {
        return taskId;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(HOST, port);
    }

    /** Connections accepted so far. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Connections currently open. */
    public int openConnections() {
        return connections.size();
    }

    public boolean isRunning() {
        return !stopped;
    }

    /** Closes the listener and all connections; waits for that unless called from an event loop. Idempotent. */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        boolean mayBlock = !listener.eventLoop().inEventLoop();
        var closed = listener.close();
        var dropped = connections.close();
        if (mayBlock) {
            closed.syncUninterruptibly();
            dropped.awaitUninterruptibly();
            listener.awaitSocketReleased();
        }
        if (ownedGroup != null) {
            ownedGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + taskId + "@" + HOST + ":" + port + (stopped ? ", stopped]" : "]");
    }

    /**
     * The JDK closes a listening socket that is registered with a selector only once the selector processed the
     * cancelled key, slightly after Netty's close future completes; until then new connections still land in the
     * backlog. {@link #stop()} waits for the real close so that "stopped" reliably means "connection refused".
     */
    private static final class Listener extends NioServerSocketChannel {
        void awaitSocketReleased() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (javaChannel().isRegistered() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
            // The selector drops the key (isRegistered turns false) and only then closes the socket, in the same
            // select call on the event loop: a task run after it has returned.
            if (!eventLoop().isShuttingDown()) {
                eventLoop().submit(() -> { }).syncUninterruptibly();
            }
        }
    }
}
