package io.mesoslb.server.service;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteConflict;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.TableChange;
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
import java.util.Collections;
import java.util.Iterator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
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
    /** Written by the loop one port at a time, so that a change costs its ports, not every port; read by the admin pages. */
    private final ConcurrentSkipListMap<Integer, PortStatus> status = new ConcurrentSkipListMap<>();
    private final Map<Integer, PortStatus> statusView = Collections.unmodifiableMap(status);
    private volatile RouteTable latest = RouteTable.EMPTY;
    /** Ports whose owner changed since the loop last looked: only they are looked at again. */
    private final Set<Integer> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean conflictsChanged;
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
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

    /** Every service port the table assigns and how it stands, sorted by port (a live, read-only view). */
    public Map<Integer, PortStatus> status() {
        return statusView;
    }

    /**
     * Looks at the newest table once the loop gets to it, at the ports whose owner changed (and those
     * that failed to bind, tried again): a burst of publications costs one look at the ports they
     * touched, and a one-app event does not walk every port of the cluster.
     */
    @Override
    public void tableChanged(TableChange change) {
        // The table first, then its ports: a port the loop takes from pending is in the table it reads after
        // taking it. The other order lost a port (a second app's, published while the loop was reconciling the
        // first's): the loop read the older table, took the new port from pending, found no route for it there,
        // and the next look found pending empty.
        latest = change.current();
        if (change.previous().conflicts() != change.current().conflicts()) {
            conflictsChanged = true;
        }
        pending.addAll(change.servicePorts());
        if (reconcileQueued.compareAndSet(false, true)) {
            control.execute(() -> {
                reconcileQueued.set(false);
                reconcile();
            });
        }
    }

    private void reconcile() {
        if (stopped) {
            return;
        }
        Set<Integer> ports = new TreeSet<>(problems.keySet());
        for (Iterator<Integer> i = pending.iterator(); i.hasNext(); ) {
            ports.add(i.next());
            i.remove();
        }
        RouteTable table = latest;
        for (int port : ports) {
            reconcile(port, table.servicePortRoute(port));
        }
        if (conflictsChanged) {
            conflictsChanged = false;
            for (RouteConflict c : table.conflicts()) {
                if (c.isServicePort()) {
                    // The winner serves; the losers are what the operator must hear of.
                    reportOnce(-c.servicePort(), "service port " + c.servicePort() + " claimed by " + c.winner()
                            + " and " + c.losers() + ": " + c.winner() + " serves it");
                }
            }
        }
    }

    /** Makes one port's listener what its owner {@code route} (null: none) wants. */
    private void reconcile(int port, Route route) {
        problems.remove(port);
        Key want = null;
        if (route != null) {
            ServicePort sp = route.servicePort();
            String host = sp.bindHost() != null ? sp.bindHost() : defaultHost;
            if (range.contains(port)) {
                want = new Key(host, port, sp.mode());
            } else {
                problem(port, new PortStatus(port, host, sp.mode(), route.appId(),
                        "outside service-port-range " + range));
            }
        }
        Listening l = open.get(port);
        Future<?> closing = null;
        if (l != null) {
            if (want != null && want.equals(l.key)) {
                // Another app took the port over: each connection looks its route up, so the listener stays.
                l.appId = route.appId();
                statusOf(port);
                return;
            }
            closing = close(l);
        }
        if (want != null && closing == null) {
            bind(want, route.appId());
        } else if (want != null) {
            // Same port, another address or mode: the old listener must be gone first.
            Listening next = reserve(want, route.appId());
            closing.addListener(x -> control.execute(() -> bindReserved(next)));
        }
        statusOf(port);
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
            statusOf(port);
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
        statusOf(port);
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

    /** Publishes how one port stands now: its problem, else its listener once bound, else nothing. */
    private void statusOf(int port) {
        PortStatus problem = problems.get(port);
        Listening l = open.get(port);
        if (problem != null) {
            status.put(port, problem);
        } else if (l != null && l.server != null && !stopped) {
            status.put(port, new PortStatus(port, l.key.host(), l.key.mode(), l.appId, null));
        } else {
            status.remove(port);
        }
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
            status.clear();
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
