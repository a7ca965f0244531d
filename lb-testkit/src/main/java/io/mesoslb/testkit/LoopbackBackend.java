package io.mesoslb.testkit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A tiny HTTP/1.1 keep-alive server on {@code 127.0.0.1:<free port>} standing in for a task: it answers every
 * request {@code 200} with the task id as body and in {@code X-Task-Id}, and counts connections and requests.
 * Stopping it closes the listener and every open connection, like a killed process.
 */
public final class LoopbackBackend implements AutoCloseable {
    public static final String TASK_ID_HEADER = "X-Task-Id";
    private static final String HOST = "127.0.0.1";

    private final String taskId;
    private final byte[] body;
    private final EventLoopGroup ownedGroup;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Listener listener;
    private final int port;
    private volatile boolean stopped;

    private LoopbackBackend(EventLoopGroup group, EventLoopGroup ownedGroup, String taskId) {
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.body = taskId.getBytes(StandardCharsets.UTF_8);
        this.ownedGroup = ownedGroup;
        this.listener = (Listener) new ServerBootstrap()
                .group(group)
                .channelFactory(Listener::new)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new TaskIdResponder());
                    }
                })
                .bind(HOST, 0)
                .syncUninterruptibly()
                .channel();
        this.port = listener.localAddress().getPort();
    }

    /** Starts a backend on its own single-threaded event loop group, released again by {@link #stop()}. */
    public static LoopbackBackend start(String taskId) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            return new LoopbackBackend(group, group, taskId);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Starts a backend on a shared group, which the caller keeps owning. */
    public static LoopbackBackend start(EventLoopGroup group, String taskId) {
        return new LoopbackBackend(Objects.requireNonNull(group, "group"), null, taskId);
    }

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

    public URI uri() {
        return URI.create("http://" + HOST + ":" + port + "/");
    }

    /** Requests answered so far. */
    public int requests() {
        return requests.get();
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
        return "LoopbackBackend[" + taskId + "@" + HOST + ":" + port + (stopped ? ", stopped]" : "]");
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
        }
    }

    /** Answers once the whole request (head and any body) has arrived, so bodies of any size are drained. */
    private final class TaskIdResponder extends SimpleChannelInboundHandler<HttpObject> {
        private boolean keepAlive;
        private boolean http10;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            if (msg instanceof HttpRequest request) {
                keepAlive = HttpUtil.isKeepAlive(request);
                http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
            }
            if (msg instanceof LastHttpContent) {
                respond(ctx);
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            requests.incrementAndGet();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(TASK_ID_HEADER, taskId);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                if (http10) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.writeAndFlush(response);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A client resetting the connection is routine for a backend under test; nothing to report.
            ctx.close();
        }
    }
}
