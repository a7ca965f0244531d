package io.mesoslb.server.service;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteConflict;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.ServicePort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a listener for every service port the routing table assigns, and closes it when no app
 * claims the port any more, without touching other listeners or their connections. A closed port's
 * established connections are kept until they end or {@code service-port-drain} runs out.
 *
 * <p>All of its state lives on one event loop (the accept loop): the table's writer only hands it
 * the new table, binds and closes complete asynchronously, and the admin pages read an immutable
 * snapshot. A port that cannot be bound is reported once per reason, shown in {@link #status()},
 * and tried again with the next table.
 */
public final class ServicePortListeners implements RouteTableHolder.Listener {
    private static final Logger log = LoggerFactory.getLogger(ServicePortListeners.class);

    /** How each port listens and what serves its connections. */
    @FunctionalInterface
    public interface ChildHandlers {
        /**
         * A bootstrap ready to bind the port: its groups, channel class, options and child handler.
         *
         * @param children every connection accepted on the port joins this group (for the port's drain)
         */
        ServerBootstrap bootstrap(int port, ServicePort.Mode mode, ChannelGroup children);
    }

    private record Key(String host, int port, ServicePort.Mode mode) {
    }

    /** One port's listener, bound or binding. */
    private static final class Listening {
        final Key key;
        String appId;
        final ChannelGroup children;
        Channel server;
        boolean closed;

        Listening(Key key, String appId, ChannelGroup children) {
            this.key = key;
            this.appId = appId;
            this.children = children;
        }
    }

    private final EventLoop control;
    private final Runnable stopLoops;
    private final ChildHandlers handlers;
    private final String defaultHost;
    private final PortRange range;
    private final Duration drain;
    private final IntConsumer bindFailed;
    private final Map<Integer, Listening> open = new HashMap<>();
    /** Problems already logged, so that each is said once until it changes. */
    private final Map<Integer, String> reported = new HashMap<>();
    private final Map<Integer, PortStatus> problems = new HashMap<>();
    private volatile Map<Integer, PortStatus> status = Map.of();
    private volatile RouteTable latest = RouteTable.EMPTY;
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    /** A status snapshot is due: binds complete one by one, and each would otherwise copy the whole map. */
    private boolean statusQueued;
    private boolean stopped;

    /**
     * @param bindFailed counts a failed bind of the given port (metrics)
     * @param stopLoops  shuts down event loops of the service ports' own, once they are closed
     */
    public ServicePortListeners(EventLoop control, ChildHandlers handlers, String defaultHost, PortRange range,
                                Duration drain, IntConsumer bindFailed, Runnable stopLoops) {
        this.control = control;
        this.stopLoops = stopLoops;
        this.handlers = handlers;
        this.defaultHost = defaultHost;
        this.range = range;
        this.drain = drain;
        this.bindFailed = bindFailed;
    }

    /** Every service port the table assigns and how it stands, sorted by port. */
    public Map<Integer, PortStatus> status() {
        return status;
    }

    /**
     * Looks at the newest table once the loop gets to it: a burst of publications (one per
     * Marathon event) costs one pass over the ports, not one each.
     */
    @Override
    public void tableChanged(RouteTable previous, RouteTable current) {
        latest = current;
        if (reconcileQueued.compareAndSet(false, true)) {
            control.execute(() -> {
                reconcileQueued.set(false);
                reconcile(latest);
            });
        }
    }

    private void reconcile(RouteTable table) {
        if (stopped) {
            return;
        }
        Map<Integer, Key> wanted = new TreeMap<>();
        Map<Integer, String> owners = new HashMap<>();
        problems.clear();
        for (Map.Entry<Integer, Route> e : table.servicePorts().entrySet()) {
            int port = e.getKey();
            Route route = e.getValue();
            ServicePort sp = route.servicePort();
            String host = sp.bindHost() != null ? sp.bindHost() : defaultHost;
            if (!range.contains(port)) {
                problem(port, new PortStatus(port, host, sp.mode(), route.appId(),
                        "outside service-port-range " + range));
                continue;
            }
            wanted.put(port, new Key(host, port, sp.mode()));
            owners.put(port, route.appId());
        }
        for (RouteConflict c : table.conflicts()) {
            if (c.isServicePort()) {
                // The winner serves; the losers are what the operator must hear of.
                reportOnce(-c.servicePort(), "service port " + c.servicePort() + " claimed by " + c.winner() + " and "
                        + c.losers() + ": " + c.winner() + " serves it");
            }
        }
        Map<Integer, Future<?>> closing = new HashMap<>();
        for (Listening l : new ArrayList<>(open.values())) {
            Key want = wanted.get(l.key.port());
            if (want == null || !want.equals(l.key)) {
                closing.put(l.key.port(), close(l));
            } else {
                // Another app took the port over: each connection looks its route up, so the listener stays.
                l.appId = owners.get(l.key.port());
            }
        }
        for (Map.Entry<Integer, Key> e : wanted.entrySet()) {
            if (!open.containsKey(e.getKey())) {
                Future<?> before = closing.get(e.getKey());
                String owner = owners.get(e.getKey());
                if (before == null) {
                    bind(e.getValue(), owner);
                } else {
                    // Same port, another address or mode: the old listener must be gone first.
                    Listening next = reserve(e.getValue(), owner);
                    before.addListener(x -> control.execute(() -> bindReserved(next)));
                }
            }
        }
        publishStatus();
    }

    private void bind(Key key, String appId) {
        bindReserved(reserve(key, appId));
    }

    private Listening reserve(Key key, String appId) {
        Listening l = new Listening(key, appId, new DefaultChannelGroup("service-port-" + key.port(), control));
        open.put(key.port(), l);
        return l;
    }

    private void bindReserved(Listening l) {
        if (l.closed || stopped) {
            return;
        }
        Key key = l.key;
        ChannelGroup children = l.children;
        ChannelFuture f = handlers.bootstrap(key.port(), key.mode(), children).bind(key.host(), key.port());
        f.addListener(done -> control.execute(() -> bound(l, f)));
    }

    private void bound(Listening l, ChannelFuture f) {
        int port = l.key.port();
        if (!f.isSuccess()) {
            open.remove(port, l);
            String reason = "cannot listen on " + l.key.host() + ":" + port + ": " + describe(f.cause());
            bindFailed.accept(port);
            problem(port, new PortStatus(port, l.key.host(), l.key.mode(), l.appId, reason));
            queueStatus();
            return;
        }
        l.server = f.channel();
        if (l.closed || stopped) {
            l.server.close();
            return;
        }
        reported.remove(port);
        log.info("service port {} ({}) listening on {} for {}", port, l.key.mode().name().toLowerCase(),
                ((InetSocketAddress) l.server.localAddress()), l.appId);
        queueStatus();
    }

    private static String describe(Throwable cause) {
        String m = cause.getMessage();
        return m != null ? m : cause.getClass().getSimpleName();
    }

    private void problem(int port, PortStatus status) {
        problems.put(port, status);
        reportOnce(port, status.problem());
    }

    private void reportOnce(int port, String text) {
        if (!text.equals(reported.put(port, text))) {
            log.warn("{}", text);
        }
    }

    /** Stops accepting on the port; its connections get the drain period to end by themselves. */
    private Future<?> close(Listening l) {
        open.remove(l.key.port(), l);
        l.closed = true;
        Future<?> closed = l.server == null ? control.newSucceededFuture(null) : l.server.close();
        if (l.server != null) {
            log.info("service port {} closed ({} connections left to end within {} ms)", l.key.port(),
                    l.children.size(), drain.toMillis());
        }
        if (!l.children.isEmpty()) {
            control.schedule(() -> {
                l.children.close();
            }, drain.toMillis(), TimeUnit.MILLISECONDS);
        }
        return closed;
    }

    private void queueStatus() {
        if (!statusQueued) {
            statusQueued = true;
            control.execute(() -> {
                statusQueued = false;
                publishStatus();
            });
        }
    }

    private void publishStatus() {
        Map<Integer, PortStatus> s = new TreeMap<>(problems);
        for (Listening l : open.values()) {
            if (l.server != null && !problems.containsKey(l.key.port())) {
                s.put(l.key.port(), new PortStatus(l.key.port(), l.key.host(), l.key.mode(), l.appId, null));
            }
        }
        status = Map.copyOf(s);
    }

    /** The ports actually bound, by service port (the same number; for tests and the admin pages). */
    public Set<Integer> listeningPorts() {
        Set<Integer> ports = new HashSet<>();
        for (PortStatus s : status.values()) {
            if (s.listening()) {
                ports.add(s.port());
            }
        }
        return ports;
    }

    /**
     * Stops accepting on every service port (shutdown: after the drain period); established
     * connections are the caller's to close. Completes once every listener is closed.
     */
    public CompletableFuture<Void> closeListeners() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (control.isShuttingDown()) {
            done.complete(null);
            return done;
        }
        control.execute(() -> {
            stopped = true;
            List<ChannelFuture> closing = new ArrayList<>();
            for (Listening l : open.values()) {
                l.closed = true;
                if (l.server != null) {
                    closing.add(l.server.close());
                }
            }
            open.clear();
            publishStatus();
            if (closing.isEmpty()) {
                done.complete(null);
                return;
            }
            // Listeners may live on other loops than this one.
            AtomicInteger left = new AtomicInteger(closing.size());
            for (ChannelFuture f : closing) {
                f.addListener(x -> {
                    if (left.decrementAndGet() == 0) {
                        done.complete(null);
                    }
                });
            }
        });
        return done;
    }

    /** Shuts down the event loops the service ports have of their own; after {@link #closeListeners()}. */
    public void stopLoops() {
        stopLoops.run();
    }

    /** Connections still open on a port's listener, for tests. */
    int childrenOf(int port) {
        Listening l = open.get(port);
        return l == null ? 0 : l.children.size();
    }

    /** A child handler that joins the port's group before the real one takes over. */
    static ChannelHandler joining(ChannelGroup children, ChannelHandler next) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                children.add(ch);
                ch.pipeline().addLast(next);
            }
        };
    }
}
