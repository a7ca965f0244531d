package io.mesoslb.server.tls;

import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.TableChange;
import io.mesoslb.core.RouteTableHolder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves each route's own certificate file ({@code SSL_CERT}) for the route's vhosts on the TLS
 * listener. Files are read and contexts built on a thread of its own: the table listener runs under
 * discovery's writer lock and must not block, and event loops never wait for a file. After every
 * table swap, and every {@code recheck} (a renewed file is picked up without a deploy), the files
 * named are looked at again and the SNI mapping rebuilt.
 *
 * <p>A file that cannot be used is not an access restriction: the route stays routed, and its hosts
 * get the default certificate (or the one the file last gave), which browsers will reject for that
 * host; the problem is logged once per app and file.
 */
public final class RouteCertificates implements RouteTableHolder.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RouteCertificates.class);

    private final SniContexts contexts;
    private final CertificateFiles files;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("mesos-lb-tls-certs", true));
    private final RouteTableHolder routes;
    private final AtomicBoolean queued = new AtomicBoolean();
    // Refresher thread only.
    private final ProblemsSaid said = new ProblemsSaid();
    private Map<String, SslContext> served = Map.of();

    /** Starts serving the routes' certificates, and follows the table from now on. */
    public static RouteCertificates start(SniContexts contexts, RouteTableHolder routes, Duration recheck) {
        RouteCertificates c = new RouteCertificates(contexts, routes);
        routes.addListener(c);
        c.queue();
        long every = recheck.toMillis();
        c.thread.scheduleWithFixedDelay(c::refresh, every, every, TimeUnit.MILLISECONDS);
        return c;
    }

    private RouteCertificates(SniContexts contexts, RouteTableHolder routes) {
        this.contexts = contexts;
        this.files = new CertificateFiles(contexts.offer());
        this.routes = routes;
    }

    @Override
    public void tableChanged(TableChange change) {
        queue();
    }

    /** One refresh pending at most: swaps in a burst are coalesced into a look at the last table. */
    private void queue() {
        if (queued.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    queued.set(false);
                    refresh();
                });
            } catch (RejectedExecutionException e) {
                // Closed with the server; the holder outlives it and still calls.
            }
        }
    }

    private void refresh() {
        try {
            // The live table, not the one a notification carried: a look never goes back in time.
            RouteTable table = routes.current();
            Map<String, SslContext> byHost = new LinkedHashMap<>();
            Set<String> paths = new HashSet<>();
            Set<String> problems = new HashSet<>();
            // Of two apps giving one host a certificate, the one the table gives the host to keeps it;
            // otherwise the first in app id order (the table's order).
            for (Route route : table.routes()) {
                String path = route.options().sslCert();
                if (path == null) {
                    continue;
                }
                paths.add(path);
                CertificateFiles.Loaded loaded = files.get(path);
                if (loaded.problem() != null) {
                    String key = ProblemsSaid.key(route.appId(), path, loaded.problem());
                    problems.add(key);
                    if (said.firstTime(key)) {
                        log.error("app {}: certificate file {} cannot be used ({}); its hosts {} get {} on https",
                                route.appId(), path, loaded.problem(), route.vhosts(), loaded.context() == null
                                        ? "the default certificate" : "the certificate the file last gave");
                    }
                }
                if (loaded.context() != null) {
                    for (String host : route.vhosts()) {
                        if (table.hosts().get(host) == route) {
                            byHost.put(host, loaded.context());
                        } else {
                            byHost.putIfAbsent(host, loaded.context());
                        }
                    }
                }
            }
            files.retainOnly(paths);
            said.retainOnly(problems);
            if (!byHost.equals(served)) {
                contexts.serveRouteCertificates(byHost);
                served = byHost;
                log.info("TLS: {} host name(s) served with their routes' own certificates", byHost.size());
            }
        } catch (RuntimeException e) {
            // Keeps the scheduled recheck alive.
            log.error("TLS: route certificates not refreshed", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    /** Problems logged, so that each is logged once while it lasts (and again if it comes back). */
    static final class ProblemsSaid {
        private final Set<String> said = new HashSet<>();

        static String key(String appId, String path, String problem) {
            return appId + '\0' + path + '\0' + problem;
        }

        boolean firstTime(String key) {
            return said.add(key);
        }

        void retainOnly(Set<String> current) {
            said.retainAll(current);
        }

        void forget(String key) {
            said.remove(key);
        }
    }
}
