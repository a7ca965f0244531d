package io.mesoslb.server.testing;

import io.mesoslb.server.LbServer;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.proxy.BackendOutcomes;

import io.mesoslb.discovery.labels.PortRoutes;
import io.mesoslb.discovery.labels.LabelProblems;
import io.mesoslb.core.App;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.core.Backend;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.Ticker;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.testkit.Await;
import io.netty.channel.Channel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A proxy on an ephemeral loopback port with routes the test sets; apps live under {@value #DOMAIN}. */
public final class ProxyFixture implements AutoCloseable {
    public static final String DOMAIN = "test.local";
    private static final PortRoutes LABELS = new PortRoutes(false, new LabelProblems());

    private final Map<String, App> apps = new LinkedHashMap<>();
    public final RouteTableHolder routes;
    public final LbServer server;
    public final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public ProxyFixture() {
        this(b -> b);
    }

    public ProxyFixture(UnaryOperator<ServerConfig.Builder> config) {
        this(config, BackendOutcomes.NONE);
    }

    public ProxyFixture(UnaryOperator<ServerConfig.Builder> config, BackendOutcomes outcomes) {
        this(config, outcomes, Ticker.SYSTEM);
    }

    /** @param ticker the clock of the routes and of passive health's ejections (the test's own, to end one) */
    public ProxyFixture(UnaryOperator<ServerConfig.Builder> config, BackendOutcomes outcomes, Ticker ticker) {
        ServerConfig.Builder b = ServerConfig.builder().listenHost("127.0.0.1").listenPort(0).workerThreads(2)
                .adminPort(-1).shutdownGrace("2s");
        ServerConfig built = config.apply(b).build();
        routes = new RouteTableHolder(new VhostNaming(DOMAIN), built.groups(), ticker);
        server = new LbServer(built, routes, outcomes).start();
    }

    public int port() {
        return server.port();
    }

    /** Routes app {@code appId} (host {@code <name>.test.local}) to the given backends. */
    public ProxyFixture app(String appId, Backend... backends) {
        return app(appId, Map.of(), backends);
    }

    /**
     * Routes app {@code appId} as discovery would with these Marathon labels: its main port's route
     * (none when the labels keep it off the table).
     */
    /** An app routed as {@code spec} says (a service port, no Host route, ...). */
    public ProxyFixture app(String appId, RouteSpec spec, Backend... backends) {
        apps.put(appId, new App(appId, spec, List.of(backends)));
        routes.update(new ArrayList<>(apps.values()));
        return this;
    }

    /** Takes an app off the table. */
    public ProxyFixture remove(String appId) {
        apps.remove(appId);
        routes.update(new ArrayList<>(apps.values()));
        return this;
    }

    public ProxyFixture app(String appId, Map<String, String> labels, Backend... backends) {
        List<PortRoutes.PortRoute> ports = LABELS.routes(appId, labels, 0);
        if (ports.isEmpty()) {
            apps.remove(appId);
        } else {
            apps.put(appId, new App(appId, ports.get(0).spec(), List.of(backends)));
        }
        routes.update(new ArrayList<>(apps.values()));
        return this;
    }

    /** Routes every port of app {@code appId} that these labels route (its main port and {@code <app>#<n>}), all to {@code origin}. */
    public ProxyFixture appPorts(String appId, Map<String, String> labels, TestOrigin origin) {
        for (PortRoutes.PortRoute port : LABELS.routes(appId, labels, 0)) {
            apps.put(port.routeId(), new App(port.routeId(), port.spec(), List.of(origin.backend(port.routeId()))));
        }
        routes.update(new ArrayList<>(apps.values()));
        return this;
    }

    public ProxyFixture app(String appId, TestOrigin... origins) {
        Backend[] b = new Backend[origins.length];
        for (int i = 0; i < origins.length; i++) {
            b[i] = origins[i].backend(appId);
        }
        return app(appId, b);
    }

    public HttpRequest.Builder request(String host, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).header("Host", host)
                .timeout(Duration.ofSeconds(20));
    }

    public HttpResponse<String> get(String host, String path) throws Exception {
        return client.send(request(host, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A backend connection of the proxy (being made or open) other than {@code other} (null: any), once there is
     * one. A connection that closed may still be listed for a moment after it reads closed, hence the exclusion.
     */
    public Channel awaitBackendConnection(Duration wait, Channel other) {
        Await.until(wait, () -> backendConnectionOtherThan(other) != null, "a backend connection being made");
        return backendConnectionOtherThan(other);
    }

    private Channel backendConnectionOtherThan(Channel other) {
        for (Channel c : server.pools().connections()) {
            if (c != other && c.isOpen()) {
                return c;
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.close();
    }
}
