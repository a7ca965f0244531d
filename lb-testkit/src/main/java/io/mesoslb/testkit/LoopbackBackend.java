package io.mesoslb.testkit;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny HTTP/1.1 keep-alive server on {@code 127.0.0.1:<free port>} standing in for a task: it answers every
 * request {@code 200} with the task id as body and in {@code X-Task-Id}, and counts connections and requests.
 * Each response also says, in {@code X-Received-Nanos}, the {@link System#nanoTime()} at which its request's head
 * had been read, and in {@code X-Accepted-Nanos} the one at which its connection had been accepted, so a measurement
 * through a proxy can tell the proxy's share from the backend's, and a connection the proxy opened for the request
 * from one it had open before (on Linux every JVM on the host reads the same clock). Stopping it closes the listener and every open connection, like a killed
 * process.
 */
public final class LoopbackBackend extends LoopbackServer {
    public static final String TASK_ID_HEADER = "X-Task-Id";
    public static final String RECEIVED_NANOS_HEADER = "X-Received-Nanos";
    public static final String ACCEPTED_NANOS_HEADER = "X-Accepted-Nanos";
    private static final byte[] WARM_UP_REQUEST = "GET / HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int WARM_UP_TIMEOUT_MS = 5_000;

    private final byte[] body;
    private final AtomicInteger requests = new AtomicInteger();

    private LoopbackBackend(EventLoopGroup group, EventLoopGroup ownedGroup, String taskId) {
        super(group, ownedGroup, taskId, false);
        this.body = taskId.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    void handlers(ChannelPipeline pipeline) {
        pipeline.addLast(new HttpServerCodec(), new TaskIdResponder(!warming()));
    }

    /**
     * Answers one request of its own, uncounted, on a connection it then closes, and returns once that is done: a
     * task's process that is up and has served, as a real one is by the time Marathon announces it running. Its
     * listener has accepted, and its connection handlers have read and written, before anyone else connects.
     *
     * @throws UncheckedIOException when the server does not answer
     */
    public void warmUp() {
        uncounted(() -> {
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(WARM_UP_TIMEOUT_MS);
                s.connect(address(), WARM_UP_TIMEOUT_MS);
                s.getOutputStream().write(WARM_UP_REQUEST);
                byte[] response = s.getInputStream().readAllBytes();
                if (response.length == 0) {
                    throw new IOException("no answer");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("warming up " + this, e);
            }
        });
    }

    /** Starts a backend on its own single-threaded event loop group, released again by {@link #stop()}. */
    public static LoopbackBackend start(String taskId) {
        return onOwnGroup(group -> new LoopbackBackend(group, group, taskId));
    }

    /** Starts a backend on a shared group, which the caller keeps owning. */
    public static LoopbackBackend start(EventLoopGroup group, String taskId) {
        return new LoopbackBackend(Objects.requireNonNull(group, "group"), null, taskId);
    }

    public URI uri() {
        return URI.create("http://" + HOST + ":" + port() + "/");
    }

    /** Requests answered so far. */
    public int requests() {
        return requests.get();
    }

    /** Answers once the whole request (head and any body) has arrived, so bodies of any size are drained. */
    private final class TaskIdResponder extends SimpleChannelInboundHandler<HttpObject> {
        private final boolean counted;
        /** Made as the connection is accepted, before anything is read from it. */
        private final long acceptedNanos = System.nanoTime();
        private boolean keepAlive;
        private boolean http10;
        private long receivedNanos;

        TaskIdResponder(boolean counted) {
            this.counted = counted;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            if (msg instanceof HttpRequest request) {
                receivedNanos = System.nanoTime();
                keepAlive = HttpUtil.isKeepAlive(request);
                http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
            }
            if (msg instanceof LastHttpContent) {
                respond(ctx);
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            if (counted) {
                requests.incrementAndGet();
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(TASK_ID_HEADER, taskId())
                    .set(RECEIVED_NANOS_HEADER, Long.toString(receivedNanos))
                    .set(ACCEPTED_NANOS_HEADER, Long.toString(acceptedNanos));
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
