package io.mesoslb.server.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Netty's HTTP/2 client over a real socket, h2c by prior knowledge or h2 over TLS (ALPN, any
 * certificate), with one stream per request and each stream's frames at hand: for the tests that
 * curl cannot drive (a stream that stops reading, a request the server must refuse, a drain).
 */
public final class H2Client implements AutoCloseable {
    /** What a stream got back: the final status, its headers, the body, or the reset that ended it. */
    public record Response(int status, Http2Headers headers, String body, long resetCode) {
    }

    /** A GOAWAY the server sent. */
    public record GoAway(int lastStreamId, long errorCode) {
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    public final Queue<GoAway> goAways = new ConcurrentLinkedQueue<>();
    private final Queue<Stream> opened = new ConcurrentLinkedQueue<>();
    /** The server's SETTINGS, once they arrived. */
    public final CompletableFuture<Http2Settings> serverSettings = new CompletableFuture<>();

    private H2Client(int port, boolean tls) throws Exception {
        SslContext ssl = !tls ? null : SslContextBuilder.forClient()
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build();
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "localhost", port));
                        }
                        // Unvalidated: some tests send what a server must refuse.
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().validateHeaders(false)
                                        .initialSettings(Http2Settings.defaultSettings()).build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                new ConnectionFrames());
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        // The whole connection may hold what any one stream leaves unread: only that stream's window stalls.
        connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(1 << 30)).sync();
    }

    public static H2Client priorKnowledge(int port) throws Exception {
        return new H2Client(port, false);
    }

    public static H2Client overTls(int port) throws Exception {
        return new H2Client(port, true);
    }

    public Channel connection() {
        return connection;
    }

    /** What the server lets this client send on {@code s} now (its stream window), read on the connection's loop. */
    public int sendWindow(Stream s) {
        Http2Connection c = connection.pipeline().get(Http2FrameCodec.class).connection();
        return connection.eventLoop().submit(() -> {
            Http2Stream stream = c.stream(s.channel.stream().id());
            return stream == null ? -1 : c.remote().flowController().windowSize(stream);
        }).syncUninterruptibly().getNow();
    }

    /** Request headers for {@code method authority path}, unvalidated. */
    public static Http2Headers request(String method, String authority, String path) {
        return new DefaultHttp2Headers(false).method(method).scheme("http").authority(authority).path(path);
    }

    /** Opens a stream; its response is collected as it comes. */
    public Stream open() throws Exception {
        Stream s = new Stream();
        s.channel = new Http2StreamChannelBootstrap(connection).handler(s.collector).open().get(10, TimeUnit.SECONDS);
        opened.add(s);
        return s;
    }

    /** Sends a GET without a body and waits for its response. */
    public Response get(String authority, String path) throws Exception {
        Stream s = open();
        s.headers(request("GET", authority, path), true);
        return s.response.get(20, TimeUnit.SECONDS);
    }

    /** One stream: what to send, and its response as it arrives. */
    public static final class Stream {
        public final CompletableFuture<Response> response = new CompletableFuture<>();
        /** Completes with the status of the final response head, before its body. */
        public final CompletableFuture<Integer> head = new CompletableFuture<>();
        /** Completes with the error code of a RST_STREAM from the server, also after a complete response. */
        public final CompletableFuture<Long> reset = new CompletableFuture<>();
        private final Collector collector = new Collector(this);
        private Http2StreamChannel channel;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private volatile long bodyBytes;
        private int status;
        private Http2Headers headers;

        public Http2StreamChannel channel() {
            return channel;
        }

        public long bodyBytes() {
            return bodyBytes;
        }

        public Stream headers(Http2Headers h, boolean endStream) throws Exception {
            channel.writeAndFlush(new DefaultHttp2HeadersFrame(h, endStream)).sync();
            return this;
        }

        public Stream data(String text, boolean endStream) throws Exception {
            return data(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), endStream);
        }

        public Stream data(ByteBuf content, boolean endStream) throws Exception {
            channel.writeAndFlush(new DefaultHttp2DataFrame(content, endStream)).sync();
            return this;
        }

        /** Stops (or resumes) reading this stream: its window, once used up, is not given back. */
        public void reading(boolean on) {
            channel.eventLoop().execute(() -> channel.config().setAutoRead(on));
        }
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final Stream s;

        Collector(Stream s) {
            this.s = s;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    CharSequence status = h.headers().status();
                    if (status != null && status.charAt(0) != '1') {
                        s.status = Integer.parseInt(status.toString());
                        s.headers = h.headers();
                        s.head.complete(s.status);
                    }
                    if (h.isEndStream()) {
                        done();
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    ByteBuf b = d.content();
                    s.bodyBytes += b.readableBytes();
                    if (s.body.size() < 1 << 20) {
                        byte[] bytes = new byte[b.readableBytes()];
                        b.readBytes(bytes);
                        s.body.writeBytes(bytes);
                    }
                    if (d.isEndStream()) {
                        done();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void done() {
            s.response.complete(new Response(s.status, s.headers, s.body.toString(StandardCharsets.UTF_8), -1));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                s.reset.complete(r.errorCode());
                s.response.complete(new Response(s.status, s.headers, s.body.toString(StandardCharsets.UTF_8), r.errorCode()));
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            s.response.completeExceptionally(new IllegalStateException("stream closed without a response"));
            s.head.completeExceptionally(new IllegalStateException("stream closed without a response"));
        }
    }

    /** The connection's own frames: the server's SETTINGS and GOAWAYs are noted. */
    private final class ConnectionFrames extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame s) {
                serverSettings.complete(s.settings());
            } else if (msg instanceof Http2GoAwayFrame g) {
                goAways.add(new GoAway(g.lastStreamId(), g.errorCode()));
            }
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void close() {
        // A stream left not reading (a test that failed half way) holds frames: read them, and so release them.
        connection.eventLoop().submit(() -> opened.forEach(s -> s.channel.config().setAutoRead(true)))
                .syncUninterruptibly();
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
