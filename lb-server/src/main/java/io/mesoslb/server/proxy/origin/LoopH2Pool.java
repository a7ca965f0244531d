package io.mesoslb.server.proxy.origin;

import io.mesoslb.core.Backend;
import io.mesoslb.core.Route;
import io.mesoslb.server.proxy.ProxySettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP/2 connections of one event loop to its h2c backends, touched only from the loop, so plain
 * collections suffice. An exchange gets a stream on the first connection to its backend with room
 * ({@link H2Connection#hasRoom}), one being made included; a new connection only when none has any.
 * So a loop usually keeps one connection per backend, however many exchanges it carries at once.
 */
final class LoopH2Pool {
    private final Bootstrap bootstrap;
    private final ProxySettings settings;
    private final ChannelGroup connections;
    private final LongAdder idleTotal;
    private final BackendAddresses addresses;
    private final LiveBackends live;
    private final Http2Settings initialSettings;
    private final WriteBufferWaterMark streamWaterMark;
    private final Map<Backend, List<H2Connection>> byBackend = new HashMap<>();

    /** @param idleTotal idle backend connections of every loop, kept current for the metrics */
    LoopH2Pool(EventLoop loop, Bootstrap template, ProxySettings settings, ChannelGroup connections, LongAdder idleTotal,
               BackendAddresses addresses, LiveBackends live) {
        this.bootstrap = template.clone(loop);
        this.settings = settings;
        this.connections = connections;
        this.idleTotal = idleTotal;
        this.addresses = addresses;
        this.live = live;
        // No pushed streams; headers as large as an HTTP/1 backend may send; a stream window of what a slow
        // reader may have buffered for it, as for an HTTP/1 connection.
        this.initialSettings = new Http2Settings().pushEnabled(false).maxConcurrentStreams(0)
                .maxHeaderListSize(settings.maxHeaderSize()).initialWindowSize(settings.writeBufferHigh());
        this.streamWaterMark = new WriteBufferWaterMark(settings.writeBufferLow(), settings.writeBufferHigh());
    }

    /**
     * Asks for a stream to {@code backend}, answered through {@code waiter} now or once a connection is up.
     * The backend must have its {@linkplain Backend#ip() address}. A connection made for a backend that left the
     * table since the exchange chose it from {@code chosenFrom} is not pooled (it closes once its streams are done)
     * and its address not kept: the pool forgot the backend as it left, and nothing would forget them again.
     *
     * @param mayReuse false to insist on a new connection (after a stream on a pooled one broke before any answer)
     */
    void openStream(Backend backend, Route chosenFrom, boolean mayReuse, StreamWaiter waiter, int ticket) {
        H2Connection c = mayReuse ? withRoom(backend) : null;
        if (c != null) {
            c.openStream(waiter, ticket);
            return;
        }
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient().initialSettings(initialSettings).build();
        H2Connection fresh = new H2Connection(backend, chosenFrom, this, codec, settings.connectTimeout().toNanos(),
                settings.responseTimeout().toNanos(), settings.backendIdleTimeout().toNanos(), settings.writeBufferHigh(),
                streamWaterMark);
        boolean inTable = live.contains(chosenFrom, backend);
        if (inTable) {
            byBackend.computeIfAbsent(backend, b -> new ArrayList<>(1)).add(fresh);
        }
        // Waiting before the connect starts: a connect that fails at once fails the stream too.
        fresh.openStream(waiter, ticket);
        if (!inTable) {
            fresh.retire();
        }
        bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                ch.pipeline().addLast(codec, new Http2MultiplexHandler(NoPushedStreams.INSTANCE), fresh);
            }
        }).connect(addresses.of(backend, inTable)).addListener((ChannelFutureListener) fresh::connectDone);
    }

    private H2Connection withRoom(Backend backend) {
        List<H2Connection> list = byBackend.get(backend);
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                H2Connection c = list.get(i);
                if (c.hasRoom()) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Forgets a connection that closed (or never connected). */
    void evict(H2Connection c) {
        List<H2Connection> list = byBackend.get(c.backend());
        if (list != null && list.remove(c) && list.isEmpty()) {
            byBackend.remove(c.backend());
        }
    }

    void idleChanged(int delta) {
        idleTotal.add(delta);
    }

    /** Retires the connections to backends that left the routing table: closed once their streams are done. */
    void closeIdle(Collection<Backend> gone) {
        for (Backend b : gone) {
            retireAll(byBackend.get(b));
        }
    }

    /** Retires every connection; the idle ones close now. */
    void closeAll() {
        for (List<H2Connection> list : new ArrayList<>(byBackend.values())) {
            retireAll(list);
        }
    }

    private static void retireAll(List<H2Connection> list) {
        if (list != null) {
            // A copy: closing evicts from the list.
            for (H2Connection c : new ArrayList<>(list)) {
                c.retire();
            }
        }
    }

    /** Its list of connections: 0 or 1 (its address is counted by the loop's HTTP/1.1 pool). */
    int entriesFor(Backend backend) {
        return byBackend.containsKey(backend) ? 1 : 0;
    }

    /** HTTP/2 connections to {@code backend} on this loop; for tests and diagnostics. */
    int connectionCount(Backend backend) {
        List<H2Connection> list = byBackend.get(backend);
        return list == null ? 0 : list.size();
    }

    /** The handler of streams a backend opens: none is asked for (no push), so any that comes is closed. */
    @ChannelHandler.Sharable
    private static final class NoPushedStreams extends ChannelInboundHandlerAdapter {
        static final NoPushedStreams INSTANCE = new NoPushedStreams();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
