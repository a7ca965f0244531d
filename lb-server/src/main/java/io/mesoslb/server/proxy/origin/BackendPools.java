package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.transport.Buffers;
import io.mesoslb.server.transport.Transport;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.TableChange;
import io.mesoslb.core.RouteTableHolder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;

/**
 * One {@link LoopBackendPool} (HTTP/1.1) and one {@link LoopH2Pool} (HTTP/2) per worker event loop.
 * The maps are filled before the server binds and never change, so looking up a loop's pool needs no
 * synchronisation.
 */
public final class BackendPools implements RouteTableHolder.Listener {
    private final Map<EventExecutor, LoopBackendPool> byLoop = new IdentityHashMap<>();
    private final Map<EventExecutor, LoopH2Pool> h2ByLoop = new IdentityHashMap<>();
    private final ChannelGroup connections = new DefaultChannelGroup("mesos-lb-backends", GlobalEventExecutor.INSTANCE);
    private final LongAdder idle = new LongAdder();

    /** @param routes the live table, which a backend must be in for the pools to keep what they make for it */
    public BackendPools(EventLoopGroup workers, Transport transport, ProxySettings settings, RouteTableHolder routes) {
        Bootstrap template = new Bootstrap()
                .channel(transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        settings.connectTimeout().toMillis()))
                // No TCP_NODELAY: Netty turns it on as it makes each socket (NoDelayTest reads it back).
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.writeBufferLow(), settings.writeBufferHigh()))
                .disableResolver();
        LiveBackends live = new LiveBackends(routes);
        for (EventExecutor e : workers) {
            EventLoop loop = (EventLoop) e;
            BackendAddresses addresses = new BackendAddresses();
            byLoop.put(loop, new LoopBackendPool(loop, template, settings, connections, idle, addresses, live));
            h2ByLoop.put(loop, new LoopH2Pool(loop, template, settings, connections, idle, addresses, live));
        }
    }

    LoopBackendPool forLoop(EventLoop loop) {
        return pool(byLoop, loop);
    }

    LoopH2Pool h2ForLoop(EventLoop loop) {
        return pool(h2ByLoop, loop);
    }

    private static <P> P pool(Map<EventExecutor, P> pools, EventLoop loop) {
        P pool = pools.get(loop);
        if (pool == null) {
            throw new IllegalStateException("no backend pool for " + loop);
        }
        return pool;
    }

    /**
     * Closes, on every loop, the idle connections of backends that the new table dropped. Tables are
     * published incrementally and an unchanged app keeps its Route object, so only the routes that
     * are not the same object are looked into: a one-task event costs its app, not the cluster.
     */
    @Override
    public void tableChanged(TableChange change) {
        List<Backend> removed = new ArrayList<>(0);
        change.forEachChangedRoute((before, now) -> {
            if (before == null) {
                return;
            }
            for (BackendState s : before.backends()) {
                if (now == null || !now.serves(s.backend())) {
                    removed.add(s.backend());
                }
            }
        });
        if (removed.isEmpty()) {
            return;
        }
        List<Backend> gone = List.copyOf(removed);
        for (LoopBackendPool pool : byLoop.values()) {
            LoopH2Pool h2 = h2ByLoop.get(pool.loop());
            pool.loop().execute(() -> {
                pool.closeIdle(gone);
                h2.closeIdle(gone);
            });
        }
    }

    /** Every open backend connection, pooled or in use; for shutdown, diagnostics and tests. */
    public Iterable<Channel> connections() {
        return connections;
    }

    /** Pooled connections waiting for a request, over all loops; for metrics. */
    public long idleConnections() {
        return idle.sum();
    }

    /** Open backend connections serving (or about to serve) a request, over all loops; for metrics. */
    public long activeConnections() {
        return Math.max(0, connections.size() - idle.sum());
    }

    /** Closes every idle connection; completes once each loop has done so. */
    public CompletableFuture<Void> closeIdle() {
        CompletableFuture<?>[] done = new CompletableFuture<?>[byLoop.size()];
        int i = 0;
        for (LoopBackendPool pool : byLoop.values()) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            done[i++] = f;
            if (pool.loop().isShuttingDown()) {
                f.complete(null);
                continue;
            }
            LoopH2Pool h2 = h2ByLoop.get(pool.loop());
            pool.loop().execute(() -> {
                pool.closeAll();
                h2.closeAll();
                f.complete(null);
            });
        }
        return CompletableFuture.allOf(done);
    }

    /** Idle pooled connections to {@code backend} summed over all loops; for tests and diagnostics. */
    public CompletableFuture<Integer> idleCount(Backend backend) {
        return sum(loop -> byLoop.get(loop).idleCount(backend));
    }

    /** HTTP/2 connections to {@code backend} (idle, busy or being made) summed over all loops; for tests and diagnostics. */
    public CompletableFuture<Integer> h2ConnectionCount(Backend backend) {
        return sum(loop -> h2ByLoop.get(loop).connectionCount(backend));
    }

    /**
     * What the loops keep for {@code backend} (an idle queue, a socket address, a list of HTTP/2 connections), counted
     * over all loops: none once it has left the table and its exchanges have ended. For tests.
     */
    CompletableFuture<Integer> entriesFor(Backend backend) {
        return sum(loop -> byLoop.get(loop).entriesFor(backend) + h2ByLoop.get(loop).entriesFor(backend));
    }

    private CompletableFuture<Integer> sum(ToIntFunction<EventLoop> perLoop) {
        CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
        for (LoopBackendPool pool : byLoop.values()) {
            CompletableFuture<Integer> one = new CompletableFuture<>();
            pool.loop().execute(() -> one.complete(perLoop.applyAsInt(pool.loop())));
            total = total.thenCombine(one, Integer::sum);
        }
        return total;
    }
}
