package io.mesoslb.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A task that speaks HTTP/2 with prior knowledge (h2c, as gRPC servers do) on {@code 127.0.0.1:<free port>}.
 * It records every request it gets ({@link #requests()}) and answers by path:
 * <ul>
 *   <li>any path: {@code 200} with the request's {@code content-type} (else {@code application/octet-stream})
 *       and the request body echoed as it arrives, reading no more while the echo cannot be sent (backpressure);
 *       with {@code ?trailers=1}, the response ends with trailers {@code grpc-status: 0} and {@code x-echo-trailer}
 *       (the request trailer {@code x-client-trailer}, if any);</li>
 *   <li>{@code /headers-only?status=N}: a response of headers alone ({@code END_STREAM} on its HEADERS), as a
 *       gRPC server's trailers-only error: {@code grpc-status: 5}, {@code grpc-message: no%20such%20thing};</li>
 *   <li>{@code /big?bytes=N}: {@code N} bytes, written only while the stream can take more ({@link #sentBytes()},
 *       {@link #blocked()});</li>
 *   <li>{@code /hold}: neither its body read nor answered (echoed) until {@link #releaseHeld()} is called
 *       ({@link #held()} counts the waiting): what the client sends meanwhile waits on flow control;</li>
 *   <li>{@code /silent}: never answered;</li>
 *   <li>{@code /reset}: reset ({@code RST_STREAM INTERNAL_ERROR}) while {@link #resetNext(int)} allows, echoed after;</li>
 *   <li>{@code /goaway}: a {@code GOAWAY} that leaves the stream unprocessed (its last stream id is below it)
 *       while {@link #goAwayNext(int)} allows, echoed after.</li>
 * </ul>
 * A request with {@code expect: 100-continue} gets a {@code 100} first, as a server that wants its body.
 * Stopping it closes the listener and every connection, like a killed process.
 */
public final class H2cBackend extends LoopbackServer {
    private static final int CHUNK = 16 * 1024;

    /** One request as the backend saw it: its pseudo-headers, other headers (lower case) and trailers. */
    public record Request(String method, String path, String authority, String scheme, Map<String, List<String>> headers,
                          Map<String, List<String>> trailers, long bodyBytes) {
        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }
    }

    private final int maxConcurrentStreams;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger goAways = new AtomicInteger();
    private final AtomicLong sentBytes = new AtomicLong();
    private volatile boolean blocked;

    private H2cBackend(EventLoopGroup group, String taskId, int maxConcurrentStreams) {
        super(group, group, taskId, false);
        this.maxConcurrentStreams = maxConcurrentStreams;
    }

    /** Starts a backend on its own single-threaded event loop group, released again by {@link #stop()}. */
    public static H2cBackend start(String taskId) {
        return start(taskId, 1000);
    }

    /** @param maxConcurrentStreams what it announces as {@code SETTINGS_MAX_CONCURRENT_STREAMS} */
    public static H2cBackend start(String taskId, int maxConcurrentStreams) {
        return onOwnGroup(group -> new H2cBackend(group, taskId, maxConcurrentStreams));
    }

    @Override
    void handlers(ChannelPipeline pipeline) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams)).build();
        pipeline.addLast(codec, new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                streams.incrementAndGet();
                stream.pipeline().addLast(new Exchange(codec));
            }
        }));
    }

    /** Every request head it has seen, the ones not answered included, oldest first. */
    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** Streams the clients opened, over all connections. */
    public int streamsOpened() {
        return streams.get();
    }

    /** The next {@code n} requests to {@code /reset} are reset. */
    public void resetNext(int n) {
        resets.set(n);
    }

    /** The next {@code n} requests to {@code /goaway} are refused with a GOAWAY. */
    public void goAwayNext(int n) {
        goAways.set(n);
    }

    /** Body bytes written by {@code /big} answers. */
    public long sentBytes() {
        return sentBytes.get();
    }

    /** A {@code /big} answer is waiting for its stream to take more (flow control or its buffer). */
    public boolean blocked() {
        return blocked;
    }

    /** {@code /hold} requests waiting for {@link #releaseHeld()}. */
    public int held() {
        return held.size();
    }

    /** Answers every held request. */
    public void releaseHeld() {
        Runnable r;
        while ((r = held.poll()) != null) {
            r.run();
        }
    }

    /** One stream: the request in, the answer out. */
    private final class Exchange extends ChannelInboundHandlerAdapter {
        private final Http2FrameCodec codec;
        private Http2Headers head;
        private String path;
        private Map<String, List<String>> params;
        private boolean echo;
        private boolean recorded;
        private long bodyBytes;
        private long bigLeft;

        Exchange(Http2FrameCodec codec) {
            this.codec = codec;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame frame) {
                    if (head == null) {
                        head(ctx, frame);
                    } else {
                        end(ctx, frame.headers());
                    }
                } else if (msg instanceof Http2DataFrame data) {
                    body(ctx, data);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void head(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
            head = frame.headers();
            QueryStringDecoder uri = new QueryStringDecoder(String.valueOf(head.path()));
            path = uri.path();
            params = uri.parameters();
            if ("100-continue".contentEquals(String.valueOf(head.get("expect")))) {
                ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("100")));
            }
            switch (path) {
                case "/reset" -> {
                    if (resets.getAndDecrement() > 0) {
                        record(null);
                        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
                        return;
                    }
                }
                case "/goaway" -> {
                    if (goAways.getAndDecrement() > 0) {
                        record(null);
                        goAway(ctx);
                        return;
                    }
                }
                case "/headers-only" -> {
                    record(null);
                    Http2Headers only = status(params.get("status").get(0), head).add("grpc-status", "5")
                            .add("grpc-message", "no%20such%20thing");
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(only, true));
                    return;
                }
                case "/silent" -> {
                    record(null);
                    return;
                }
                case "/big" -> {
                    record(null);
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(status("200", head)));
                    bigLeft = Long.parseLong(params.get("bytes").get(0));
                    writeBig(ctx);
                    return;
                }
                case "/hold" -> {
                    Channel ch = ctx.channel();
                    ch.config().setAutoRead(false);
                    boolean ended = frame.isEndStream();
                    held.add(() -> ch.eventLoop().execute(() -> answerHeld(ctx, ended)));
                    return;
                }
                default -> {
                }
            }
            echo = true;
            ctx.write(new DefaultHttp2HeadersFrame(status("200", head)));
            if (frame.isEndStream()) {
                end(ctx, null);
            } else {
                ctx.flush();
            }
        }

        private void answerHeld(ChannelHandlerContext ctx, boolean requestEnded) {
            echo = true;
            ctx.write(new DefaultHttp2HeadersFrame(status("200", head)));
            if (requestEnded) {
                end(ctx, null);
            } else {
                ctx.flush();
                ctx.channel().config().setAutoRead(true);
            }
        }

        /** A GOAWAY whose last stream is below this one: the client may send it again elsewhere. */
        private void goAway(ChannelHandlerContext ctx) {
            int id = ((Http2StreamChannel) ctx.channel()).stream().id();
            ChannelHandlerContext parent = ctx.channel().parent().pipeline().context(codec);
            codec.goAway(parent, Math.max(0, id - 2), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                    parent.newPromise());
            parent.flush();
        }

        private void body(ChannelHandlerContext ctx, Http2DataFrame data) {
            bodyBytes += data.content().readableBytes();
            if (echo && data.content().isReadable()) {
                ctx.write(new DefaultHttp2DataFrame(data.content().retain(), false));
            }
            if (data.isEndStream()) {
                end(ctx, null);
            } else {
                ctx.flush();
                // Read on only while the echo can go out: the client's window is the backend's to keep.
                ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            }
        }

        /** The request ended (with {@code trailers}, or null); an echoed answer ends too. */
        private void end(ChannelHandlerContext ctx, Http2Headers trailers) {
            if (!recorded) {
                record(trailers);
            }
            if (!echo) {
                return;
            }
            if (params.containsKey("trailers")) {
                Http2Headers out = new DefaultHttp2Headers().add("grpc-status", "0");
                CharSequence clientTrailer = trailers == null ? null : trailers.get("x-client-trailer");
                out.add("x-echo-trailer", clientTrailer == null ? "none" : clientTrailer);
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(out, true));
            } else {
                ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
            }
        }

        private void record(Http2Headers trailers) {
            recorded = true;
            requests.add(new Request(String.valueOf(head.method()), String.valueOf(head.path()),
                    head.authority() == null ? null : head.authority().toString(), String.valueOf(head.scheme()),
                    toMap(head), trailers == null ? Map.of() : toMap(trailers), bodyBytes));
        }

        private void writeBig(ChannelHandlerContext ctx) {
            while (bigLeft > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK, bigLeft);
                bigLeft -= n;
                sentBytes.addAndGet(n);
                ctx.write(new DefaultHttp2DataFrame(ctx.alloc().buffer(n).writeZero(n), bigLeft == 0));
            }
            blocked = bigLeft > 0;
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                if (bigLeft > 0) {
                    writeBig(ctx);
                } else if (echo) {
                    ctx.channel().config().setAutoRead(true);
                }
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static Http2Headers status(String code, Http2Headers request) {
        CharSequence type = request.get("content-type");
        return new DefaultHttp2Headers().status(code).add("content-type", type == null ? "application/octet-stream" : type);
    }

    private static Map<String, List<String>> toMap(Http2Headers headers) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            String name = e.getKey().toString();
            if (!name.startsWith(":")) {
                out.computeIfAbsent(name, n -> new ArrayList<>(1)).add(e.getValue().toString());
            }
        }
        return out;
    }
}
