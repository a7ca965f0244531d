package io.mesoslb.server.admin;

import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.core.RouteSpec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.ServicePort;
import io.mesoslb.server.service.PortStatus;
import java.util.Map;
import io.mesoslb.core.VhostNaming;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutesJsonTest {
    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
    private final RoutesJson routes = new RoutesJson(System::nanoTime, Clock.systemUTC());

    private JsonNode render(RouteTable table) throws Exception {
        ByteBuf buf = routes.render(UnpooledByteBufAllocator.DEFAULT, table, null);
        try {
            return new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
        } finally {
            buf.release();
        }
    }

    @Test
    void servicePortsShowTheirAppsModeAndWhyAPortDoesNotListen() throws Exception {
        holder.update(List.of(new App("/db", RouteSpec.DEFAULT.withServicePort(ServicePort.of(10001, ServicePort.Mode.TCP))
                .withoutHostRoute(), List.of(new Backend("10.0.0.1", 31000, "db.1", "/db")))));
        routes.servicePorts(() -> Map.of(
                10001, new PortStatus(10001, "0.0.0.0", ServicePort.Mode.TCP, "/db", null),
                80, new PortStatus(80, "0.0.0.0", ServicePort.Mode.HTTP, "/web", "cannot listen on 0.0.0.0:80: Permission denied")));

        JsonNode json = render(holder.current());

        assertThat(json.at("/apps/0/servicePort/port").asInt()).isEqualTo(10001);
        assertThat(json.at("/apps/0/servicePort/mode").asText()).isEqualTo("tcp");
        assertThat(json.at("/apps/0/vhosts").size()).as("a service-port-only route has no host").isZero();
        List<JsonNode> ports = new java.util.ArrayList<>();
        json.get("servicePorts").forEach(ports::add);
        assertThat(ports).extracting(p -> p.get("port").asInt()).containsExactlyInAnyOrder(10001, 80);
        JsonNode denied = ports.stream().filter(p -> p.get("port").asInt() == 80).findFirst().orElseThrow();
        assertThat(denied.get("listening").asBoolean()).isFalse();
        assertThat(denied.get("problem").asText()).contains("Permission denied");
        assertThat(denied.get("mode").asText()).isEqualTo("http");
    }

    @Test
    void jacksonRunsOncePerTableVersion() throws Exception {
        holder.update(AdminServerTest.twoApps());
        render(holder.current());
        render(holder.current());
        assertThat(routes.templatesBuilt()).isEqualTo(1);

        holder.update(List.of(new App("/solo", List.of(new Backend("::1", 8080, "solo.t", "/solo")))));
        JsonNode json = render(holder.current());
        assertThat(routes.templatesBuilt()).isEqualTo(2);
        assertThat(json.get("apps").get(0).get("backends").get(0).get("host").asText()).isEqualTo("::1");
    }

    @Test
    void emptyTableOddIdsAndAppsWithoutBackendsAreValidJson() throws Exception {
        assertThat(render(RouteTable.EMPTY).get("apps")).isEmpty();

        String odd = "/idle\"</script>\\";
        holder.update(List.of(new App(odd, RouteSpec.forHosts("idle.example.com"), List.of())));
        JsonNode json = render(holder.current());
        assertThat(json.get("apps").get(0).get("id").asText()).isEqualTo(odd);
        assertThat(json.get("apps").get(0).get("backends")).isEmpty();
        assertThat(json.get("apps").get(0).has("sslCert")).isFalse();
    }

    @Test
    void anAppsOwnCertificateFileIsListed() throws Exception {
        RouteSpec spec = RouteSpec.forHosts("shop.example.com");
        holder.update(List.of(new App("/shop", spec.withOptions(spec.options().withSslCert("/etc/ssl/shop.pem")), List.of())));
        assertThat(render(holder.current()).get("apps").get(0).get("sslCert").asText()).isEqualTo("/etc/ssl/shop.pem");
    }

    @Test
    void contestedHostsAreListedWithWinnerAndLosers() throws Exception {
        Backend task = new Backend("10.0.0.1", 8080, "web.t", "/web");
        holder.update(List.of(new App("/api", List.of(new Backend("10.0.0.2", 8080, "api.t", "/api"))),
                new App("/web", RouteSpec.forHosts("api.example.com"), List.of(task)),
                new App("/docs", RouteSpec.forHosts("api.example.com").withPaths(List.of("/docs")), List.of()),
                new App("/docs2", RouteSpec.forHosts("api.example.com").withPaths(List.of("/docs")), List.of())));
        JsonNode conflicts = render(holder.current()).get("conflicts");
        assertThat(conflicts).hasSize(2);
        assertThat(conflicts.get(0).get("vhost").asText()).isEqualTo("api.example.com");
        assertThat(conflicts.get(0).has("path")).isFalse();
        assertThat(conflicts.get(0).get("winner").asText()).isEqualTo("/web");
        assertThat(conflicts.get(0).get("losers").get(0).asText()).isEqualTo("/api");
        assertThat(conflicts.get(1).get("path").asText()).isEqualTo("/docs");
        assertThat(conflicts.get(1).get("winner").asText()).isEqualTo("/docs");
    }

    @Test
    void labelProblemsOfTheLastPublicationAreListedByApp() throws Exception {
        DiscoveryState state = new DiscoveryState("file", true, true, null, null, 1, 0, "ok")
                .withLabelProblems(java.util.Map.of("/locked", List.of("/locked: HAPROXY_0_AUTH ...: not routed")));
        ByteBuf buf = routes.render(UnpooledByteBufAllocator.DEFAULT, holder.current(), state);
        try {
            JsonNode json = new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
            assertThat(json.get("discovery").get("labelProblems").get("/locked").get(0).asText()).endsWith("not routed");
        } finally {
            buf.release();
        }
    }
}
