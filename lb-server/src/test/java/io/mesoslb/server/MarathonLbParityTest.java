package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mesoslb.testkit.SharedData;
import io.mesoslb.core.AppGroups;
import io.mesoslb.core.Balance;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.AgentAddresses;
import io.mesoslb.discovery.labels.LabelProblems;
import io.mesoslb.discovery.labels.PortRoutes;
import io.mesoslb.discovery.marathon.HealthVerdicts;
import io.mesoslb.discovery.marathon.MarathonApp;
import io.mesoslb.discovery.marathon.MarathonJson;
import io.mesoslb.discovery.marathon.RoutingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * marathon-lb's own test data run through mesos-lb's routing: each fixture of marathon-lb's
 * {@code tests/} and {@code ci/backends*} is read in place from {@code ../shared/marathon-lb} beside
 * the checkout, through the same code a routes file or Marathon goes through ({@link MarathonJson},
 * {@link RoutingPolicy} with {@link PortRoutes}, {@link RouteTableHolder}), and the table is held to
 * what marathon-lb generates for it. The expectations are written down from marathon-lb's
 * documentation and from the haproxy.cfg its {@code tests/test_marathon_lb.py} expects (named at
 * each test), never computed by a port of its code.
 *
 * <p>Where mesos-lb behaves differently on purpose, the test asserts mesos-lb's behaviour and says
 * why, in a comment starting "Deliberate difference"; docs/migrating-from-marathon-lb.md lists
 * the same differences for users. Behaviour another change is bringing (deployment groups, vhost
 * ownership by weight) is written as a disabled test that holds marathon-lb's expectation.
 */
class MarathonLbParityTest {
    /** marathon-lb's data beside the checkout (null when absent: see {@link #dataIsThere}). */
    private static final Path SHARED = SharedData.find("marathon-lb");
    private static final String DOMAIN = "mesos.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The synthetic task given to app definitions that come without tasks (ci/backends*, 1-nginx*). */
    private static final String AGENT = "10.0.0.5";
    private static final int HOST_PORT = 31001;
    private static final String TASK_IP = "172.17.0.9";

    @BeforeAll
    static void dataIsThere() {
        if (SHARED != null && Files.isDirectory(SHARED.resolve("tests")) && Files.isDirectory(SHARED.resolve("ci"))) {
            return;
        }
        String why = "marathon-lb's test data is not in shared/marathon-lb beside this checkout";
        // CI has the data beside the checkout: missing there is a broken setup, not a reason to skip.
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
    }

    // ---- tests/marathon15_apps.json: test_bridge_app_marathon15 ----

    @Test
    void marathon15BridgeAppIsServedAtItsVhostByTheAgentAndHostPort() throws IOException {
        // marathon-lb (--group external): "acl host_myvhost_com_pywebserver hdr(host) -i myvhost.com",
        // "use_backend pywebserver_10101", "server 10_0_2_148_1565 10.0.2.148:1565", balance roundrobin,
        // no auth, no redirect, no stick table.
        RouteTable t = table(read("tests/marathon15_apps.json"), false, "external");
        Route r = t.lookup("myvhost.com", "/");
        assertThat(r.appId()).isEqualTo("/pywebserver");
        assertThat(r.vhosts()).containsExactly("myvhost.com");
        assertThat(r.paths()).isEmpty();
        assertThat(addresses(r)).containsExactly("10.0.2.148:1565");
        assertThat(t.lookup("MyVhost.com:80", "/any/path")).as("hdr(host) -i: any case, any path").isSameAs(r);
        assertThat(r.options().balance()).isEqualTo(Balance.ROUND_ROBIN);
        assertThat(r.httpsOnly()).isFalse();
        assertThat(r.sticky()).isFalse();
        assertThat(r.options().auth()).isNull();
        assertThat(r.options().allowFrom()).isNull();
        // Equal: a vhost label replaces any other name; marathon-lb has no other host for it either.
        assertThat(t.lookup("pywebserver." + DOMAIN)).isNull();
        assertThat(t.routes()).hasSize(1);
        // Equal with app-id-port set: marathon-lb routes "X-Marathon-App-Id: /pywebserver" on :9091 to
        // this backend, and mesos-lb's app-id port looks the header up by app id (AppIdPortTest).
        assertThat(t.routeForApp("/pywebserver")).isSameAs(r);
        // Deliberate difference: marathon-lb also opens "frontend pywebserver_10101" (bind *:10101, the
        // service port); mesos-lb opens no per-app ports (none to allocate and keep free on every balancer).
    }

    @Test
    void groupsSelectAsMarathonLbsGroupFlagDoes() throws IOException {
        JsonNode apps = read("tests/marathon15_apps.json");
        assertThat(table(apps, false, "internal").routes()).as("--group internal: not this app").isEmpty();
        assertThat(table(apps, false, "*").lookup("myvhost.com")).as("--group '*'").isNotNull();
        assertThat(table(apps, false, "external", "internal").lookup("myvhost.com")).as("--group given twice").isNotNull();
        // Deliberate difference: marathon-lb refuses to start without --group; mesos-lb without
        // groups routes every app, as '*' does.
        assertThat(table(apps, false).lookup("myvhost.com")).isNotNull();
        // Deliberate difference: marathon-lb compares groups case-sensitively ("External" would not
        // match HAPROXY_GROUP=external); mesos-lb ignores case, so a capitalised flag cannot
        // silently empty a tier.
        assertThat(table(apps, false, "External").lookup("myvhost.com")).isNotNull();
    }

    // ---- ci/backends and ci/backends_1.9: the app definitions marathon-lb's CI deploys ----

    /**
     * Every networking mode, with one running task added to the definition (the files are what is
     * POSTed to Marathon, without tasks). marathon-lb's utils.get_task_ip_and_ports: host and
     * bridge networking use the agent and the task's host port; IP-per-task uses the task's IP and
     * the container port (docker portMappings, or ipAddress.discovery.ports); an IP-per-task app
     * that declares no port gives no server. mesos-lb must agree on each.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ci/backends/docker_bridge.json,     nginx-docker-bridge.test, /nginx-docker-bridge, 10.0.0.5:31001",
        "ci/backends/docker_host.json,       nginx-docker-host.test,   /nginx-docker-host,   10.0.0.5:31001",
        "ci/backends/docker_ippc.json,       nginx-docker-ippc.test,   /nginx-docker-ippc,   172.17.0.9:80",
        "ci/backends/ucr_bridge.json,        nginx-ucr-bridge.test,    /nginx-ucr-bridge,    10.0.0.5:31001",
        "ci/backends/ucr_host.json,          nginx-ucr-host.test,      /nginx-ucr-host,      10.0.0.5:31001",
        "ci/backends/ucr_ippc.json,          nginx-ucr-ippc.test,      /nginx-ucr-ippc,      ''",
        "ci/backends_1.9/docker_bridge.json, nginx-docker-bridge.test, /nginx-docker-bridge, 10.0.0.5:31001",
        "ci/backends_1.9/docker_host.json,   nginx-docker-host.test,   /nginx-docker-host,   10.0.0.5:31001",
        "ci/backends_1.9/docker_ippc.json,   nginx-docker-ippc.test,   /nginx-docker-ippc,   10.0.0.5:31001",
        "ci/backends_1.9/ucr_host.json,      nginx-ucr-host.test,      /nginx-ucr-host,      10.0.0.5:31001",
    })
    void ciBackendsAreRoutedAtTheirVhostToTheAddressMarathonLbWouldUse(String file, String vhost, String appId,
            String backend) throws IOException {
        ObjectNode app = (ObjectNode) read(file);
        addTask(app, "t1", null);
        // They are labelled HAPROXY_0_ENABLED=true for marathon-lb's --strict-mode: routed either way.
        for (boolean strict : new boolean[] {false, true}) {
            RouteTable t = table(app, strict, "external");
            Route r = t.lookup(vhost, "/");
            assertThat(r).as("%s strict=%s", vhost, strict).isNotNull();
            assertThat(r.appId()).isEqualTo(appId);
            assertThat(r.vhosts()).containsExactly(vhost);
            if (backend.isEmpty()) {
                // marathon-lb: no port, no server, and a service without servers is left out, so HAProxy
                // answers 503 for the host. mesos-lb keeps the host with no backend: 503 as well.
                assertThat(addresses(r)).isEmpty();
            } else {
                assertThat(addresses(r)).containsExactly(backend);
            }
            assertThat(t.lookup(appId.substring(1) + "." + DOMAIN)).isNull();
            assertThat(table(app, strict, "internal").routes()).isEmpty();
        }
        // HAPROXY_0_PORT (a service port to bind) and, in ucr_ippc, HAPROXY_0_BACKEND_SERVER_OPTIONS
        // (a raw HAProxy server line) are not honoured: see the migration guide. Neither changes
        // which host reaches which task here.
    }

    // ---- tests/1-nginx.json, 1-nginx-marathon1.5.json: an app without a vhost ----

    @ParameterizedTest
    @CsvSource({"tests/1-nginx.json", "tests/1-nginx-marathon1.5.json"})
    void anAppWithoutVhostGetsADerivedHostAndWaitsForItsHealthChecks(String file) throws IOException {
        ObjectNode app = (ObjectNode) read(file);
        RouteTable bare = table(app, false, "external");
        // Deliberate difference: marathon-lb serves an app without HAPROXY_0_VHOST only on its service
        // port (10000 here: "frontend nginx_10000") and by X-Marathon-App-Id, never by Host; mesos-lb
        // names it from its id under the domain, so every app is reachable without labels.
        Route r = bare.lookup("nginx." + DOMAIN, "/");
        assertThat(r.appId()).isEqualTo("/nginx");
        // Without tasks marathon-lb leaves the service out (HAProxy: 503); mesos-lb keeps the host
        // and answers 503 until a task is routable.
        assertThat(addresses(r)).isEmpty();
        // Equal: --strict-mode routes only ports labelled ENABLED=true; this app has none.
        assertThat(table(app, true, "external").routes()).isEmpty();

        // Equal (marathon-lb with --health-check): the app has a health check, so a task without a
        // result yet is held back (no cached verdict), and one with a live result is served.
        addTask(app, "waiting", null);
        addTask(app, "healthy", true);
        addTask(app, "sick", false);
        assertThat(addresses(table(app, false, "external").lookup("nginx." + DOMAIN)))
                .containsExactly("10.0.0.5:31001");
    }

    @Test
    void aTaskIsHealthyOnlyWhenEveryResultIsAlive() throws IOException {
        ObjectNode app = (ObjectNode) read("tests/1-nginx.json");
        ArrayNode results = addTask(app, "half", true);
        results.addObject().put("alive", false).put("taskId", "half");
        // Deliberate difference: marathon-lb serves a task when ANY of its health check results is
        // alive; mesos-lb, like Marathon's own notion of a healthy task, only when ALL are. With one
        // check per app, as here, the two agree.
        assertThat(addresses(table(app, false, "external").lookup("nginx." + DOMAIN))).isEmpty();
    }

    @Test
    void healthChecksAreAlwaysRespected() throws IOException {
        ObjectNode app = (ObjectNode) read("tests/1-nginx-marathon1.5.json");
        addTask(app, "sick", false);
        // Deliberate difference: marathon-lb ignores health check results unless started with
        // --health-check (-H); mesos-lb always honours them (a failing task never gets traffic).
        assertThat(addresses(table(app, false, "external").lookup("nginx." + DOMAIN))).isEmpty();
    }

    // ---- tests/zdd_app_blue*.json, zdd_apps.json: blue-green deployment groups ----

    @ParameterizedTest
    @CsvSource({"tests/zdd_app_blue.json", "tests/zdd_app_blue_marathon1.5.json"})
    void aDeploymentGroupsTasksAreTheAgentAndHostPort(String file) throws IOException {
        // What does not depend on deployment groups: which tasks, at which address (all are healthy;
        // the third task of zdd_app_blue.json has no ipAddresses, which host networking never needs).
        RouteTable t = table(read(file), false, "external");
        Set<String> all = new TreeSet<>();
        t.routes().forEach(r -> all.addAll(addresses(r)));
        assertThat(all).containsExactly("10.0.6.25:16916", "10.0.6.25:23336", "10.0.6.25:31184");
        assertThat(table(read(file), false, "internal").routes()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"tests/zdd_app_blue.json", "tests/zdd_app_blue_marathon1.5.json"})
    void aSingleColourIsServedUnderItsDeploymentGroup(String file) throws IOException {
        // marathon-lb's get_apps renames an app with HAPROXY_DEPLOYMENT_GROUP=nginx to /nginx, so its
        // routing does not change between colours: no vhost label, so mesos-lb's name is derived from
        // the group, and the colour's own id names no host.
        RouteTable t = table(read(file), false, "external");
        Route r = t.lookup("nginx." + DOMAIN, "/");
        assertThat(r).isNotNull();
        // Table order is by task id; marathon-lb lists servers in Marathon's order. The set is what matters.
        assertThat(addresses(r)).containsExactlyInAnyOrder("10.0.6.25:16916", "10.0.6.25:23336", "10.0.6.25:31184");
        assertThat(t.lookup("nginx-green." + DOMAIN)).isNull();
    }

    @Test
    void blueAndGreenAreOneRouteWithTheOldColoursDrainedTaskOutOfRotation() throws IOException {
        // test_zdd_app: /nginx-green (started 14:13:42, 3 tasks) and /nginx-blue (14:57:54, 1 healthy
        // task) merge into "backend nginx_10000" with all 4 servers, the old colour's first task by id
        // (nginx-green.0dbabba6..., 10.0.6.25:31184) "disabled": one old task drains per healthy new
        // one, down to HAPROXY_DEPLOYMENT_TARGET_INSTANCES. A disabled server gets no new traffic.
        RouteTable t = table(read("tests/zdd_apps.json"), false, "external");
        Route r = t.lookup("nginx." + DOMAIN, "/");
        assertThat(r).isNotNull();
        assertThat(selected(r, 24)).containsExactlyInAnyOrder("10.0.1.147:25724", "10.0.6.25:16916", "10.0.6.25:23336");
        assertThat(t.lookup("nginx-green." + DOMAIN)).isNull();
        assertThat(t.lookup("nginx-blue." + DOMAIN)).isNull();
    }

    // ---- label cases from test_marathon_lb.py (labels written here; the data is marathon-lb's test apps) ----

    @Test
    void multipleVhostsWithAPathAsInTestConfigSimpleAppMultipleVhostWithPath() throws IOException {
        // "acl path_nginx_10000 path_beg /some/path", hosts test.example.com and test; other paths of
        // those hosts reach no backend.
        RouteTable t = table(apps(app("/nginx", Map.of("HAPROXY_GROUP", "external",
                "HAPROXY_0_VHOST", "test.example.com,test", "HAPROXY_0_PATH", "/some/path"), "192.0.2.1")), false, "external");
        assertThat(t.lookup("test.example.com", "/some/path/x").appId()).isEqualTo("/nginx");
        assertThat(t.lookup("TEST", "/some/path").appId()).isEqualTo("/nginx");
        assertThat(t.lookup("test.example.com", "/other")).isNull();
    }

    @Test
    void redirectAuthStickyBalanceAndNetworkAclAreCarriedPerPort() throws IOException {
        // test_config_simple_app_vhost_and_redirect, _vhost_with_auth, _sticky, _balance and the
        // BACKEND_NETWORK_ALLOWED_ACL description: each a property of the port's route.
        String hash = "$6$rounds=5000$saltsalt$T7uIOJmJQ/G.JxEqYiVfBnVtswB8KH6KzD7D.lpDSvHHzZA8mpxpKA7MWBVyNGbTjE0Mx6ZEhNMRb6N4oLgnc.";
        RouteTable t = table(apps(app("/nginx", Map.of(
                "HAPROXY_0_VHOST", "test.example.com",
                "HAPROXY_0_REDIRECT_TO_HTTPS", "true",
                "HAPROXY_0_AUTH", "realm:testuser:" + hash,
                "HAPROXY_0_STICKY", "y",
                "HAPROXY_0_BALANCE", "leastconn",
                "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL", "10.1.40.0/24 10.1.55.43"), "192.0.2.1")), false);
        Route r = t.lookup("test.example.com", "/");
        assertThat(r.httpsOnly()).isTrue();
        assertThat(r.sticky()).isTrue();
        assertThat(r.options().balance()).isEqualTo(Balance.LEAST_CONN);
        assertThat(r.options().auth().realm()).isEqualTo("realm");
        assertThat(r.options().auth().user()).isEqualTo("testuser");
        assertThat(r.options().allowFrom().cidrs()).hasSize(2);
        // Deliberate difference: marathon-lb's AUTH with a hash its HAProxy cannot check, or an ACL
        // that is not a network, breaks the generated config (marathon-lb then drops apps until it
        // validates); mesos-lb keeps only that port off the table and names the label in an error.
        RouteTable broken = table(apps(app("/nginx", Map.of("HAPROXY_0_VHOST", "test.example.com",
                "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL", "10.1.40.0/33"), "192.0.2.1")), false);
        assertThat(broken.lookup("test.example.com")).isNull();
    }

    @Test
    void aPortsOwnGroupOverridesTheAppsAsInTestConfigHaproxyGroupHybrid() throws IOException {
        Map<String, String> labels = Map.of("HAPROXY_GROUP", "internal", "HAPROXY_0_GROUP", "external",
                "HAPROXY_0_VHOST", "www.example.com", "HAPROXY_1_VHOST", "admin.example.com");
        List<MarathonApp> apps = apps(app("/app", labels, "192.0.2.1"));
        assertThat(table(apps, false, "external").lookup("www.example.com")).isNotNull();
        assertThat(table(apps, false, "external").lookup("admin.example.com")).isNull();
        assertThat(table(apps, false, "internal").lookup("admin.example.com").appId()).isEqualTo("/app#1");
        assertThat(table(apps, false, "internal").lookup("www.example.com")).isNull();
    }

    @Test
    void aPathWithoutAVhost() throws IOException {
        // marathon-lb: "To use the path routing, you must also define a VHost"; without one the app
        // is served on its service port only and the path is ignored.
        // Deliberate difference: mesos-lb puts it under the path on its derived host.
        RouteTable t = table(apps(app("/api", Map.of("HAPROXY_0_PATH", "/v1"), "192.0.2.1")), false);
        assertThat(t.lookup("api." + DOMAIN, "/v1/x").appId()).isEqualTo("/api");
        assertThat(t.lookup("api." + DOMAIN, "/")).isNull();
    }

    @Test
    void theLongestPathPrefixWins() throws IOException {
        // Deliberate difference: marathon-lb evaluates path ACLs in backend order (weight, then app
        // id), so /a's /api would take /api/v2 requests too unless weights say otherwise; mesos-lb
        // matches the longest prefix, which is what an app under /api/v2 means.
        RouteTable t = table(apps(
                app("/a", Map.of("HAPROXY_0_VHOST", "s.example.com", "HAPROXY_0_PATH", "/api"), "192.0.2.1"),
                app("/b", Map.of("HAPROXY_0_VHOST", "s.example.com", "HAPROXY_0_PATH", "/api/v2"), "192.0.2.2")), false);
        assertThat(t.lookup("s.example.com", "/api/v2/x").appId()).isEqualTo("/b");
        assertThat(t.lookup("s.example.com", "/api/x").appId()).isEqualTo("/a");
    }

    @Test
    void theFirstAppByIdKeepsASharedVhostWhenWeightsAreEqual() throws IOException {
        // Equal: marathon-lb writes use_backend rules sorted by app id (equal weights), and HAProxy
        // takes the first match.
        RouteTable t = table(apps(app("/b", Map.of("HAPROXY_0_VHOST", "s.example.com"), "192.0.2.2"),
                app("/a", Map.of("HAPROXY_0_VHOST", "s.example.com"), "192.0.2.1")), false);
        assertThat(t.lookup("s.example.com").appId()).isEqualTo("/a");
    }

    @Test
    void theHighestBackendWeightWinsAsInTestConfigMultiAppMultipleVhostWithPath() throws IOException {
        // Four apps with the same hosts and path, weights 0..3: "use_backend nginx3_10000" comes first.
        RouteTable t = table(apps(
                app("/nginx", Map.of("HAPROXY_0_VHOST", "test.example.com,test", "HAPROXY_0_PATH", "/some/path"), "192.0.2.1"),
                app("/nginx1", Map.of("HAPROXY_0_VHOST", "test.example.com,test", "HAPROXY_0_PATH", "/some/path",
                        "HAPROXY_0_BACKEND_WEIGHT", "1"), "192.0.2.1"),
                app("/nginx2", Map.of("HAPROXY_0_VHOST", "test.example.com,test", "HAPROXY_0_PATH", "/some/path",
                        "HAPROXY_0_BACKEND_WEIGHT", "2"), "192.0.2.1"),
                app("/nginx3", Map.of("HAPROXY_0_VHOST", "test.example.com,test", "HAPROXY_0_PATH", "/some/path",
                        "HAPROXY_0_BACKEND_WEIGHT", "3"), "192.0.2.1")), false);
        assertThat(t.lookup("test.example.com", "/some/path").appId()).isEqualTo("/nginx3");
        assertThat(t.lookup("test", "/some/path").appId()).isEqualTo("/nginx3");
    }

    @Test
    void anAppWithoutTasksDoesNotHideAnotherOnTheSameVhost() throws IOException {
        // marathon-lb leaves a service without servers out of the config altogether, so the next app
        // claiming the host serves it.
        ObjectNode empty = app("/a", Map.of("HAPROXY_0_VHOST", "s.example.com"), null);
        RouteTable t = table(apps(empty, app("/b", Map.of("HAPROXY_0_VHOST", "s.example.com"), "192.0.2.2")), false);
        assertThat(t.lookup("s.example.com").appId()).isEqualTo("/b");
    }

    // ---- helpers ----

    private static JsonNode read(String relative) throws IOException {
        return JSON.readTree(Files.readAllBytes(SHARED.resolve(relative)));
    }

    /**
     * The fixture's apps: API answers ({@code {"apps":[...]}}) as they are; an app definition (what is
     * POSTed to {@code /v2/apps}) as a list of one, the shape Marathon would answer with.
     */
    private static List<MarathonApp> apps(JsonNode root) throws IOException {
        if (!root.has("apps") && !root.has("app")) {
            root = JSON.createObjectNode().set("apps", JSON.createArrayNode().add(root));
        }
        return MarathonJson.parseApps(JSON.writeValueAsBytes(root));
    }

    private static List<MarathonApp> apps(ObjectNode... defs) throws IOException {
        ArrayNode list = JSON.createArrayNode();
        for (ObjectNode d : defs) {
            list.add(d);
        }
        return apps(JSON.createObjectNode().set("apps", list));
    }

    /** A host-networking app with these labels and, unless {@code agent} is null, one running task on it. */
    private static ObjectNode app(String id, Map<String, String> labels, String agent) {
        ObjectNode app = JSON.createObjectNode().put("id", id);
        ObjectNode l = app.putObject("labels");
        labels.forEach(l::put);
        ArrayNode ports = app.putArray("portDefinitions");
        ports.addObject().put("port", 10000);
        ports.addObject().put("port", 10001);
        ArrayNode tasks = app.putArray("tasks");
        if (agent != null) {
            tasks.addObject().put("id", id.substring(1) + ".1").put("host", agent).put("state", "TASK_RUNNING")
                    .putArray("ports").add(31000).add(31001);
        }
        return app;
    }

    /**
     * Adds a running task on {@link #AGENT} (host port {@link #HOST_PORT}, IP {@link #TASK_IP}):
     * without health results when {@code alive} is null, else with one result.
     *
     * @return the task's health results (empty when {@code alive} is null)
     */
    private static ArrayNode addTask(ObjectNode app, String id, Boolean alive) {
        ArrayNode tasks = app.has("tasks") ? (ArrayNode) app.get("tasks") : app.putArray("tasks");
        ObjectNode task = tasks.addObject().put("id", id).put("host", AGENT).put("state", "TASK_RUNNING");
        task.putArray("ports").add(HOST_PORT);
        task.putArray("ipAddresses").addObject().put("ipAddress", TASK_IP).put("protocol", "IPv4");
        ArrayNode results = JSON.createArrayNode();
        if (alive != null) {
            results.addObject().put("alive", alive).put("taskId", id);
            task.set("healthCheckResults", results);
        }
        return results;
    }

    private static RouteTable table(JsonNode root, boolean strictMode, String... groups) throws IOException {
        return table(apps(root), strictMode, groups);
    }

    /** The table the server would publish for these apps, as marathon-lb started with these --group flags. */
    private static RouteTable table(List<MarathonApp> apps, boolean strictMode, String... groups) {
        RoutingPolicy policy = new RoutingPolicy(new HealthVerdicts(), new AgentAddresses(),
                new PortRoutes(strictMode, new LabelProblems()));
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming(DOMAIN), AppGroups.of(List.of(groups)));
        holder.update(policy.apps(apps));
        return holder.current();
    }

    private static List<String> addresses(Route r) {
        return r.backends().stream().map(b -> b.backend().host() + ":" + b.backend().port()).toList();
    }

    /** The backends a route hands out over {@code n} requests: what is in rotation, however it is represented. */
    private static Set<String> selected(Route r, int n) {
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            BackendState s = r.select();
            if (s != null) {
                seen.add(s.backend().host() + ":" + s.backend().port());
            }
        }
        return seen;
    }
}
