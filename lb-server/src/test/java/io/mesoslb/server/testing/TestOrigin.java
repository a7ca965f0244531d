package io.mesoslb.server.testing;

import io.mesoslb.core.Backend;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An HTTP origin on an ephemeral loopback port, with one behaviour per instance. Counts accepted
 * connections and requests and records request heads as they arrive.
 */
public final class TestOrigin implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    public final Queue<RecordedRequest> recorded = new ConcurrentLinkedQueue<>();
    /** Request body bytes received (streaming behaviours). */
    public final AtomicLong bodyBytes = new AtomicLong();
    /** Response body bytes handed to the socket (download behaviour). */
    public final AtomicLong sentBytes = new AtomicLong();
    /** True while the download behaviour waits for its channel to become writable, or a stalling sink is not reading. */
    public volatile boolean blocked;
    /** Channels accepted, most recent last. */
    public final Queue<Channel> channels = new ConcurrentLinkedQueue<>();

    private TestOrigin(Consumer<ChannelPipeline> behaviour) {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.SO_SNDBUF, 64 * 1024)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        int id = connections.incrementAndGet();
                        channels.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new Recorder(id));
                        behaviour.accept(ch.pipeline());
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public Backend backend(String appId) {
        return new Backend("127.0.0.1", port(), appId.replace('/', '_') + "." + port(), appId);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Counts and records each request head; passes everything on. */
    private final class Recorder extends ChannelInboundHandlerAdapter {
        private final int connectionId;

        Recorder(int connectionId) {
            this.connectionId = connectionId;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                requests.incrementAndGet();
                recorded.add(RecordedRequest.of((HttpRequest) msg, connectionId));
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    /** Answers every request with 200 and {@code marker} as the body. */
    public static TestOrigin marker(String marker) {
        return aggregating((ctx, req) -> text(HttpResponseStatus.OK, marker));
    }

    /** Answers 200 with {@code <marker> <Host> <target>}: which app served the request, and what it was asked. */
    public static TestOrigin hostAndTarget(String marker) {
        return aggregating((ctx, req) -> text(HttpResponseStatus.OK,
                marker + " " + req.headers().get(HttpHeaderNames.HOST) + " " + req.uri()));
    }

    /** Answers with the request body, and the connection number in {@code X-Connection}. */
    public static TestOrigin echo() {
        return aggregating((ctx, req) -> {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    req.content().retain());
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
            return r;
        });
    }

    /** Answers with the request's trailer fields, {@code name=value;} each, names in lower case. */
    public static TestOrigin trailerEcho() {
        return aggregating((ctx, req) -> {
            StringBuilder b = new StringBuilder();
            req.trailingHeaders().forEach(e -> b.append(e.getKey().toLowerCase(java.util.Locale.ROOT)).append('=')
                    .append(e.getValue()).append(';'));
            return text(HttpResponseStatus.OK, b.toString());
        });
    }

    /** Answers 302 to {@code location}, with the request target and Host it saw as the body ({@code <target> <host>}). */
    public static TestOrigin redirecting(String location) {
        return aggregating((ctx, req) -> {
            FullHttpResponse r = text(HttpResponseStatus.FOUND, req.uri() + " " + req.headers().get(HttpHeaderNames.HOST));
            r.headers().set(HttpHeaderNames.LOCATION, location);
            return r;
        });
    }

    /** Answers with a chunked body sent in two pieces. */
    public static TestOrigin chunked(String first, String second) {
        return new TestOrigin(p -> p.addLast(new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(head, true);
                ctx.write(head);
                ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(first, StandardCharsets.UTF_8)));
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(second, StandardCharsets.UTF_8)));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }));
    }

    /** Answers as an HTTP/1.0 server: no Content-Length, the body ends when it closes the connection. */
    public static TestOrigin http10(String body) {
        return new TestOrigin(p -> p.addLast(new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK));
                ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }));
    }

    /** Reads requests and never answers. */
    public static TestOrigin silent() {
        return new TestOrigin(p -> p.addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }
        }));
    }

    /**
     * Answers each request with 200 and {@code marker}, but only once {@code release} completes: a
     * backend slower than its client, holding every request it got open until then.
     */
    public static TestOrigin held(String marker, CompletableFuture<Void> release) {
        return new TestOrigin(p -> p.addLast(new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                release.thenRun(() -> ctx.executor().execute(() -> ctx.writeAndFlush(text(HttpResponseStatus.OK, marker))));
            }
        }));
    }

    /** Closes the connection as soon as a request head arrives. */
    public static TestOrigin closing() {
        return new TestOrigin(p -> p.addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                ctx.close();
            }
        }));
    }

    /**
     * Answers the first request on each connection ({@code marker}, keep-alive) and closes the
     * connection, unanswered, when a later one arrives on it: a backend whose keep-alive timeout
     * ran out just as the proxy reused the connection.
     */
    public static TestOrigin oneRequestPerConnection(String marker) {
        return new TestOrigin(p -> p.addLast(new HttpObjectAggregator(1 << 20), new SimpleChannelInboundHandler<FullHttpRequest>() {
            private boolean answered;

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                if (answered) {
                    ctx.close();
                    return;
                }
                answered = true;
                ctx.writeAndFlush(text(HttpResponseStatus.OK, marker));
            }
        }));
    }

    /**
     * Answers like {@link #marker}, and closes a keep-alive connection left idle for {@code idleMillis} after an
     * answer. The clock starts with the first answer: a new connection is never closed before the request it was
     * made for, however slowly the machine brings it.
     */
    public static TestOrigin closingIdleConnections(String marker, long idleMillis) {
        return aggregating((ctx, req) -> {
            if (ctx.pipeline().get(io.netty.handler.timeout.IdleStateHandler.class) == null) {
                ctx.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
                        if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
                            c.close();
                        }
                    }
                });
                ctx.pipeline().addFirst(new io.netty.handler.timeout.IdleStateHandler(0, 0, idleMillis,
                        TimeUnit.MILLISECONDS));
            }
            return text(HttpResponseStatus.OK, marker);
        });
    }

    /** Answers every request with the status {@code status} gives at that moment, {@code marker} as body. */
    public static TestOrigin withStatus(java.util.function.IntSupplier status, String marker) {
        return aggregating((ctx, req) -> text(HttpResponseStatus.valueOf(status.getAsInt()), marker));
    }

    /**
     * Answers each request head at once with {@code status} and {@code marker}, keeping the
     * connection, without sending 100 Continue or waiting for the body (which it drops): a backend
     * that refuses an upload by its headers, e.g. with 401 or 413.
     */
    public static TestOrigin answeringHeads(HttpResponseStatus status, String marker) {
        return new TestOrigin(p -> p.addLast(new SimpleChannelInboundHandler<HttpObject>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                if (msg instanceof HttpRequest) {
                    ctx.writeAndFlush(text(status, marker));
                }
            }
        }));
    }

    /** Counts request body bytes as they stream in; answers with the count once the body ends. */
    public static TestOrigin sink() {
        return stallingSink(-1, CompletableFuture.completedFuture(null));
    }

    /**
     * A {@link #sink()} that stops reading its socket once {@code stopAt} body bytes have arrived
     * (never, if negative) until {@code resume} completes: a backend slower than its client.
     */
    public static TestOrigin stallingSink(long stopAt, CompletableFuture<Void> resume) {
        TestOrigin[] self = new TestOrigin[1];
        self[0] = new TestOrigin(p -> p.addLast(new ChannelInboundHandlerAdapter() {
            private long count;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    count = 0;
                }
                if (msg instanceof HttpContent) {
                    int n = ((HttpContent) msg).content().readableBytes();
                    count += n;
                    long total = self[0].bodyBytes.addAndGet(n);
                    if (stopAt >= 0 && total >= stopAt && !resume.isDone() && ctx.channel().config().isAutoRead()) {
                        ctx.channel().config().setAutoRead(false);
                        self[0].blocked = true;
                        resume.thenRun(() -> ctx.channel().eventLoop().execute(() -> {
                            self[0].blocked = false;
                            ctx.channel().config().setAutoRead(true);
                        }));
                    }
                }
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last) {
                    ctx.writeAndFlush(text(HttpResponseStatus.OK, Long.toString(count)));
                }
            }
        }));
        return self[0];
    }

    /**
     * Sends {@code size} bytes (content-length framed) as fast as the connection takes them,
     * stopping at {@code pauseAt} bytes until {@code resume} completes.
     */
    public static TestOrigin download(long size, long pauseAt, CompletableFuture<Void> resume) {
        TestOrigin[] self = new TestOrigin[1];
        self[0] = new TestOrigin(p -> p.addLast(new Downloader(self, size, pauseAt, resume)));
        return self[0];
    }

    private static final class Downloader extends ChannelInboundHandlerAdapter {
        private static final int CHUNK = 64 * 1024;
        private final TestOrigin[] self;
        private final long size;
        private final long pauseAt;
        private final CompletableFuture<Void> resume;
        private ChannelHandlerContext ctx;
        private long remaining = -1;
        private boolean pumping;

        Downloader(TestOrigin[] self, long size, long pauseAt, CompletableFuture<Void> resume) {
            this.self = self;
            this.size = size;
            this.pauseAt = pauseAt;
            this.resume = resume;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            this.ctx = ctx;
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(head, size);
                ctx.write(head);
                remaining = size;
                pump();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump();
        }

        private void pump() {
            // Writes fire writability events, which call back in here; the outer loop carries on.
            if (remaining <= 0 || pumping) {
                return;
            }
            pumping = true;
            try {
                pumpWhileWritable();
            } finally {
                pumping = false;
            }
        }

        private void pumpWhileWritable() {
            while (remaining > 0) {
                long sent = size - remaining;
                if (sent == pauseAt && !resume.isDone()) {
                    ctx.flush();
                    resume.thenRun(() -> ctx.executor().execute(this::pump));
                    return;
                }
                if (!ctx.channel().isWritable()) {
                    ctx.flush();
                    if (!ctx.channel().isWritable()) {
                        self[0].blocked = true;
                        return;
                    }
                }
                self[0].blocked = false;
                int n = (int) Math.min(CHUNK, remaining);
                if (sent < pauseAt) {
                    n = (int) Math.min(n, pauseAt - sent);
                }
                ByteBuf chunk = ctx.alloc().buffer(n).writeZero(n);
                int written = n;
                remaining -= n;
                boolean end = remaining == 0;
                ctx.write(end ? new io.netty.handler.codec.http.DefaultLastHttpContent(chunk) : new DefaultHttpContent(chunk))
                        .addListener(f -> self[0].sentBytes.addAndGet(written));
            }
            ctx.flush();
        }
    }

    /** A WebSocket origin at path /ws echoing text frames. */
    public static TestOrigin webSocketEcho() {
        return new TestOrigin(p -> p.addLast(new HttpObjectAggregator(65536),
                new WebSocketServerProtocolHandler("/ws"),
                new WebSocketFrameAggregator(1 << 20),
                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                        ctx.writeAndFlush(new TextWebSocketFrame("echo:" + frame.text()));
                    }
                }));
    }

    @FunctionalInterface
    private interface Responder {
        FullHttpResponse respond(ChannelHandlerContext ctx, FullHttpRequest request);
    }

    private static TestOrigin aggregating(Responder responder) {
        return new TestOrigin(p -> p.addLast(new HttpObjectAggregator(16 << 20), new AggregatedHandler(responder)));
    }

    @ChannelHandler.Sharable
    private static final class AggregatedHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Responder responder;

        AggregatedHandler(Responder responder) {
            this.responder = responder;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpResponse r = responder.respond(ctx, req);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(r, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(r);
            } else {
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
