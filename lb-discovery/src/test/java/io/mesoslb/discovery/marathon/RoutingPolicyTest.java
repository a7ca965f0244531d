package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.AppGroups;
import io.mesoslb.core.Backend;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.Fixtures;
import io.mesoslb.discovery.OutOfRotation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoutingPolicyTest {
    private final RoutingPolicy policy = new RoutingPolicy(new HealthVerdicts());

    @Test
    void bridgeTasksAreReachedOnTheAgentNotOnTheDockerBridgeIp() throws IOException {
        List<App> apps = policy.apps(MarathonJson.parseApps(Fixtures.bytes("apps-embed-tasks.json")));

        // nginx-green carries HAPROXY_DEPLOYMENT_GROUP=nginx: routed under the group's name, as marathon-lb does.
        assertThat(apps).extracting(App::id).containsExactly("/pywebserver", "/nginx");
        assertThat(addresses(apps.get(0))).containsExactly("10.0.2.148:1565");
        assertThat(apps.get(0).spec().vhosts()).containsExactly("myvhost.com");
        assertThat(addresses(apps.get(1))).containsExactlyInAnyOrder("10.0.6.25:16916", "10.0.6.25:31184",
                "10.0.6.25:23336");
        assertThat(apps.get(1).backends()).extracting(Backend::appId).containsOnly("/nginx");
    }

    @Test
    void containerTasksAreReachedOnTheirOwnIpAndContainerPort() {
        App app = route("""
                {"id":"/web","networks":[{"mode":"container","name":"dcos"}],
                 "container":{"portMappings":[{"containerPort":80},{"containerPort":9090}]},
                 "tasks":[%s, %s]}""".formatted(
                task("web.1", "agent1", "[]", "[{\"ipAddress\":\"9.0.0.1\",\"protocol\":\"IPv4\"}]"),
                task("web.2", "agent1", "[]", "[]")));

        assertThat(addresses(app)).containsExactly("9.0.0.1:80");
    }

    @Test
    void legacyIpPerTaskUsesDiscoveryPorts() {
        App app = route("""
                {"id":"/old","ipAddress":{"discovery":{"ports":[{"number":8080,"name":"http"}]}},
                 "tasks":[%s]}""".formatted(task("old.1", "agent1", "[]",
                "[{\"ipAddress\":\"fd00::5\",\"protocol\":\"IPv6\"}]")));

        assertThat(addresses(app)).containsExactly("[fd00::5]:8080");
    }

    @Test
    void portIndexLabelPicksThePort() {
        String json = """
                {"id":"/two","labels":{"MESOS_LB_PORT_INDEX":"%s"},"portDefinitions":[{"port":0},{"port":0}],
                 "tasks":[%s]}""";
        String t = task("two.1", "agent1", "[31000,31001]", "[]");

        assertThat(addresses(route(json.formatted("1", t)))).containsExactly("agent1:31001");
        assertThat(addresses(route(json.formatted("", t)))).containsExactly("agent1:31000");
        assertThat(addresses(route(json.formatted("nope", t)))).containsExactly("agent1:31000");
        assertThat(addresses(route(json.formatted("2", t)))).isEmpty();
    }

    @Test
    void everyPortWithItsOwnVhostLabelIsARouteOfItsOwn() {
        String json = """
                {"id":"/multi","labels":{"HAPROXY_0_VHOST":"web.example.com","HAPROXY_1_VHOST":"admin.example.com",
                  "HAPROXY_0_PATH":"/shop","HAPROXY_1_PATH":"/admin","HAPROXY_0_REDIRECT_TO_HTTPS":"true",
                  "HAPROXY_2_REDIRECT_TO_HTTPS":"true",
                  "MESOS_LB_2_VHOST":"metrics.example.com","HAPROXY_2_VHOST":"not-this.example.com",
                  "HAPROXY_GROUP":"external","HAPROXY_3_VHOST":" "},
                 "portDefinitions":[{"port":0},{"port":0},{"port":0},{"port":0}],
                 "tasks":[%s]}""".formatted(task("multi.1", "10.0.0.7", "[31000,31001,31002,31003]", "[]"));

        List<App> apps = policy.apps(parse(json));

        assertThat(apps).extracting(App::id).containsExactly("/multi", "/multi#1", "/multi#2");
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), AppGroups.of(List.of("external")));
        holder.update(apps);
        assertThat(holder.current().lookup("web.example.com", "/shop/cart").backends()).extracting(b -> b.backend().address())
                .containsExactly("10.0.0.7:31000");
        assertThat(holder.current().lookup("admin.example.com", "/admin/").backends()).extracting(b -> b.backend().address())
                .containsExactly("10.0.0.7:31001");
        assertThat(holder.current().routeForApp("/multi#2").paths()).as("port 0's path is not port 2's").isEmpty();
        assertThat(holder.current().routeForApp("/multi").httpsOnly()).isTrue();
        assertThat(holder.current().routeForApp("/multi#1").httpsOnly()).as("port 0's rule is not port 1's").isFalse();
        assertThat(holder.current().routeForApp("/multi#2").httpsOnly()).isTrue();
        assertThat(holder.current().lookup("metrics.example.com").backends()).extracting(b -> b.backend().address())
                .as("ours over marathon-lb's").containsExactly("10.0.0.7:31002");
        assertThat(holder.current().lookup("not-this.example.com")).isNull();
        // Passive health and metrics find a backend's route by its app id.
        assertThat(holder.current().lookup("admin.example.com", "/admin").backends()).extracting(b -> b.backend().appId())
                .containsExactly("/multi#1");
    }

    @Test
    void hostModeFallsBackToDefinedPortOnlyWhenPortsAreRequired() {
        String json = """
                {"id":"/fixed","requirePorts":%s,"portDefinitions":[{"port":8123}],"tasks":[%s]}""";
        String t = task("fixed.1", "agent1", "[]", "[]");

        assertThat(addresses(route(json.formatted("true", t)))).containsExactly("agent1:8123");
        assertThat(addresses(route(json.formatted("false", t)))).isEmpty();
    }

    @Test
    void tasksWithoutHostOrPortAreSkipped() {
        App app = route("""
                {"id":"/x","tasks":[%s,%s,%s]}""".formatted(task("x.1", "", "[31000]", "[]"),
                task("x.2", "agent1", "[]", "[]"), task("x.3", "agent1", "[0]", "[]")));

        assertThat(app.backends()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TASK_RUNNING", "TASK_UNREACHABLE", "TASK_LOST"})
    void runningAndUnreachableTasksAreRouted(String state) {
        assertThat(route(withState(state)).backends()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TASK_STAGING", "TASK_STARTING", "TASK_KILLING", "TASK_KILLED", "TASK_FINISHED",
            "TASK_FAILED", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN",
            "TASK_SOMETHING_NEW"})
    void otherStatesAreNotRouted(String state) {
        assertThat(route(withState(state)).backends()).isEmpty();
    }

    @Test
    void withHealthChecksEveryResultMustBeAlive() {
        String json = """
                {"id":"/h","healthChecks":[{"protocol":"HTTP"},{"protocol":"TCP"}],"tasks":[
                  {"id":"h.1","host":"a","ports":[1],"state":"TASK_RUNNING",
                   "healthCheckResults":[{"alive":true,"instanceId":"h.marathon-1"},{"alive":true}]},
                  {"id":"h.2","host":"a","ports":[2],"state":"TASK_RUNNING",
                   "healthCheckResults":[{"alive":true},{"alive":false,"lastFailure":null}]},
                  {"id":"h.3","host":"a","ports":[3],"state":"TASK_RUNNING"}]}""";

        assertThat(addresses(route(json))).containsExactly("a:1");
    }

    @Test
    void lastVerdictSurvivesResultsVanishingAfterLeaderElection() {
        String before = """
                {"id":"/h","healthChecks":[{"protocol":"HTTP"}],"tasks":[
                  {"id":"h.1","host":"a","ports":[1],"healthCheckResults":[{"alive":true}]},
                  {"id":"h.2","host":"a","ports":[2],"healthCheckResults":[{"alive":false}]}]}""";
        String afterElection = """
                {"id":"/h","healthChecks":[{"protocol":"HTTP"}],"tasks":[
                  {"id":"h.1","host":"a","ports":[1]},
                  {"id":"h.2","host":"a","ports":[2]},
                  {"id":"h.3","host":"a","ports":[3]}]}""";

        assertThat(addresses(route(before))).containsExactly("a:1");
        assertThat(addresses(route(afterElection))).containsExactly("a:1");
        assertThat(addresses(new RoutingPolicy(new HealthVerdicts()).apps(parse(afterElection)).get(0))).isEmpty();
    }

    @Test
    void rememberedVerdictExpiresOnceUnused() {
        AtomicLong now = new AtomicLong();
        RoutingPolicy expiring = new RoutingPolicy(new HealthVerdicts(Duration.ofMinutes(10), 100, now::get));
        List<MarathonApp> healthy = parse("""
                {"id":"/h","healthChecks":[{"protocol":"HTTP"}],
                 "tasks":[{"id":"h.1","host":"a","ports":[1],"healthCheckResults":[{"alive":true}]}]}""");
        List<MarathonApp> unknown = parse("""
                {"id":"/h","healthChecks":[{"protocol":"HTTP"}],"tasks":[{"id":"h.1","host":"a","ports":[1]}]}""");

        expiring.apps(healthy);
        now.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(expiring.apps(unknown).get(0).backends()).hasSize(1);
        now.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(expiring.apps(unknown).get(0).backends()).as("each use extends the verdict").hasSize(1);
        now.addAndGet(Duration.ofMinutes(11).toNanos());
        assertThat(expiring.apps(unknown).get(0).backends()).isEmpty();
    }

    @Test
    void tasksThatGetNoTrafficAreListedWithTheReasonTerminalOnesAreNot() {
        policy.apps(parse("""
                {"id":"/h","healthChecks":[{"protocol":"HTTP"}],"portDefinitions":[{"port":0}],"tasks":[
                  {"id":"h.up","host":"a","ports":[1],"healthCheckResults":[{"alive":true}]},
                  {"id":"h.sick","host":"a","ports":[2],"healthCheckResults":[{"alive":true},{"alive":false}]},
                  {"id":"h.new","host":"a","ports":[3]},
                  {"id":"h.staging","host":"a","ports":[4],"state":"TASK_STAGING"},
                  {"id":"h.killing","host":"a","ports":[5],"state":"TASK_KILLING"},
                  {"id":"h.failed","host":"a","ports":[6],"state":"TASK_FAILED"},
                  {"id":"h.nowhere","host":"","ports":[7],"healthCheckResults":[{"alive":true}]}]}"""));

        assertThat(policy.outOfRotation()).containsOnlyKeys("/h");
        assertThat(policy.outOfRotation().get("/h")).containsExactly(
                new OutOfRotation("h.sick", "a:2", OutOfRotation.DOWN, "failing Marathon health checks"),
                new OutOfRotation("h.new", "a:3", OutOfRotation.STARTING, "no Marathon health check result yet"),
                new OutOfRotation("h.staging", "a:4", OutOfRotation.STARTING, "TASK_STAGING"),
                new OutOfRotation("h.killing", "a:5", OutOfRotation.DRAINING, "TASK_KILLING"),
                new OutOfRotation("h.nowhere", null, OutOfRotation.DOWN, "no address for port index 0"));
    }

    @Test
    void outOfRotationFollowsEachReadingAndForgetsAppsThatAreGone() {
        String sick = """
                {"id":"/h","healthChecks":[{"protocol":"HTTP"}],"labels":{"HAPROXY_1_VHOST":"one.example.com"},
                 "portDefinitions":[{"port":0},{"port":0}],
                 "tasks":[{"id":"h.1","host":"a","ports":[1,2],"healthCheckResults":[{"alive":false}]}]}""";
        policy.apps(parse(sick));
        assertThat(policy.outOfRotation()).containsOnlyKeys("/h", "/h#1");
        Map<String, List<OutOfRotation>> first = policy.outOfRotation();
        assertThat(policy.outOfRotation()).as("not rebuilt without a change").isSameAs(first);

        policy.apps(parse(sick.replace("\"alive\":false", "\"alive\":true")));
        assertThat(policy.outOfRotation()).isEmpty();

        policy.apps(parse(sick));
        policy.forget(List.of("/h"));
        assertThat(policy.outOfRotation()).isEmpty();
        policy.apps(parse(sick));
        policy.apps(List.of());
        assertThat(policy.outOfRotation()).isEmpty();
    }

    @Test
    void appWithoutRoutableTasksIsStillListed() {
        App app = route("{\"id\":\"/empty\",\"labels\":{\"MESOS_LB_VHOST\":\"e.example.com\"}}");

        assertThat(app.backends()).isEmpty();
        assertThat(app.spec().vhosts()).containsExactly("e.example.com");
    }

    private static String withState(String state) {
        return """
                {"id":"/s","tasks":[{"id":"s.1","host":"a","ports":[1],"state":"%s"}]}""".formatted(state);
    }

    private static String task(String id, String host, String ports, String ips) {
        return """
                {"id":"%s","host":"%s","ports":%s,"ipAddresses":%s,"state":"TASK_RUNNING"}"""
                .formatted(id, host, ports, ips);
    }

    private App route(String appJson) {
        return policy.apps(parse(appJson)).get(0);
    }

    private static List<MarathonApp> parse(String appJson) {
        try {
            return MarathonJson.parseApps(("[" + appJson + "]").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> addresses(App app) {
        return app.backends().stream().map(Backend::address).toList();
    }
}
