package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mesoslb.core.App;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableBuilder;
import io.mesoslb.core.ServicePort;
import io.mesoslb.core.ServicePort.Mode;
import io.mesoslb.core.Ticker;
import io.mesoslb.core.VhostNaming;
import com.fasterxml.jackson.databind.JsonNode;
import io.mesoslb.discovery.Fixtures;
import io.mesoslb.testkit.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Service ports as Marathon gives them, in each of its shapes, through to the table. */
class ServicePortsFromMarathonTest {
    private final RoutingPolicy policy = new RoutingPolicy(new HealthVerdicts());

    private static MarathonApp only(String json) throws IOException {
        return MarathonJson.parseApps(("[" + json + "]").getBytes(StandardCharsets.UTF_8)).get(0);
    }

    /** An app of a payload: a list, or one app definition as POSTed. */
    private static MarathonApp app(String file, String id) throws IOException {
        return apps(Fixtures.bytes(file)).stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
    }

    private static List<MarathonApp> apps(byte[] json) throws IOException {
        JsonNode root = MarathonJson.MAPPER.readTree(json);
        return root.isObject() && root.has("id") ? List.of(MarathonJson.app(root)) : MarathonJson.appsOf(root);
    }

    /** marathon-lb's test data, read in place (skipped where it is absent), in either form. */
    private static List<MarathonApp> mlb(String file) throws IOException {
        Path dir = SharedData.find("marathon-lb/tests");
        assumeTrue(dir != null, "marathon-lb's test data (../shared/marathon-lb/tests) is not beside this checkout");
        return apps(Files.readAllBytes(dir.resolve(file)));
    }

    @Test
    void realPayloadsInEveryShape() throws IOException {
        // 1.5 bridge: container.portMappings[].servicePort
        assertThat(app("apps-embed-tasks.json", "/pywebserver").servicePorts()).containsExactly(10101);
        // pre-1.5 bridge: container.docker.portMappings[].servicePort (ports[] says the same)
        assertThat(app("rest/apps-embed-tasks.pre15-bluegreen-pair.json", "/nginx-blue").servicePorts())
                .containsExactly(10001);
        // pre-1.5 host: ports[]
        assertThat(app("rest/app-show.v1.3-doc.json", "/toggle").servicePorts()).containsExactly(10000);
        assertThat(app("rest/apps-list.raml-example.json", "/myapp").servicePorts()).containsExactly(10013, 10015);
        // 1.4 ipAddress with docker port mappings
        assertThat(app("rest/app-definition.raml-example.json", "/foo").servicePorts()).containsExactly(10019);
        // Definitions before Marathon assigned them: none yet (never the container or host port)
        assertThat(app("app-definitions/netdoc-bridge-new.1.5-api.json", "/bridge-net-new").servicePorts())
                .noneMatch(p -> p > 0);
        assertThat(app("app-definitions/mlb-ci-docker_host.json", "/nginx-docker-host").servicePorts()).containsExactly(0);
    }

    @Test
    void hostPortDefinitionsAndBridgeMappingsAndTheFallbackBetweenThem() throws IOException {
        assertThat(only("""
                {"id":"/h","portDefinitions":[{"port":10001},{"port":0},{"port":10003}]}""").servicePorts())
                .containsExactly(10001, 0, 10003);
        assertThat(only("""
                {"id":"/h","ports":[10001,10002]}""").servicePorts()).containsExactly(10001, 10002);
        assertThat(only("""
                {"id":"/h","portDefinitions":[{"port":10001}],
                 "container":{"portMappings":[{"containerPort":80,"servicePort":20001}]}}""").servicePorts())
                .as("host networking: the port definitions, not mappings").containsExactly(10001);
        assertThat(only("""
                {"id":"/b","networks":[{"mode":"container/bridge"}],"portDefinitions":[],
                 "container":{"portMappings":[{"containerPort":80,"servicePort":10101},{"containerPort":81},
                                              {"containerPort":82,"servicePort":10103}]}}""").servicePorts())
                .as("a mapping without one keeps its place").containsExactly(10101, 0, 10103);
        assertThat(only("""
                {"id":"/b","container":{"docker":{"network":"BRIDGE","portMappings":[{"containerPort":80}]}},
                 "ports":[10042]}""").servicePorts())
                .as("no servicePort in any mapping: ports[] as marathon-lb falls back").containsExactly(10042);
        assertThat(only("""
                {"id":"/c","networks":[{"mode":"container","name":"dcos"}],
                 "container":{"portMappings":[{"containerPort":80,"servicePort":10200}]}}""").servicePorts())
                .containsExactly(10200);
        assertThat(only("""
                {"id":"/x","portDefinitions":[{"port":70000},{"port":-3}]}""").servicePorts()).containsExactly(0, 0);
    }

    @Test
    void healthChecksAreAssociatedWithPortsAsMarathonLbDoes() throws IOException {
        MarathonApp app = only("""
                {"id":"/a","portDefinitions":[{"port":10001},{"port":10002},{"port":10003}],
                 "healthChecks":[{"protocol":"TCP","portIndex":1},{"protocol":"HTTP","portIndex":2},
                                 {"protocol":"COMMAND","command":{"value":"true"}}]}""");
        assertThat(app.healthCheckProtocol(0)).isNull();
        assertThat(app.healthCheckProtocol(1)).isEqualTo("TCP");
        assertThat(app.healthCheckProtocol(2)).isEqualTo("HTTP");
        assertThat(only("""
                {"id":"/a","portDefinitions":[{"port":10001}],"healthChecks":[{"path":"/"}]}""").healthCheckProtocol(0))
                .as("Marathon's defaults: HTTP on index 0").isEqualTo("HTTP");
        MarathonApp byPort = only("""
                {"id":"/a","portDefinitions":[{"port":10001},{"port":10002}],
                 "healthChecks":[{"protocol":"HTTP","port":8080},{"protocol":"TCP","portIndex":1}]}""");
        // get_health_check returns the first check naming a port for every index.
        assertThat(byPort.healthCheckProtocol(0)).isEqualTo("HTTP");
        assertThat(byPort.healthCheckProtocol(1)).isEqualTo("HTTP");
    }

    /** marathon-lb's own fixtures, read in place: each service port and the mode marathon-lb gives it. */
    @Test
    void marathonLbFixtures() throws IOException {
        // HTTP health check, no vhost: http on 10000 (pre-1.5 docker port mappings).
        assertThat(one(mlb("1-nginx.json"), "/nginx")).isEqualTo(ServicePort.of(10000, Mode.HTTP));
        // MESOS_HTTP check, no vhost: marathon-lb's MarathonService takes only 'HTTP' as http, so tcp.
        assertThat(one(mlb("1-nginx-marathon1.5.json"), "/nginx"))
                .isEqualTo(ServicePort.of(10000, Mode.TCP));
        // A vhost, no check: http on 10101.
        assertThat(one(mlb("marathon15_apps.json"), "/pywebserver"))
                .isEqualTo(ServicePort.of(10101, Mode.HTTP));
        // A blue-green pair (10000 and 10001), HAPROXY_0_PORT=10000 on both: one route on 10000.
        assertThat(one(mlb("zdd_apps.json"), "/nginx")).isEqualTo(ServicePort.of(10000, Mode.HTTP));
    }

    private ServicePort one(List<MarathonApp> apps, String id) {
        List<App> out = policy.apps(apps);
        return out.stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow().spec().servicePort();
    }

    @Test
    void aSecondPortWithoutVhostIsServedOnlyOnItsServicePortAndAnswersNoHost() throws IOException {
        RouteTable t = table(policy.apps(List.of(only("""
                {"id":"/cache","portDefinitions":[{"port":10001},{"port":10002}],
                 "tasks":[{"id":"cache.1","host":"10.0.0.1","ports":[31001,31002],"state":"TASK_RUNNING"}]}"""))));
        assertThat(t.servicePortRoute(10001).appId()).isEqualTo("/cache");
        assertThat(t.servicePortRoute(10002).appId()).isEqualTo("/cache#1");
        assertThat(t.servicePortRoute(10002).backends().get(0).backend().address()).isEqualTo("10.0.0.1:31002");
        assertThat(t.lookup("cache.example.com").appId()).isEqualTo("/cache");
        assertThat(t.routeForApp("/cache#1").vhosts()).isEmpty();
        assertThat(t.hosts()).containsOnlyKeys("cache.example.com");
    }

    @Test
    void anAppScaledToZeroKeepsItsServicePort() throws IOException {
        RouteTable t = table(policy.apps(List.of(only("""
                {"id":"/db","instances":0,"portDefinitions":[{"port":10005}],"tasks":[]}"""))));
        assertThat(t.servicePortRoute(10005).appId()).isEqualTo("/db");
        assertThat(t.servicePortRoute(10005).isEmpty()).isTrue();
    }

    @Test
    void twoAppsOnOneServicePortTheConflictIsListed() throws IOException {
        List<MarathonApp> apps = apps("""
                [{"id":"/b","portDefinitions":[{"port":10001}],
                  "tasks":[{"id":"b.1","host":"10.0.0.2","ports":[31001],"state":"TASK_RUNNING"}]},
                 {"id":"/a","portDefinitions":[{"port":10009}],"labels":{"HAPROXY_0_PORT":"10001"},
                  "tasks":[{"id":"a.1","host":"10.0.0.1","ports":[31001],"state":"TASK_RUNNING"}]}]"""
                .getBytes(StandardCharsets.UTF_8));
        RouteTable t = table(policy.apps(apps));
        assertThat(t.servicePortRoute(10001).appId()).isEqualTo("/a");
        assertThat(t.servicePortRoute(10009)).isNull();
        assertThat(t.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.isServicePort()).isTrue();
            assertThat(c.losers()).containsExactly("/b");
        });
    }

    @Test
    void anotherColoursBasicAuthTakesTheLeadsTcpServicePortOff() throws IOException {
        String hash = "$6$rounds=5000$saltsalt$WKuZdTvDwV1yrMp3a4pLSxMcG4tl0qDdVLVYBpBKrHKCyuPkMrwc4lO5D1Yg3gJnUAwBbg1"
                + "FU6Ox7hEoiz8FR.";
        List<MarathonApp> apps = apps(("""
                [{"id":"/blue","portDefinitions":[{"port":10001}],
                  "labels":{"HAPROXY_DEPLOYMENT_GROUP":"web","HAPROXY_DEPLOYMENT_STARTED_AT":"2020-01-01T00:00:00Z"},
                  "tasks":[{"id":"blue.1","host":"10.0.0.1","ports":[31001],"state":"TASK_RUNNING"}]},
                 {"id":"/green","portDefinitions":[{"port":10002}],
                  "labels":{"HAPROXY_DEPLOYMENT_GROUP":"web","HAPROXY_DEPLOYMENT_STARTED_AT":"2020-02-01T00:00:00Z",
                            "HAPROXY_0_AUTH":"realm:user:%s"},
                  "tasks":[{"id":"green.1","host":"10.0.0.2","ports":[31001],"state":"TASK_RUNNING"}]}]""")
                .formatted(hash.replace("$", "\\u0024")).getBytes(StandardCharsets.UTF_8));
        List<App> out = policy.apps(apps);
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.id()).isEqualTo("/web");
            assertThat(a.spec().options().auth()).isNotNull();
            assertThat(a.spec().servicePort()).isNull();
        });
        assertThat(policy.labelProblems().get("/web")).anySatisfy(p -> assertThat(p).contains("10001"));
    }

    private static RouteTable table(List<App> apps) {
        return new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM).build(apps, RouteTable.EMPTY, 1);
    }
}
