package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.client.ClientChannelInitializer;

import io.mesoslb.core.Backend;
import io.mesoslb.core.Route;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keep-alive connections to backends, owned by one event loop and touched only from it, so plain
 * collections suffice. Connections are reused most-recently-released first, which lets the
 * surplus ones age out through the idle timeout.
 */
final class LoopBackendPool {
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ProxySettings settings;
    private final ChannelGroup connections;
    private final LongAdder idleTotal;
    private final BackendAddresses addresses;
    private final LiveBackends live;
    private final Map<Backend, ArrayDeque<OriginResponseReceiver>> idle = new HashMap<>();

    /** @param idleTotal idle connections of every loop's pool, kept current for the metrics */
    LoopBackendPool(EventLoop loop, Bootstrap template, ProxySettings settings, ChannelGroup connections,
                    LongAdder idleTotal, BackendAddresses addresses, LiveBackends live) {
        this.loop = loop;
        this.bootstrap = template.clone(loop);
        this.settings = settings;
        this.connections = connections;
        this.idleTotal = idleTotal;
        this.addresses = addresses;
        this.live = live;
    }

    EventLoop loop() {
        return loop;
    }

    /** An open pooled connection to {@code backend}, or null when a new one must be made. */
    OriginResponseReceiver pollIdle(Backend backend) {
        assert loop.inEventLoop();
        ArrayDeque<OriginResponseReceiver> q = idle.get(backend);
        if (q == null) {
            return null;
        }
        OriginResponseReceiver h;
        while ((h = q.pollFirst()) != null) {
            idleTotal.decrement();
            if (h.channel().isActive()) {
                break;
            }
        }
        // An emptied queue stays until its backend leaves the table (closeIdle): on a kept-alive backend the
        // connection comes back at the end of this very exchange, and a new queue per request was 144 bytes
        // of garbage per request.
        return h;
    }

    /**
     * Opens a connection on this loop; its {@link OriginResponseReceiver} is in the pipeline when the future
     * succeeds. The backend must have its {@linkplain Backend#ip() address}. A backend that left the table since
     * the exchange chose it from {@code chosenFrom} gets no queue (its connection is closed after the exchange) and
     * no kept address: the pool forgot it as it left, and nothing would forget them again.
     */
    ChannelFuture connect(Backend backend, Route chosenFrom) {
        assert loop.inEventLoop();
        boolean inTable = live.contains(chosenFrom, backend);
        if (inTable) {
            serving(backend);
        }
        BackendResponseDecoder decoder = new BackendResponseDecoder(ClientChannelInitializer.decoderConfig(settings));
        OriginResponseReceiver handler = new OriginResponseReceiver(backend, new PooledConnection(decoder, this),
                settings.responseTimeout().toNanos(), settings.backendIdleTimeout().toNanos());
        return bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                ch.pipeline().addLast(decoder, new OriginRequestEncoder(), handler);
            }
        }).connect(addresses.of(backend, inTable));
    }

    /**
     * Makes the backend's idle queue, with its first connection: it stays while the backend is in the table
     * (closeIdle removes it), so a connection released for a backend without one is of a backend that left.
     */
    void serving(Backend backend) {
        idle.computeIfAbsent(backend, b -> new ArrayDeque<>());
    }

    /**
     * Takes back a connection after a complete exchange, or closes it if the pool is full or its backend left the
     * table while the exchange lasted (nothing would lend it again; it would stay open until the idle timeout).
     */
    void release(OriginResponseReceiver handler) {
        assert loop.inEventLoop();
        if (!handler.channel().isActive()) {
            return;
        }
        ArrayDeque<OriginResponseReceiver> q = idle.get(handler.backend());
        if (q == null || q.size() >= settings.maxIdlePerBackend()) {
            handler.channel().close();
            return;
        }
        q.offerFirst(handler);
        idleTotal.increment();
    }

    /** Forgets a pooled connection that closed. */
    void evict(OriginResponseReceiver handler) {
        ArrayDeque<OriginResponseReceiver> q = idle.get(handler.backend());
        if (q != null && q.remove(handler)) {
            idleTotal.decrement();
        }
    }

    /** Closes the idle connections of backends that left the routing table. */
    void closeIdle(Collection<Backend> gone) {
        assert loop.inEventLoop();
        addresses.forget(gone);
        for (Backend b : gone) {
            ArrayDeque<OriginResponseReceiver> q = idle.remove(b);
            if (q != null) {
                idleTotal.add(-q.size());
                for (OriginResponseReceiver h : q) {
                    h.channel().close();
                }
            }
        }
    }

    void closeAll() {
        assert loop.inEventLoop();
        // Forget them first: closing may call evict() for each.
        List<ArrayDeque<OriginResponseReceiver>> queues = new ArrayList<>(idle.values());
        idle.clear();
        for (ArrayDeque<OriginResponseReceiver> q : queues) {
            idleTotal.add(-q.size());
            for (OriginResponseReceiver h : q) {
                h.channel().close();
            }
        }
    }

    /** Its idle queue and its address (shared with the loop's HTTP/2 pool): 0, 1 or 2. */
    int entriesFor(Backend backend) {
        return (idle.containsKey(backend) ? 1 : 0) + (addresses.holds(backend) ? 1 : 0);
    }

    int idleCount(Backend backend) {
        ArrayDeque<OriginResponseReceiver> q = idle.get(backend);
        return q == null ? 0 : q.size();
    }
}
