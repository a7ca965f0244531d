package io.mesoslb.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin plane's handler on an in-memory channel: what each path answers, and when it closes. */
class AdminHandlerTest {
    private final RouteTableHolder routes = new RouteTableHolder(new VhostNaming("example.com"));
    private final AtomicReference<DiscoveryState> discovery = new AtomicReference<>();
    private final ReadinessState readiness = new ReadinessState(discovery::get);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(65536),
            new AdminHandler(routes, discovery::get, readiness, registry,
                    new RoutesJson(System::nanoTime, Clock.systemUTC()),
                    new StatsJson(null, System::nanoTime, Clock.systemUTC()), new VersionInfo(() -> "embedded", Clock.systemUTC()),
                    "<html>status</html>".getBytes(StandardCharsets.UTF_8)));

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        registry.close();
    }

    private String exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void healthFollowsReadiness() {
        assertThat(exchange("GET /health HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 503 ");
        readiness.proxyListening();
        readiness.discoverySynced();
        assertThat(exchange("GET /health HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200 ").endsWith("OK\n");
        readiness.startDraining();
        assertThat(exchange("GET /health HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 503 ");
        assertThat(channel.isOpen()).as("keep-alive between admin requests").isTrue();
    }

    @Test
    void routesAreJsonAndTheStatusPageIsHtml() {
        assertThat(exchange("GET /routes HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200 ")
                .containsIgnoringCase("content-type: application/json").contains("\"servicePorts\":[]");
        assertThat(exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200 ")
                .containsIgnoringCase("text/html").endsWith("<html>status</html>");
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() {
        assertThat(exchange("GET /nope HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 404 ");
        assertThat(exchange("POST /health HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"))
                .startsWith("HTTP/1.1 405 ").containsIgnoringCase("allow: GET, HEAD");
    }
}
