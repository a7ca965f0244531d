package io.mesoslb.server.proxy.origin;

import io.mesoslb.core.Backend;
import io.mesoslb.core.Route;
import io.mesoslb.server.proxy.exchange.Deadline;
import io.mesoslb.server.transport.Buffers;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/2 connection with prior knowledge (h2c) to a backend, owned by one event loop: the handler
 * at the end of its pipeline (after the frame codec and the stream multiplexer) and the lender of its
 * streams. Each exchange gets a stream of its own, which closes after it; the connection stays in its
 * loop's {@link LoopH2Pool} and takes new streams while it has room: below the backend's
 * {@code SETTINGS_MAX_CONCURRENT_STREAMS} and {@link #MAX_STREAMS}, with stream ids left, and no
 * GOAWAY either way. A connection without room takes no new stream and closes once its streams are
 * done (retiring); one without streams closes after the backend idle timeout.
 *
 * <p>Streams asked for while the connection is being made wait for the backend's first SETTINGS, which
 * says how many it takes at once (the rest go to another connection) and that it speaks HTTP/2 at all:
 * a backend that does not send them within the connect timeout failed to connect.
 *
 * <p>Flow control: each stream reads only while its client can take more (the stream's autoRead), so
 * the backend may send at most a stream window ahead of a slow client; the connection window covers
 * {@link #MAX_STREAMS} full stream windows, so paused streams never stall the others.
 */
final class H2Connection extends ChannelInboundHandlerAdapter implements OriginLender {
    private static final Logger log = LoggerFactory.getLogger(H2Connection.class);

    /**
     * Streams opened at once on one connection, whatever more the backend allows (gRPC servers allow
     * any number): past it another connection is made, which spreads a busy loop's streams over more
     * sockets and bounds the connection window below.
     */
    static final int MAX_STREAMS = 100;
    /** Past this stream id a connection takes no new stream: ids cannot be reused and run out at 2^31. */
    private static final int LAST_STREAM_ID = Integer.MAX_VALUE - 4 * MAX_STREAMS;

    private final Backend backend;
    /** The route the backend was chosen from, for the streams asked for that it passes on to another connection. */
    private final Route chosenFrom;
    private final LoopH2Pool pool;
    private final Http2FrameCodec codec;
    private final long connectTimeoutNanos;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;
    private final int connectionWindowIncrement;
    private final WriteBufferWaterMark streamWaterMark;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>(2);
    private final ChannelFutureListener streamClosed = f -> streamEnded();
    private final ChannelHandler streamPipeline = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel stream) {
            stream.pipeline().addLast(new BackendStreamCodec(),
                    new OriginResponseReceiver(backend, H2Connection.this, responseTimeoutNanos, 0));
        }
    };
    private Channel channel;
    private Http2StreamChannelBootstrap streamBootstrap;
    private Deadline idle;
    private ScheduledFuture<?> settingsDue;
    /** The backend's first SETTINGS came: streams open at once. */
    private boolean connected;
    /** No new stream: closes once its streams are done. */
    private boolean retiring;
    /** Streams open, or promised to a waiter. */
    private int streams;
    /** Counted among the idle backend connections of the metrics. */
    private boolean countedIdle;

    /** A stream asked for while the connection is being made. */
    private record Waiting(StreamWaiter waiter, int ticket) {
    }

    /**
     * @param codec            the connection's frame codec, ahead of this handler in its pipeline
     * @param streamWindow     the stream window it announces: what the backend may send ahead of a slow reader
     * @param streamWaterMark  how much a stream holds for a backend that reads slowly before its client is paused
     */
    H2Connection(Backend backend, Route chosenFrom, LoopH2Pool pool, Http2FrameCodec codec, long connectTimeoutNanos,
                 long responseTimeoutNanos, long idleTimeoutNanos, int streamWindow, WriteBufferWaterMark streamWaterMark) {
        this.backend = backend;
        this.chosenFrom = chosenFrom;
        this.pool = pool;
        this.codec = codec;
        this.connectTimeoutNanos = connectTimeoutNanos;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.idleTimeoutNanos = idleTimeoutNanos;
        long connectionWindow = Math.min(Integer.MAX_VALUE, (long) streamWindow * MAX_STREAMS);
        this.connectionWindowIncrement = (int) Math.max(0, connectionWindow - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
        this.streamWaterMark = streamWaterMark;
    }

    Backend backend() {
        return backend;
    }

    /** Whether it may take another stream now (or once connected). */
    boolean hasRoom() {
        if (retiring) {
            return false;
        }
        Http2Connection c = codec.connection();
        if ((connected && !channel.isActive()) || c.goAwayReceived() || c.goAwaySent()) {
            retire();
            return false;
        }
        if (c.local().lastStreamCreated() >= LAST_STREAM_ID) {
            retire();
            return false;
        }
        return streams < limit();
    }

    /** Streams it takes at once: before the backend's SETTINGS say, as many as HTTP/2 suggests a server allows. */
    private int limit() {
        return Math.min(MAX_STREAMS, codec.connection().local().maxActiveStreams());
    }

    /** Opens a stream for {@code waiter}, now or once the connection is up. */
    void openStream(StreamWaiter waiter, int ticket) {
        streams++;
        if (countedIdle) {
            countedIdle = false;
            pool.idleChanged(-1);
        }
        if (idle != null) {
            idle.stop();
        }
        if (connected) {
            open(waiter, ticket, true);
        } else {
            waiting.add(new Waiting(waiter, ticket));
        }
    }

    private void open(StreamWaiter waiter, int ticket, boolean reused) {
        Future<Http2StreamChannel> f = streamBootstrap.open();
        if (f.isDone()) {
            opened(f, waiter, ticket, reused);
        } else {
            f.addListener(done -> opened(f, waiter, ticket, reused));
        }
    }

    private void opened(Future<Http2StreamChannel> f, StreamWaiter waiter, int ticket, boolean reused) {
        if (!f.isSuccess()) {
            streamEnded();
            waiter.streamFailed(ticket, f.cause() instanceof ClosedChannelException ? closedByTheBackend() : f.cause());
            return;
        }
        Http2StreamChannel stream = f.getNow();
        stream.closeFuture().addListener(streamClosed);
        waiter.streamReady(ticket, stream.pipeline().get(OriginResponseReceiver.class), reused);
    }

    private void streamEnded() {
        if (--streams > 0) {
            return;
        }
        streams = 0;
        if (retiring || !channel.isActive()) {
            channel.close();
        } else if (connected && !countedIdle) {
            countedIdle = true;
            pool.idleChanged(1);
            idle.restart();
        }
    }

    /** Takes no new stream, and closes once its streams are done. */
    void retire() {
        retiring = true;
        if (streams == 0 && channel != null) {
            channel.close();
        }
    }

    /** How the connect ended: a failure fails every stream asked for meanwhile. */
    void connectDone(ChannelFuture f) {
        if (!f.isSuccess()) {
            pool.evict(this);
            failWaiting(f.cause());
        }
    }

    private void failWaiting(Throwable cause) {
        Waiting w;
        while ((w = waiting.poll()) != null) {
            streams--;
            w.waiter().streamFailed(w.ticket(), cause);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        streamBootstrap = new Http2StreamChannelBootstrap(channel).handler(streamPipeline)
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, streamWaterMark);
        idle = new Deadline(ctx.executor(), idleTimeoutNanos, this::idleExpired);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The frame codec ahead has sent the preface. A connection window of the default 64 KiB would let
        // one paused stream stop every other: it is widened to cover every stream's window.
        if (connectionWindowIncrement > 0) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindowIncrement));
        }
        settingsDue = ctx.executor().schedule(this::settingsTimedOut, connectTimeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    private void settingsTimedOut() {
        if (!connected) {
            failWaiting(new ConnectTimeoutException("no HTTP/2 SETTINGS from " + backend + " within "
                    + TimeUnit.NANOSECONDS.toMillis(connectTimeoutNanos) + " ms: is it an h2c server?"));
            channel.close();
        }
    }

    /** The backend's first SETTINGS: the streams asked for meanwhile open, as many as it takes; the rest go elsewhere. */
    private void settled() {
        connected = true;
        settingsDue.cancel(false);
        int keep = Math.min(limit(), waiting.size());
        List<Waiting> elsewhere = new ArrayList<>(waiting.size() - keep);
        while (waiting.size() > keep) {
            elsewhere.add(waiting.pollLast());
        }
        streams = keep;
        Waiting w;
        while ((w = waiting.poll()) != null) {
            open(w.waiter(), w.ticket(), false);
        }
        channel.flush();
        for (int i = elsewhere.size() - 1; i >= 0; i--) {
            pool.openStream(backend, chosenFrom, true, elsewhere.get(i).waiter(), elsewhere.get(i).ticket());
        }
    }

    private void idleExpired() {
        if (streams == 0) {
            log.debug("{}: closing idle HTTP/2 connection to {}", channel, backend);
            retire();
        }
    }

    /** Frames of the connection as a whole (SETTINGS, PING, GOAWAY): the first SETTINGS and a GOAWAY matter here. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame && !connected) {
            settled();
        } else if (msg instanceof Http2GoAwayFrame goAway) {
            log.debug("{}: {} sent GOAWAY (last stream {}, error {})", channel, backend, goAway.lastStreamId(),
                    goAway.errorCode());
            retire();
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connected = false;
        retiring = true;
        if (idle != null) {
            idle.cancel();
        }
        if (settingsDue != null) {
            settingsDue.cancel(false);
        }
        if (countedIdle) {
            countedIdle = false;
            pool.idleChanged(-1);
        }
        pool.evict(this);
        failWaiting(closedByTheBackend());
    }

    /**
     * Why a stream asked for was not opened on a connection that had connected and then closed: the backend
     * closed it (or broke the protocol). Not a {@link ClosedChannelException}, which stands for a connect closed
     * under the balancer ({@link BackendAttempts#closedUnderIt}) and is made again unblamed.
     */
    private ConnectException closedByTheBackend() {
        return new ConnectException(backend + " closed the HTTP/2 connection before the stream opened");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: HTTP/2 connection to {} failed", ctx.channel(), backend, cause);
        ctx.close();
    }

    // ---------------------------------------------------------------- lender of its streams

    @Override
    public void lend(boolean headRequest) {
        // A stream's response says itself where it ends, HEAD or not.
    }

    /** A stream carries one exchange: closed, with a reset when the exchange did not end cleanly. */
    @Override
    public void takeBack(OriginResponseReceiver receiver, boolean reuse) {
        receiver.channel().close();
    }

    @Override
    public void closedWhileIdle(OriginResponseReceiver receiver) {
        // Its close was counted by streamClosed.
    }
}
