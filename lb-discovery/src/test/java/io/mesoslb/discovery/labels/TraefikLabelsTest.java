package io.mesoslb.discovery.labels;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mesoslb.core.BasicAuth;
import io.mesoslb.core.CidrList;
import io.mesoslb.core.RouteSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Traefik 1.7's Marathon labels read into the routes marathon-lb's labels make. */
class TraefikLabelsTest {
    private static final String BCRYPT = "$2y$05$c4WoMPo3SXsafkva.HHa6uXQZWr7oboPiC2bT/r7q1BB8I2s0BRqC";
    private final TraefikLabels traefik = new TraefikLabels(true, new LabelProblems());
    private final TraefikLabels optIn = new TraefikLabels(false, new LabelProblems());
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(LabelProblems.class);

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
    }

    private List<String> said(Level level) {
        return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private RouteSpec only(Map<String, String> labels) {
        List<PortRoutes.PortRoute> routes = traefik.routes("/shop", labels, 0);
        assertThat(routes).hasSize(1);
        assertThat(routes.get(0).routeId()).isEqualTo("/shop");
        return routes.get(0).spec();
    }

    private void refused(Map<String, String> labels, String... words) {
        assertThat(traefik.routes("/shop", labels, 0)).isEmpty();
        assertThat(said(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("app /shop").contains(words)
                .contains("not routed"));
    }

    @Test
    void noTraefikLabelIsPortRoutesBusinessUnlessAppsAreOptIn() {
        assertThat(traefik.routes("/shop", Map.of(), 0)).isNull();
        assertThat(traefik.routes("/shop", Map.of("HAPROXY_GROUP", "external"), 0)).isNull();
        assertThat(optIn.routes("/shop", Map.of(), 0)).as("hidden, as by Traefik's exposedByDefault=false").isEmpty();
    }

    @Test
    void enableHidesOrOptsIn() {
        assertThat(traefik.routes("/shop", Map.of("traefik.enable", "false"), 0)).isEmpty();
        assertThat(traefik.routes("/shop", Map.of("traefik.enable", "0", "traefik.frontend.rule", "Host:a.example"), 0))
                .isEmpty();
        List<PortRoutes.PortRoute> on = optIn.routes("/shop", Map.of("traefik.enable", "True"), 0);
        assertThat(on).singleElement().satisfies(r -> assertThat(r.spec().vhosts()).as("derived").isEmpty());
        assertThat(optIn.routes("/shop", Map.of("traefik.frontend.rule", "Host:a.example"), 0))
                .as("labelled, but not opted in").isEmpty();
        assertThat(traefik.routes("/shop", Map.of("traefik.frontend.rule", "Host:a.example"), 0)).hasSize(1);
    }

    @Test
    void anEnableThatIsNoBooleanFailsClosed() {
        refused(Map.of("traefik.enable", "no"), "traefik.enable 'no'");
    }

    @Test
    void marathonLbRoutingLabelsWin() {
        Map<String, String> both = Map.of("HAPROXY_0_VHOST", "old.example", "traefik.frontend.rule", "Host:new.example");
        assertThat(traefik.routes("/shop", both, 0)).isNull();
        assertThat(said(Level.WARN)).anySatisfy(m -> assertThat(m).contains("HAPROXY_0_VHOST is set"));
        assertThat(traefik.routes("/shop", Map.of("MESOS_LB_PATH", "/p", "traefik.enable", "false"), 0)).isNull();
        assertThat(traefik.routes("/shop", Map.of("MESOS_LB_1_VHOST", "x.example", "traefik.enable", "false"), 0)).isNull();
    }

    @Test
    void traefikLabelsThatRestrictAreNotDroppedForMarathonLbRoutingLabels() {
        // The app keeps its Traefik protection or is not routed: never served without it.
        refused(Map.of("HAPROXY_0_VHOST", "a.example", "traefik.frontend.auth.basic", "u:" + BCRYPT),
                "traefik.frontend.auth.basic");
        refused(Map.of("MESOS_LB_PATH", "/p", "traefik.frontend.whiteList.sourceRange", "10.0.0.0/8"),
                "traefik.frontend.whiteList.sourceRange");
        refused(Map.of("HAPROXY_1_VHOST", "b.example", "traefik.admin.frontend.auth.basic.users", "u:" + BCRYPT),
                "traefik.admin.frontend.auth.basic.users");
        refused(Map.of("HAPROXY_0_VHOST", "a.example", "traefik.frontend.whitelistSourceRange", "10.0.0.0/8"),
                "traefik.frontend.whitelistSourceRange");
    }

    @Test
    void marathonLbLabelsThatRestrictCannotBeMixedIn() {
        refused(Map.of("HAPROXY_0_AUTH", "r:u:" + BCRYPT, "traefik.frontend.rule", "Host:a.example"), "HAPROXY_0_AUTH");
        refused(Map.of("MESOS_LB_ENABLED", "false", "traefik.enable", "true"), "MESOS_LB_ENABLED");
        refused(Map.of("HAPROXY_1_GROUP", "internal", "traefik.enable", "true"), "HAPROXY_1_GROUP");
        refused(Map.of("HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL", "10.0.0.0/8", "traefik.enable", "true"),
                "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL");
        assertThat(only(Map.of("HAPROXY_0_STICKY", "true", "traefik.enable", "true")).options().sticky()).isFalse();
        assertThat(said(Level.WARN)).anySatisfy(m -> assertThat(m).contains("HAPROXY_0_STICKY is not read"));
    }

    @Test
    void theAppWideGroupStillSelectsTheTier() {
        assertThat(only(Map.of("HAPROXY_GROUP", "External,internal", "traefik.enable", "true")).groups())
                .containsExactlyInAnyOrder("external", "internal");
        assertThat(only(Map.of("MESOS_LB_GROUP", "edge", "HAPROXY_GROUP", "x", "traefik.enable", "true")).groups())
                .containsExactly("edge");
    }

    @Test
    void hostAndPathPrefixRules() {
        RouteSpec hosts = only(Map.of("traefik.frontend.rule", "Host: Shop.Example.org ,www.shop.example.org"));
        assertThat(hosts.vhosts()).containsExactly("shop.example.org", "www.shop.example.org");
        assertThat(hosts.paths()).isEmpty();
        RouteSpec both = only(Map.of("traefik.frontend.rule", "Host:shop.example.org;PathPrefix:/api,/v2"));
        assertThat(both.vhosts()).containsExactly("shop.example.org");
        assertThat(both.paths()).containsExactly("/api", "/v2");
        RouteSpec pathOnly = only(Map.of("traefik.frontend.rule", "PathPrefix:/api"));
        assertThat(pathOnly.vhosts()).as("derived name").isEmpty();
        assertThat(pathOnly.paths()).containsExactly("/api");
        assertThat(said(Level.WARN)).anySatisfy(m -> assertThat(m).contains("names no Host"));
    }

    @Test
    void invalidValuesAreDroppedWithAWarningButNeverAll() {
        assertThat(only(Map.of("traefik.frontend.rule", "Host:ok.example,not valid")).vhosts()).containsExactly("ok.example");
        assertThat(said(Level.WARN)).anySatisfy(m -> assertThat(m).contains("invalid host 'not valid'"));
        refused(Map.of("traefik.frontend.rule", "Host:not valid"), "names no valid host");
        refused(Map.of("traefik.frontend.rule", "Host:a.example;PathPrefix:api"), "names no usable path prefix");
    }

    @Test
    void rulesThatCannotBeHonouredFailClosed() {
        refused(Map.of("traefik.frontend.rule", "PathPrefixStrip:/api"), "PathPrefixStrip");
        for (String rule : List.of("HostRegexp:{sub:[a-z]+}.example.org", "Host:a.example;Path:/x",
                "Host:a.example;Method:GET", "Host:a.example;Headers:X-A,b", "Host:a.example;Query:a=b",
                "Host:a.example;AddPrefix:/x", "host:a.example")) {
            refused(Map.of("traefik.frontend.rule", rule), "which mesos-lb cannot match on");
        }
        refused(Map.of("traefik.frontend.rule", "Host:a.example;Host:b.example"), "two Host matchers");
        refused(Map.of("traefik.frontend.rule", "PathPrefix:/a;PathPrefix:/b"), "two PathPrefix matchers");
        refused(Map.of("traefik.frontend.rule", "Host:"), "has no value");
        refused(Map.of("traefik.frontend.rule", " ; "), "has no matcher");
        refused(Map.of("traefik.frontend.rule", ""), "is empty");
    }

    @Test
    void portIndexAndPortNumber() {
        assertThat(traefik.routes("/shop", Map.of("traefik.portIndex", "2"), 0).get(0).portIndex()).isEqualTo(2);
        assertThat(traefik.routes("/shop", Map.of("traefik.enable", "true"), 1).get(0).portIndex())
                .as("MESOS_LB_PORT_INDEX's index by default").isEqualTo(1);
        assertThat(traefik.routes("/shop", Map.of("traefik.port", "8443"), 0, List.of(0, 8443)).get(0).portIndex())
                .isEqualTo(1);
        assertThat(traefik.routes("/shop", Map.of("traefik.port", "8443", "traefik.portIndex", "0"), 0,
                List.of(0, 8443)).get(0).portIndex()).as("the port wins, as in Traefik").isEqualTo(1);
        assertThat(traefik.routes("/shop", Map.of("MESOS_LB_PORT_INDEX", "1", "traefik.portIndex", "0"), 1)
                .get(0).portIndex()).as("ours wins").isEqualTo(1);
    }

    @Test
    void portsThatCannotBeMappedFailClosed() {
        refused(Map.of("traefik.port", "8080"), "traefik.port=8080 is not a fixed port");
        assertThat(traefik.routes("/shop", Map.of("traefik.port", "8080"), 0, List.of(0, 31000))).isEmpty();
        refused(Map.of("traefik.port", "0"), "traefik.port '0' is not a port number");
        refused(Map.of("traefik.port", "http"), "traefik.port 'http'");
        refused(Map.of("traefik.portIndex", "-1"), "traefik.portIndex '-1' is not a port index");
        refused(Map.of("traefik.portIndex", "one"), "traefik.portIndex 'one'");
    }

    @Test
    void oneBasicAuthUserWithACryptHash() {
        BasicAuth auth = only(Map.of("traefik.frontend.auth.basic", "alice:" + BCRYPT)).options().auth();
        assertThat(auth).isEqualTo(new BasicAuth("traefik", "alice", BCRYPT));
        assertThat(only(Map.of("traefik.frontend.auth.basic.users", " bob:$6$salt$hash ")).options().auth().user())
                .isEqualTo("bob");
        assertThat(only(Map.of("traefik.frontend.auth.basic", " , ")).options().auth()).as("no user: no auth").isNull();
    }

    @Test
    void basicAuthThatCannotBeCheckedFailsClosed() {
        refused(Map.of("traefik.frontend.auth.basic", "alice:" + BCRYPT + ",bob:" + BCRYPT), "2 users");
        refused(Map.of("traefik.frontend.auth.basic", "alice:" + BCRYPT, "traefik.frontend.auth.basic.users",
                "bob:" + BCRYPT), "2 users");
        refused(Map.of("traefik.frontend.auth.basic", "alice:$apr1$salt$hash"), "Apache MD5 ($apr1$)");
        refused(Map.of("traefik.frontend.auth.basic", "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="), "{SHA}");
        refused(Map.of("traefik.frontend.auth.basic", "alice:plain text"), "cannot verify");
        refused(Map.of("traefik.frontend.auth.basic", "alice"), "is not user:hash");
        refused(Map.of("traefik.frontend.auth.basic", ":" + BCRYPT), "is not user:hash");
        assertThat(said(Level.ERROR)).noneMatch(m -> m.contains(BCRYPT) || m.contains("W6ph5"));
        refused(Map.of("traefik.frontend.auth.basic.usersFile", "/etc/htpasswd"), "auth.basic.usersFile");
        refused(Map.of("traefik.frontend.auth.digest.users", "a:traefik:h"), "auth.digest.users");
        refused(Map.of("traefik.frontend.auth.forward.address", "https://auth"), "auth.forward.address");
    }

    @Test
    void whiteListIsTheAllowedNetworks() {
        assertThat(only(Map.of("traefik.frontend.whiteList.sourceRange", "10.0.0.0/8, 192.168.1.7")).options()
                .allowFrom()).isEqualTo(CidrList.parse("10.0.0.0/8 192.168.1.7"));
        assertThat(only(Map.of("traefik.frontend.whitelistSourceRange", "10.0.0.0/8")).options().allowFrom())
                .as("the deprecated name").isEqualTo(CidrList.parse("10.0.0.0/8"));
        assertThat(only(Map.of("traefik.frontend.whiteList.sourceRange", " ")).options().allowFrom())
                .as("empty allows all, as in Traefik").isNull();
        only(Map.of("traefik.frontend.whiteList.sourceRange", "10.0.0.0/8",
                "traefik.frontend.whiteList.useXForwardedFor", "true"));
        assertThat(said(Level.WARN)).anySatisfy(m -> assertThat(m).contains("trusted-proxies"));
    }

    @Test
    void aWhiteListThatCannotBeReadFailsClosed() {
        refused(Map.of("traefik.frontend.whiteList.sourceRange", "10.0.0.0/8,not-a-net"),
                "traefik.frontend.whiteList.sourceRange cannot be read");
    }

    @Test
    void redirectToHttps() {
        assertThat(only(Map.of("traefik.frontend.redirect.entryPoint", "https")).options().httpsOnly()).isTrue();
        assertThat(only(Map.of("traefik.frontend.redirect.entryPoint", "admin")).options().httpsOnly()).isFalse();
        assertThat(said(Level.WARN)).anySatisfy(m -> assertThat(m).contains("'admin' is not honoured"));
    }

    @Test
    void stickiness() {
        assertThat(only(Map.of("traefik.backend.loadbalancer.stickiness", "true")).options().sticky()).isTrue();
        assertThat(only(Map.of("traefik.backend.loadbalancer.sticky", "1")).options().sticky()).isTrue();
    }

    @Test
    void priorityIsTheRoutesWeight() {
        assertThat(only(Map.of("traefik.frontend.rule", "Host:a.example.com", "traefik.frontend.priority", "10")).weight())
                .isEqualTo(10);
        assertThat(only(Map.of("traefik.frontend.rule", "Host:a.example.com", "traefik.frontend.priority", "high")).weight())
                .isZero();
        assertThat(said(Level.WARN)).anySatisfy(m -> assertThat(m).contains("'high' is not a number"));
    }

    @Test
    void labelsReadButNotHonouredAreWarned() {
        only(Map.of("traefik.frontend.passHostHeader", "false",
                "traefik.frontend.headers.STSSeconds", "315360000", "traefik.domain", "other.example",
                "traefik.backend.healthcheck.path", "/health"));
        assertThat(said(Level.WARN)).anySatisfy(m -> assertThat(m).contains("passHostHeader 'false' is not honoured"))
                .anySatisfy(m -> assertThat(m).contains("STSSeconds is not honoured"))
                .anySatisfy(m -> assertThat(m).contains("traefik.domain is not honoured"))
                .anySatisfy(m -> assertThat(m).contains("traefik.backend.healthcheck.path is not honoured"));
        assertThat(said(Level.ERROR)).isEmpty();
        only(Map.of("traefik.frontend.passHostHeader", "true"));
        assertThat(said(Level.WARN)).noneMatch(m -> m.contains("passHostHeader 'true'"));
    }

    @Test
    void segmentsAreRoutesOfTheirOwnTakingTheAppsLabels() {
        Map<String, String> labels = Map.of(
                "traefik.web.frontend.rule", "Host:www.example.org",
                "traefik.web.portIndex", "0",
                "traefik.admin.frontend.rule", "Host:admin.example.org",
                "traefik.admin.portIndex", "1",
                "traefik.admin.frontend.whiteList.sourceRange", "10.0.0.0/8",
                "traefik.frontend.redirect.entryPoint", "https");
        List<PortRoutes.PortRoute> routes = traefik.routes("/shop", labels, 0);
        assertThat(routes).extracting(PortRoutes.PortRoute::routeId).containsExactly("/shop#admin", "/shop#web");
        PortRoutes.PortRoute admin = routes.get(0);
        assertThat(admin.portIndex()).isEqualTo(1);
        assertThat(admin.spec().vhosts()).containsExactly("admin.example.org");
        assertThat(admin.spec().options().allowFrom()).isEqualTo(CidrList.parse("10.0.0.0/8"));
        assertThat(admin.spec().options().httpsOnly()).as("the app's label").isTrue();
        PortRoutes.PortRoute web = routes.get(1);
        assertThat(web.portIndex()).isZero();
        assertThat(web.spec().options().allowFrom()).isNull();
        assertThat(web.spec().options().httpsOnly()).isTrue();
    }

    @Test
    void aSegmentFailsClosedAloneAndNeedsAHost() {
        List<PortRoutes.PortRoute> routes = traefik.routes("/shop", Map.of(
                "traefik.web.frontend.rule", "Host:www.example.org",
                "traefik.admin.frontend.rule", "Host:admin.example.org",
                "traefik.admin.frontend.auth.basic", "a:" + BCRYPT + ",b:" + BCRYPT), 0);
        assertThat(routes).extracting(PortRoutes.PortRoute::routeId).containsExactly("/shop#web");
        assertThat(said(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("app /shop#admin")
                .contains("traefik.admin.frontend.auth.basic"));
        assertThat(traefik.routes("/shop", Map.of("traefik.api.portIndex", "1"), 0)).isEmpty();
        assertThat(said(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("segment 'api' has no"));
        assertThat(traefik.routes("/shop", Map.of("traefik.api.frontend.rule", "PathPrefix:/api"), 0)).isEmpty();
        assertThat(said(Level.ERROR)).anySatisfy(m -> assertThat(m).contains("names no Host"));
    }

    @Test
    void segmentNamesAreSplitAsTraefikSplitsThem() {
        assertThat(TraefikSegments.property("traefik.frontend.rule")).isEqualTo("frontend.rule");
        assertThat(TraefikSegments.property("traefik.web.frontend.rule")).isEqualTo("frontend.rule");
        assertThat(TraefikSegments.property("traefik.a.b.port")).isEqualTo("port");
        assertThat(TraefikSegments.property("traefik.backend.loadbalancer.method")).isEqualTo("backend.loadbalancer.method");
        assertThat(TraefikSegments.property("HAPROXY_0_VHOST")).isNull();
        assertThat(TraefikSegments.of(Map.of("traefik.a.b.port", "80")).keySet()).containsExactly("a.b");
    }
}
