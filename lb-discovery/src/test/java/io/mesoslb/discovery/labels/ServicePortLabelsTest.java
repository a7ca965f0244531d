package io.mesoslb.discovery.labels;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.CidrList;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.core.ServicePort;
import io.mesoslb.core.ServicePort.Mode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Each port's service port: number, address, mode and what keeps it off. */
class ServicePortLabelsTest {
    private static final String HASH = "$6$rounds=5000$saltsalt$WKuZdTvDwV1yrMp3a4pLSxMcG4tl0qDdVLVYBpBKrHKCyuP"
            + "kMrwc4lO5D1Yg3gJnUAwBbg1FU6Ox7hEoiz8FR.";
    private final LabelProblems problems = new LabelProblems();
    private final PortRoutes labels = new PortRoutes(false, problems);
    private final PortRoutes strict = new PortRoutes(true, new LabelProblems());

    /** Two ports with service ports 10001 and 10002, no health check. */
    private static final AppPorts TWO = new AppPorts(List.of(), List.of(10001, 10002), List.of());

    private List<PortRoutes.PortRoute> routes(Map<String, String> l, AppPorts ports) {
        return labels.routes("/app", l, 0, ports);
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private PortRoutes.PortRoute route(List<PortRoutes.PortRoute> routes, String id) {
        return routes.stream().filter(r -> r.routeId().equals(id)).findFirst().orElse(null);
    }

    /**
     * marathon-lb's default mode ({@code marathon_lb.py}: {@code MarathonService.__init__}, the
     * {@code BACKEND_HEALTHCHECK_PORT_INDEX} branch of {@code get_apps}, and {@code config()}).
     */
    @ParameterizedTest(name = "vhost={0} own={1} indexed={2} -> {3}")
    @CsvSource(nullValues = "-", value = {
        "false, -,           -,           TCP",   // nothing: tcp
        "true,  -,           -,           HTTP",  // a vhost label: http
        "false, HTTP,        -,           HTTP",  // its own HTTP check
        "false, HTTPS,       -,           TCP",   // only 'HTTP' counts for the port's own check
        "false, MESOS_HTTP,  -,           TCP",
        "false, MESOS_HTTPS, -,           TCP",
        "false, TCP,         -,           TCP",
        "false, COMMAND,     -,           TCP",
        "true,  TCP,         -,           HTTP",  // the vhost still makes it http
        "false, -,           HTTP,        HTTP",  // no own check: the indexed one, of four protocols
        "false, -,           HTTPS,       HTTP",
        "false, -,           MESOS_HTTP,  HTTP",
        "false, -,           MESOS_HTTPS, HTTP",
        "false, -,           TCP,         TCP",
        "false, TCP,         HTTP,        TCP",   // an own check: the indexed one is not looked at
    })
    void defaultModeIsMarathonLbs(boolean vhost, String own, String indexed, Mode expected) {
        assertThat(ServicePortLabels.defaultMode(vhost, own, indexed)).isEqualTo(expected);
    }

    @Test
    void everyPortWithAServicePortIsServedTheMainOneAlsoByHostTheOthersOnlyThere() {
        List<PortRoutes.PortRoute> routes = routes(Map.of(), TWO);
        assertThat(routes).extracting(PortRoutes.PortRoute::routeId).containsExactly("/app", "/app#1");
        RouteSpec main = routes.get(0).spec();
        assertThat(main.servicePort()).isEqualTo(ServicePort.of(10001, Mode.TCP));
        assertThat(main.hostRouted()).as("the derived name").isTrue();
        RouteSpec second = routes.get(1).spec();
        assertThat(second.servicePort()).isEqualTo(ServicePort.of(10002, Mode.TCP));
        assertThat(second.hostRouted()).isFalse();
        assertThat(second.vhosts()).isEmpty();
        assertThat(routes(Map.of(), AppPorts.NONE)).as("no service port: the main port by host only")
                .singleElement().satisfies(r -> assertThat(r.spec().servicePort()).isNull());
    }

    @Test
    void aDerivedNameDoesNotMakeTheServicePortHttpAVhostLabelDoes() {
        assertThat(routes(Map.of(), TWO).get(0).spec().servicePort().mode()).isEqualTo(Mode.TCP);
        List<PortRoutes.PortRoute> r = routes(map("HAPROXY_0_VHOST", "a.example.net", "MESOS_LB_1_VHOST", "b.example.net"),
                TWO);
        assertThat(r).extracting(x -> x.spec().servicePort().mode()).containsExactly(Mode.HTTP, Mode.HTTP);
        assertThat(r.get(1).spec().hostRouted()).isTrue();
        assertThat(r.get(1).spec().vhosts()).containsExactly("b.example.net");
    }

    @Test
    void anHttpHealthCheckOnThePortMakesItHttp() {
        AppPorts checked = new AppPorts(List.of(), List.of(10001, 10002), List.of("", "HTTP"));
        assertThat(routes(Map.of(), checked)).extracting(x -> x.spec().servicePort().mode())
                .containsExactly(Mode.TCP, Mode.HTTP);
        assertThat(routes(map("HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX", "1"), checked).get(0).spec().servicePort().mode())
                .as("the check of another index, named by the label").isEqualTo(Mode.HTTP);
    }

    @Test
    void modeLabelWinsOursBeforeTheirsAndAnythingElseKeepsThePortOff() {
        AppPorts checked = new AppPorts(List.of(), List.of(10001, 10002), List.of("HTTP", "HTTP"));
        assertThat(routes(map("HAPROXY_0_MODE", "tcp", "HAPROXY_0_VHOST", "a.example.net"), checked).get(0).spec()
                .servicePort().mode()).isEqualTo(Mode.TCP);
        assertThat(routes(map("HAPROXY_1_MODE", "TCP", "MESOS_LB_1_MODE", "http"), TWO).get(1).spec().servicePort().mode())
                .isEqualTo(Mode.HTTP);
        List<PortRoutes.PortRoute> bad = routes(map("HAPROXY_0_MODE", "health", "HAPROXY_1_MODE", "udp"), TWO);
        assertThat(bad).as("the main port keeps its host route, port 1 had nothing else").singleElement()
                .satisfies(r -> assertThat(r.spec().servicePort()).isNull());
        assertThat(problems.snapshot().get("/app")).anySatisfy(p -> assertThat(p).contains("HAPROXY_0_MODE", "health"))
                .anySatisfy(p -> assertThat(p).contains("HAPROXY_1_MODE", "udp"));
    }

    @Test
    void portLabelOverridesTheServicePortOursBeforeTheirs() {
        assertThat(routes(map("HAPROXY_0_PORT", "80", "HAPROXY_0_BIND_ADDR", "10.0.0.1", "HAPROXY_0_MODE", "tcp"), TWO)
                .get(0).spec().servicePort().port()).isEqualTo(80);
        assertThat(problems.snapshot().get("/app")).as("honoured labels are not warned about").isNull();
        assertThat(routes(map("HAPROXY_1_PORT", "81", "MESOS_LB_1_PORT", "82"), TWO).get(1).spec().servicePort().port())
                .isEqualTo(82);
        assertThat(routes(map("MESOS_LB_PORT", "8443"), AppPorts.NONE).get(0).spec().servicePort().port())
                .as("a port Marathon gave no service port").isEqualTo(8443);
        AppPorts twoPorts = new AppPorts(List.of(31000, 31001), List.of(), List.of());
        assertThat(route(routes(map("HAPROXY_1_PORT", "9000"), twoPorts), "/app#1").spec().servicePort().port())
                .isEqualTo(9000);
        assertThat(routes(map("HAPROXY_5_PORT", "9000"), twoPorts)).as("no port 5").hasSize(1);
        for (String bad : new String[] {"0", "65536", "eighty", "-1"}) {
            List<PortRoutes.PortRoute> r = routes(map("HAPROXY_0_PORT", bad, "HAPROXY_1_PORT", bad), TWO);
            assertThat(r).as(bad).singleElement().satisfies(x -> assertThat(x.spec().servicePort()).isNull());
        }
    }

    @Test
    void bindAddressIsAnIpLiteralOrStarAnythingElseKeepsThePortOff() {
        assertThat(routes(map("HAPROXY_0_BIND_ADDR", "10.0.0.42"), TWO).get(0).spec().servicePort().bindHost())
                .isEqualTo("10.0.0.42");
        assertThat(routes(map("HAPROXY_0_BIND_ADDR", "*"), TWO).get(0).spec().servicePort().bindHost())
                .isEqualTo("0.0.0.0");
        assertThat(routes(map("HAPROXY_0_BIND_ADDR", "[::1]"), TWO).get(0).spec().servicePort().bindHost())
                .isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(routes(map("HAPROXY_1_BIND_ADDR", "10.0.0.1", "MESOS_LB_1_BIND_ADDR", "10.0.0.2"), TWO).get(1).spec()
                .servicePort().bindHost()).isEqualTo("10.0.0.2");
        assertThat(routes(Map.of(), TWO).get(0).spec().servicePort().bindHost()).as("the balancer's setting").isNull();
        for (String bad : new String[] {"internal.example.net", "10.0.0", "10.0.0.1:80", "fe80::1%eth0"}) {
            List<PortRoutes.PortRoute> r = routes(map("HAPROXY_0_BIND_ADDR", bad, "HAPROXY_1_BIND_ADDR", bad), TWO);
            assertThat(r).as(bad).singleElement().satisfies(x -> assertThat(x.spec().servicePort()).isNull());
            assertThat(problems.snapshot().get("/app")).as(bad).anySatisfy(p -> assertThat(p).contains("BIND_ADDR", bad));
        }
    }

    @Test
    void sendProxyIsOursOnly() {
        assertThat(routes(map("MESOS_LB_SEND_PROXY", "true", "MESOS_LB_1_SEND_PROXY", "false"), TWO))
                .extracting(r -> r.spec().servicePort().sendProxy()).containsExactly(true, false);
        assertThat(routes(map("MESOS_LB_1_SEND_PROXY", "yes"), TWO).get(1).spec().servicePort().sendProxy()).isTrue();
        assertThat(routes(map("HAPROXY_0_SEND_PROXY", "true"), TWO).get(0).spec().servicePort().sendProxy()).isFalse();
    }

    @Test
    void bindOptionsThatRestrictKeepThePortOffOthersAreOnlyWarnedAbout() {
        for (String restricting : new String[] {"ssl crt /etc/ssl/x.pem", "accept-proxy", "interface eth1",
            "ciphers X verify required ca-file /ca.pem"}) {
            List<PortRoutes.PortRoute> r = routes(map("HAPROXY_0_BIND_OPTIONS", restricting, "HAPROXY_1_BIND_OPTIONS",
                    restricting), TWO);
            assertThat(r).as(restricting).singleElement().satisfies(x -> assertThat(x.spec().servicePort()).isNull());
        }
        List<PortRoutes.PortRoute> r = routes(map("HAPROXY_1_BIND_OPTIONS", "maxconn 100 backlog 10"), TWO);
        assertThat(r.get(1).spec().servicePort()).isEqualTo(ServicePort.of(10002, Mode.TCP));
        assertThat(problems.snapshot().get("/app")).anySatisfy(p -> assertThat(p).contains("HAPROXY_1_BIND_OPTIONS",
                "not honoured"));
    }

    @Test
    void basicAuthCannotBeAskedOnATcpPortSoThatPortIsOffAndTheHostRouteKeepsIt() {
        String auth = "realm:user:" + HASH;
        List<PortRoutes.PortRoute> r = routes(map("HAPROXY_0_AUTH", auth, "HAPROXY_1_AUTH", auth), TWO);
        assertThat(r).singleElement().satisfies(x -> {
            assertThat(x.routeId()).isEqualTo("/app");
            assertThat(x.spec().options().auth()).isNotNull();
            assertThat(x.spec().servicePort()).isNull();
        });
        assertThat(problems.snapshot().get("/app")).anySatisfy(p -> assertThat(p).contains("HAPROXY_1_AUTH", "10002"));
        List<PortRoutes.PortRoute> http = routes(map("HAPROXY_1_AUTH", auth, "HAPROXY_1_MODE", "http"), TWO);
        assertThat(http.get(1).spec().servicePort()).isEqualTo(ServicePort.of(10002, Mode.HTTP));
        assertThat(http.get(1).spec().options().auth()).isNotNull();
    }

    @Test
    void groupsEnabledStrictModeAndAclApplyToTheServicePortAsToTheHostRoute() {
        List<PortRoutes.PortRoute> r = routes(map("HAPROXY_GROUP", "external", "HAPROXY_1_GROUP", "internal",
                "HAPROXY_1_BACKEND_NETWORK_ALLOWED_ACL", "10.0.0.0/8"), TWO);
        assertThat(r.get(0).spec().groups()).containsExactly("external");
        assertThat(r.get(1).spec().groups()).containsExactly("internal");
        assertThat(r.get(1).spec().options().allowFrom()).isEqualTo(CidrList.parse("10.0.0.0/8"));
        assertThat(routes(map("HAPROXY_1_ENABLED", "false"), TWO)).extracting(PortRoutes.PortRoute::routeId)
                .containsExactly("/app");
        assertThat(strict.routes("/app", map("HAPROXY_1_ENABLED", "true"), 0, TWO))
                .extracting(PortRoutes.PortRoute::routeId).containsExactly("/app#1");
        assertThat(routes(map("HAPROXY_1_BACKEND_NETWORK_ALLOWED_ACL", "not a network"), TWO))
                .as("an unreadable ACL: fail closed").extracting(PortRoutes.PortRoute::routeId).containsExactly("/app");
    }

    @Test
    void portsThatRoutedBeforeRouteTheSame() {
        Map<String, String> l = map("HAPROXY_0_VHOST", "a.example.net", "HAPROXY_1_VHOST", "b.example.net",
                "HAPROXY_1_PATH", "/api");
        List<PortRoutes.PortRoute> before = labels.routes("/app", l, 0);
        List<PortRoutes.PortRoute> now = routes(l, TWO);
        assertThat(now).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            assertThat(now.get(i).spec().withServicePort(null)).isEqualTo(before.get(i).spec());
            assertThat(now.get(i).routeId()).isEqualTo(before.get(i).routeId());
        }
    }

    @Test
    void aTraefikAppIsServedOnTheServicePortsOfTheRoutesItHasOnly() {
        AppPorts checked = new AppPorts(List.of(), List.of(10001, 10002), List.of("", ""));
        List<PortRoutes.PortRoute> r = routes(map("traefik.frontend.rule", "Host:t.example.net"), checked);
        assertThat(r).singleElement().satisfies(x -> {
            assertThat(x.routeId()).isEqualTo("/app");
            assertThat(x.spec().servicePort()).isEqualTo(ServicePort.of(10001, Mode.TCP));
        });
        assertThat(routes(map("traefik.enable", "false"), checked)).isEmpty();
    }
}
