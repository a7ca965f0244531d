package io.mesoslb.discovery.labels;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.RouteOptions;
import io.mesoslb.core.RouteSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The label language: mesos-lb's own labels first, marathon-lb's read as marathon-lb reads them. */
class PortRoutesTest {
    private final PortRoutes labels = new PortRoutes(false, new LabelProblems());
    private final PortRoutes strict = new PortRoutes(true, new LabelProblems());

    private RouteSpec main(Map<String, String> l) {
        List<PortRoutes.PortRoute> routes = labels.routes("/app", l, 0);
        assertThat(routes).isNotEmpty();
        return routes.get(0).spec();
    }

    @Test
    void vhostsAreACommaListOursElseMarathonLbs() {
        assertThat(main(Map.of("MESOS_LB_VHOST", " Shop.Example.org , www.shop.example.org:8080,,shop.example.org.")).vhosts())
                .containsExactly("shop.example.org", "www.shop.example.org");
        assertThat(main(Map.of("HAPROXY_0_VHOST", "legacy.example.net,bücher.example")).vhosts())
                .containsExactly("legacy.example.net", "xn--bcher-kva.example");
        assertThat(main(Map.of("MESOS_LB_VHOST", "new.example.net", "HAPROXY_0_VHOST", "old.example.net")).vhosts())
                .as("ours wins").containsExactly("new.example.net");
        assertThat(main(Map.of("MESOS_LB_VHOST", "  ", "HAPROXY_0_VHOST", "old.example.net")).vhosts())
                .as("a blank one of ours falls back").containsExactly("old.example.net");
        assertThat(main(Map.of("MESOS_LB_VHOST", "ok.example.net, not valid, also/bad, :80, fine.example.net")).vhosts())
                .containsExactly("ok.example.net", "fine.example.net");
        assertThat(main(Map.of()).vhosts()).as("derived by the table").isEmpty();
        // An explicit label is the operator's intent: no fallback to the derived name.
        assertThat(labels.routes("/app", Map.of("MESOS_LB_VHOST", "not valid"), 0)).isEmpty();
    }

    @Test
    void booleansAreReadAsMarathonLbReadsThem() {
        for (String yes : new String[] {"true", "TRUE", " t ", "Yes", "y"}) {
            assertThat(main(Map.of("HAPROXY_0_REDIRECT_TO_HTTPS", yes)).options().httpsOnly()).as(yes).isTrue();
        }
        for (String no : new String[] {"false", "1", "on", "", "no"}) {
            assertThat(main(Map.of("HAPROXY_0_REDIRECT_TO_HTTPS", no)).options().httpsOnly()).as(no).isFalse();
        }
        assertThat(main(Map.of("MESOS_LB_REDIRECT_TO_HTTPS", "false", "HAPROXY_0_REDIRECT_TO_HTTPS", "true")).options()
                .httpsOnly()).as("ours wins").isFalse();
        assertThat(main(Map.of("HAPROXY_0_STICKY", "y")).options()).isEqualTo(RouteOptions.of(false, true));
    }

    @Test
    void sslCertIsAPathPerPortOursElseMarathonLbsAndKeptAsData() {
        assertThat(main(Map.of("HAPROXY_0_SSL_CERT", " /etc/ssl/shop.pem ")).options().sslCert())
                .isEqualTo("/etc/ssl/shop.pem");
        assertThat(main(Map.of("MESOS_LB_SSL_CERT", "/ours.pem", "HAPROXY_0_SSL_CERT", "/theirs.pem")).options().sslCert())
                .as("ours wins").isEqualTo("/ours.pem");
        assertThat(main(Map.of("HAPROXY_0_SSL_CERT", "/nowhere/at/all.pem")).options().sslCert())
                .as("a file the balancer may not have is still routed: the TLS listener says what is wrong")
                .isEqualTo("/nowhere/at/all.pem");
        assertThat(main(Map.of()).options().sslCert()).isNull();
        List<PortRoutes.PortRoute> ports = labels.routes("/app", Map.of("HAPROXY_0_VHOST", "a.example.com",
                "HAPROXY_1_VHOST", "b.example.com", "MESOS_LB_1_SSL_CERT", "/b.pem"), 0);
        assertThat(ports).extracting(p -> p.spec().options().sslCert()).containsExactly(null, "/b.pem");
    }

    @Test
    void pathsArePrefixesAndALabelWithNoUsablePrefixKeepsThePortOff() {
        assertThat(main(Map.of("MESOS_LB_PATH", "api, /ok  /ok")).paths()).containsExactly("/ok");
        assertThat(main(Map.of("MESOS_LB_PATH", " ", "HAPROXY_0_PATH", "/theirs")).paths()).containsExactly("/theirs");
        assertThat(main(Map.of("HAPROXY_0_PATH", "-i /Multiple /other")).paths()).containsExactly("/Multiple", "/other");
        assertThat(main(Map.of("HAPROXY_0_PATH", "-i /Multiple /other")).options().pathIgnoreCase()).isTrue();
        assertThat(main(Map.of("HAPROXY_0_PATH", "/Multiple")).options().pathIgnoreCase()).isFalse();
        // Taking every path instead would hand the whole vhost to an app meant for a corner of it.
        assertThat(labels.routes("/app", Map.of("HAPROXY_0_VHOST", "a.example.com", "HAPROXY_0_PATH", "api"), 0)).isEmpty();
    }

    @Test
    void aPortsOwnGroupOverridesTheAppsAsInMarathonLb() {
        Map<String, String> l = Map.of("HAPROXY_GROUP", "external", "HAPROXY_0_VHOST", "www.example.com",
                "HAPROXY_1_VHOST", "admin.example.com", "HAPROXY_1_GROUP", "internal");
        List<PortRoutes.PortRoute> routes = labels.routes("/app", l, 0);
        assertThat(routes).extracting(PortRoutes.PortRoute::routeId).containsExactly("/app", "/app#1");
        assertThat(routes.get(0).spec().groups()).containsExactly("external");
        assertThat(routes.get(1).spec().groups()).containsExactly("internal");
        assertThat(main(Map.of("HAPROXY_0_GROUP", "edge", "HAPROXY_GROUP", "internal")).groups()).containsExactly("edge");
        assertThat(main(Map.of("MESOS_LB_GROUP", "Internal, Edge ", "HAPROXY_GROUP", "external")).groups())
                .containsExactlyInAnyOrder("internal", "edge");
        assertThat(main(Map.of()).groups()).isEmpty();
    }

    @Test
    void enabledFalseKeepsAPortOffAndStrictModeNeedsEnabledTrue() {
        assertThat(labels.routes("/app", Map.of("HAPROXY_0_ENABLED", "false"), 0)).isEmpty();
        assertThat(labels.routes("/app", Map.of("HAPROXY_0_ENABLED", "yes"), 0)).hasSize(1);
        assertThat(labels.routes("/app", Map.of(), 0)).hasSize(1);
        assertThat(strict.routes("/app", Map.of(), 0)).isEmpty();
        assertThat(strict.routes("/app", Map.of("HAPROXY_0_ENABLED", "true"), 0)).hasSize(1);
        Map<String, String> twoPorts = Map.of("HAPROXY_0_ENABLED", "true", "HAPROXY_1_VHOST", "b.example.com");
        assertThat(strict.routes("/app", twoPorts, 0)).extracting(PortRoutes.PortRoute::routeId).containsExactly("/app");
        assertThat(labels.routes("/app", Map.of("HAPROXY_1_VHOST", "b.example.com", "HAPROXY_1_ENABLED", "f"), 0))
                .extracting(PortRoutes.PortRoute::routeId).containsExactly("/app");
    }
}
