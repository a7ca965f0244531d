package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.exchange.Deadline;
import io.mesoslb.server.proxy.exchange.Drain;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection of an HTTP/2 client, around its streams (each of which is an exchange of its own):
 * its receive window, its clocks while no stream is open, and its end on drain.
 *
 * <ul>
 *   <li>A connection must open its first stream within {@code request-header-timeout}, and one with
 *       no stream open for {@code client-idle-timeout} is closed (with a GOAWAY): a client trickling
 *       frames that open nothing is as idle as a silent one.</li>
 *   <li>On drain a GOAWAY that refuses nothing (last stream 2^31-1) tells the client to open no more
 *       streams; after the drain's linger (a stream already on its way is served) a second GOAWAY
 *       names the last stream taken, and the connection closes once every stream taken has ended.
 *       A client's stream past that id was never seen, and its library retries it elsewhere.</li>
 * </ul>
 * Last in the connection's pipeline, after the multiplexer: it also drops the connection-level
 * frames (SETTINGS, PING, GOAWAY) the codec hands on once it has acted on them.
 */
final class Http2ConnectionKeeper extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(Http2ConnectionKeeper.class);

    private final Http2FrameCodec codec;
    private final ProxySettings settings;
    private final int connectionWindow;
    private ChannelHandlerContext ctx;
    private Deadline idle;
    private Deadline firstStream;
    private boolean draining;
    /** The second GOAWAY is out: the connection closes when its last stream ends. */
    private boolean closing;

    /** @param connectionWindow the receive window the connection is opened to */
    Http2ConnectionKeeper(Http2FrameCodec codec, ProxySettings settings, int connectionWindow) {
        this.codec = codec;
        this.settings = settings;
        this.connectionWindow = connectionWindow;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        idle = new Deadline(ctx.executor(), settings.clientIdleTimeout().toNanos(), this::idleTimedOut);
        idle.start();
        if (!settings.requestHeaderTimeout().isZero()) {
            firstStream = new Deadline(ctx.executor(), settings.requestHeaderTimeout().toNanos(), this::noStreamInTime);
            firstStream.start();
        }
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamActive(Http2Stream stream) {
                streamOpened();
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                streamEnded();
            }
        });
        Http2Connection c = codec.connection();
        int increment = connectionWindow - c.local().flowController().windowSize(c.connectionStream());
        if (increment > 0) {
            // Sent after the codec's SETTINGS, which it wrote when it was added to the live channel.
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(increment), ctx.voidPromise());
        }
    }

    private void streamOpened() {
        idle.stop();
        if (firstStream != null) {
            firstStream.cancel();
            firstStream = null;
        }
    }

    private void streamEnded() {
        if (codec.connection().numActiveStreams() > 0) {
            return;
        }
        if (closing) {
            // Not from inside the codec's stream bookkeeping, which is calling us.
            ctx.executor().execute(ctx::close);
        } else {
            idle.restart();
        }
    }

    private void idleTimedOut() {
        if (codec.connection().numActiveStreams() == 0) {
            log.debug("{}: closing idle HTTP/2 connection", ctx.channel());
            ctx.close();
        }
    }

    private void noStreamInTime() {
        log.debug("{}: no HTTP/2 stream within {} ms of connecting; closing", ctx.channel(), firstStream.timeoutMillis());
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Drain drain) {
            drain(drain.idleLingerNanos());
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void drain(long lingerNanos) {
        if (draining) {
            return;
        }
        draining = true;
        if (lingerNanos <= 0) {
            lastGoAway();
            return;
        }
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR).setExtraStreamIds(Integer.MAX_VALUE),
                ctx.voidPromise());
        ctx.executor().schedule(this::lastGoAway, lingerNanos, TimeUnit.NANOSECONDS);
    }

    private void lastGoAway() {
        if (!ctx.channel().isActive()) {
            return;
        }
        closing = true;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR), ctx.voidPromise());
        if (codec.connection().numActiveStreams() == 0) {
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // Connection-level frames, already acted on by the codec (acknowledged, or the GOAWAY noted).
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
            // The codec shows it here first, then sends the GOAWAY that names the error and closes:
            // a close from here would go first, with a GOAWAY saying NO_ERROR.
            log.debug("{}: HTTP/2 protocol error: {}", ctx.channel(), cause.getMessage());
            return;
        }
        log.debug("{}: HTTP/2 connection failed", ctx.channel(), cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelClocks();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelClocks();
    }

    private void cancelClocks() {
        idle.cancel();
        if (firstStream != null) {
            firstStream.cancel();
        }
    }
}
