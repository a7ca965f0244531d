package io.mesoslb.discovery.labels;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.BackendProtocol;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a port's backends speak: {@code MESOS_LB_[<n>_]PROTO} and Traefik's {@code traefik.[<segment>.]protocol}.
 * A protocol that cannot be honoured keeps the port off the table: its backends would get bytes they cannot read.
 */
class BackendProtocolLabelsTest {
    private final LabelProblems problems = new LabelProblems();
    private final PortRoutes labels = new PortRoutes(false, problems);

    private List<PortRoutes.PortRoute> routes(Map<String, String> l) {
        return labels.routes("/grpc", l, 0, AppPorts.fixed(List.of(0, 0)));
    }

    private BackendProtocol main(Map<String, String> l) {
        List<PortRoutes.PortRoute> routes = routes(l);
        assertThat(routes).isNotEmpty();
        return routes.get(0).spec().options().protocol();
    }

    private void refused(Map<String, String> l, String... words) {
        assertThat(routes(l)).noneMatch(r -> r.portIndex() == 0);
        assertThat(problems.snapshot().get("/grpc")).anySatisfy(m -> assertThat(m).contains(words).endsWith("not routed"));
    }

    @Test
    void http1UnlessALabelSaysOtherwise() {
        assertThat(main(Map.of())).isEqualTo(BackendProtocol.HTTP1);
        assertThat(main(Map.of("MESOS_LB_PROTO", " "))).isEqualTo(BackendProtocol.HTTP1);
        assertThat(main(Map.of("MESOS_LB_PROTO", "http1"))).isEqualTo(BackendProtocol.HTTP1);
        assertThat(main(Map.of("MESOS_LB_PROTO", " H2C "))).isEqualTo(BackendProtocol.H2C);
    }

    @Test
    void eachPortHasItsOwn() {
        List<PortRoutes.PortRoute> ports = routes(Map.of("MESOS_LB_VHOST", "web.example.com",
                "MESOS_LB_1_VHOST", "grpc.example.com", "MESOS_LB_1_PROTO", "h2c"));
        assertThat(ports).extracting(p -> p.spec().options().protocol())
                .containsExactly(BackendProtocol.HTTP1, BackendProtocol.H2C);
    }

    @Test
    void marathonLbHasNoSuchLabelSoItsNameIsNotRead() {
        assertThat(main(Map.of("HAPROXY_0_PROTO", "h2c"))).isEqualTo(BackendProtocol.HTTP1);
        assertThat(problems.snapshot().get("/grpc")).anySatisfy(m -> assertThat(m).contains("HAPROXY_0_PROTO")
                .contains("not honoured"));
    }

    @Test
    void aProtocolThatCannotBeHonouredKeepsThePortOff() {
        refused(Map.of("MESOS_LB_PROTO", "h2"), "MESOS_LB_PROTO 'h2'", "TLS to the backend");
        refused(Map.of("MESOS_LB_PROTO", "spdy"), "MESOS_LB_PROTO 'spdy'", "not a backend protocol");
        // Only the port that says so: the main port stays routed.
        List<PortRoutes.PortRoute> ports = routes(Map.of("MESOS_LB_1_VHOST", "grpc.example.com", "MESOS_LB_1_PROTO",
                "h2"));
        assertThat(ports).extracting(PortRoutes.PortRoute::portIndex).containsExactly(0);
        assertThat(problems.snapshot().get("/grpc")).anySatisfy(m -> assertThat(m).contains("MESOS_LB_1_PROTO"));
    }

    @Test
    void traefiksProtocolIsReadPerAppAndPerSegment() {
        assertThat(main(Map.of("traefik.frontend.rule", "Host:grpc.example.com", "traefik.protocol", "h2c")))
                .isEqualTo(BackendProtocol.H2C);
        assertThat(main(Map.of("traefik.frontend.rule", "Host:grpc.example.com", "traefik.protocol", "http")))
                .isEqualTo(BackendProtocol.HTTP1);
        List<PortRoutes.PortRoute> segments = routes(Map.of(
                "traefik.web.frontend.rule", "Host:web.example.com",
                "traefik.api.frontend.rule", "Host:api.example.com", "traefik.api.protocol", "h2c",
                "traefik.api.portIndex", "1"));
        assertThat(segments).extracting(r -> r.routeId() + "=" + r.spec().options().protocol())
                .containsExactlyInAnyOrder("/grpc#web=HTTP1", "/grpc#api=H2C");
        assertThat(problems.snapshot().getOrDefault("/grpc", List.of())).noneMatch(m -> m.contains("protocol"));
    }

    @Test
    void traefiksHttpsNeedsBackendTlsAndIsRefused() {
        refused(Map.of("traefik.frontend.rule", "Host:grpc.example.com", "traefik.protocol", "https"),
                "traefik.protocol 'https'", "TLS to the backend");
        refused(Map.of("traefik.frontend.rule", "Host:grpc.example.com", "traefik.protocol", "ws"),
                "traefik.protocol 'ws'");
        List<PortRoutes.PortRoute> segments = routes(Map.of(
                "traefik.web.frontend.rule", "Host:web.example.com",
                "traefik.admin.frontend.rule", "Host:admin.example.com", "traefik.admin.protocol", "https"));
        assertThat(segments).extracting(PortRoutes.PortRoute::routeId).containsExactly("/grpc#web");
        assertThat(problems.snapshot().get("/grpc")).anySatisfy(m -> assertThat(m).contains("traefik.admin.protocol"));
    }

    @Test
    void oursNextToTraefiksLabelsIsRefusedRatherThanDropped() {
        refused(Map.of("traefik.frontend.rule", "Host:grpc.example.com", "MESOS_LB_PROTO", "h2c"),
                "MESOS_LB_PROTO cannot be combined with traefik.* labels");
    }
}
