package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.discovery.marathon.MarathonEvent.AppTerminated;
import io.mesoslb.discovery.marathon.MarathonEvent.AppsChanged;
import io.mesoslb.discovery.marathon.MarathonEvent.HealthChanged;
import io.mesoslb.discovery.marathon.MarathonEvent.InstanceChanged;
import io.mesoslb.discovery.marathon.MarathonEvent.StatusUpdate;
import io.mesoslb.discovery.marathon.MarathonState.Kind;
import io.mesoslb.discovery.marathon.MarathonState.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MarathonStateTest {
    private static final String WEB = """
            {"id":"/web","tasks":[{"id":"web.1","host":"h1","ports":[31001],"state":"TASK_RUNNING"}]}""";
    private static final String CHECKED = """
            {"id":"/api","healthChecks":[{"protocol":"MESOS_HTTP"}],"tasks":[
              {"id":"api.instance-aaaa._app.1","host":"h1","ports":[32001],"state":"TASK_RUNNING",
               "healthCheckResults":[{"alive":true,"instanceId":"api.instance-aaaa"}]}]}""";

    private final MarathonState state = new MarathonState();
    private final RoutingPolicy policy = new RoutingPolicy(new HealthVerdicts());

    @Test
    void runningTaskOfAnAppWithoutChecksIsRoutedAtOnce() throws IOException {
        snapshot(WEB);

        Outcome outcome = state.apply(running("/web", "web.2", "h2", 31002));

        assertThat(outcome).isEqualTo(Outcome.CHANGED);
        assertThat(routes()).containsEntry("/web", List.of("h1:31001", "h2:31002"));
    }

    @Test
    void killingRemovesAtOnceAndLateOrStaleNewsDoesNotBringItBack() throws IOException {
        snapshot(WEB);

        assertThat(state.apply(status("/web", "web.1", "TASK_KILLING"))).isEqualTo(Outcome.CHANGED);
        assertThat(routes()).containsEntry("/web", List.of());
        assertThat(state.apply(status("/web", "web.1", "TASK_KILLED"))).isEqualTo(Outcome.UNCHANGED);
        assertThat(state.apply(running("/web", "web.1", "h1", 31001))).isEqualTo(Outcome.UNCHANGED);
        snapshot(WEB);
        assertThat(routes()).containsEntry("/web", List.of());
    }

    @Test
    void everyTerminalStateRemoves() throws IOException {
        for (String terminal : List.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_DROPPED",
                "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN")) {
            MarathonState fresh = new MarathonState();
            fresh.replaceAll(parse(WEB));
            assertThat(fresh.apply(status("/web", "web.1", terminal))).as(terminal).isEqualTo(Outcome.CHANGED);
            assertThat(fresh.app("/web").tasks()).as(terminal).isEmpty();
        }
    }

    @Test
    void unreachableTaskStaysRouted() throws IOException {
        snapshot(WEB);

        state.apply(status("/web", "web.1", "TASK_UNREACHABLE"));

        assertThat(routes()).containsEntry("/web", List.of("h1:31001"));
    }

    @Test
    void statusWithoutAddressKeepsTheKnownAddressAndHealth() throws IOException {
        snapshot(CHECKED);

        state.apply(new StatusUpdate("/api", "api.instance-aaaa._app.1", "TASK_RUNNING", null, List.of(), List.of()));

        assertThat(routes()).containsEntry("/api", List.of("h1:32001"));
    }

    @Test
    void taskOfAnAppWithChecksWaitsForItsHealthEvent() throws IOException {
        snapshot(CHECKED);
        String task = "api.instance-bbbb._app.1";

        assertThat(state.apply(running("/api", task, "h2", 32002))).isEqualTo(Outcome.CHANGED);
        assertThat(routes()).containsEntry("/api", List.of("h1:32001"));

        assertThat(state.apply(new HealthChanged("/api", "api.instance-bbbb", true, true))).isEqualTo(Outcome.CHANGED);
        assertThat(routes()).containsEntry("/api", List.of("h1:32001", "h2:32002"));

        state.apply(new HealthChanged("/api", "api.instance-bbbb", false, true));
        assertThat(routes()).containsEntry("/api", List.of("h1:32001"));

        state.apply(new HealthChanged("/api", "api.instance-bbbb", true, true));
        assertThat(routes()).containsEntry("/api", List.of("h1:32001", "h2:32002"));
    }

    @Test
    void healthyVerdictFromEventsSurvivesASnapshotWithoutResults() throws IOException {
        snapshot(CHECKED);
        state.apply(running("/api", "api.instance-bbbb._app.1", "h2", 32002));
        state.apply(new HealthChanged("/api", "api.instance-bbbb", true, true));
        assertThat(routes()).containsEntry("/api", List.of("h1:32001", "h2:32002"));

        snapshot("""
                {"id":"/api","healthChecks":[{"protocol":"HTTP"}],"tasks":[
                  {"id":"api.instance-aaaa._app.1","host":"h1","ports":[32001],"state":"TASK_RUNNING"},
                  {"id":"api.instance-bbbb._app.1","host":"h2","ports":[32002],"state":"TASK_RUNNING"},
                  {"id":"api.instance-cccc._app.1","host":"h3","ports":[32003],"state":"TASK_RUNNING"}]}""");

        assertThat(routes()).containsEntry("/api", List.of("h1:32001", "h2:32002"));
    }

    @Test
    void oneCheckPassingOfSeveralAsksForTheWholeApp() throws IOException {
        snapshot("""
                {"id":"/two","healthChecks":[{"protocol":"HTTP"},{"protocol":"TCP"}],"tasks":[
                  {"id":"two.1","host":"h","ports":[1],"healthCheckResults":[{"alive":true},{"alive":true}]}]}""");

        assertThat(state.apply(new HealthChanged("/two", "two.1", true, false)))
                .isEqualTo(Outcome.refetch(Set.of("/two")));
        assertThat(state.apply(new HealthChanged("/two", "two.1", false, false))).isEqualTo(Outcome.CHANGED);
        assertThat(routes()).containsEntry("/two", List.of());
    }

    @Test
    void unknownAppsAndTasksAreFetched() throws IOException {
        snapshot(CHECKED);

        assertThat(state.apply(running("/new", "new.1", "h", 1))).isEqualTo(Outcome.refetch(Set.of("/new")));
        assertThat(state.apply(status("/new", "new.1", "TASK_STAGING"))).isEqualTo(Outcome.UNCHANGED);
        assertThat(state.apply(new InstanceChanged("/new", "new.instance-1", "Running")))
                .isEqualTo(Outcome.refetch(Set.of("/new")));
        assertThat(state.apply(new HealthChanged("/api", "api.instance-zzzz", true, true)))
                .isEqualTo(Outcome.refetch(Set.of("/api")));
        assertThat(state.apply(new HealthChanged("/api", "api.instance-zzzz", false, true))).isEqualTo(Outcome.UNCHANGED);
        assertThat(state.apply(new HealthChanged("/api", "api.instance-aaaa", null, true))).isEqualTo(Outcome.UNCHANGED);
    }

    @Test
    void killingInstanceRemovesItsTaskInEveryIdFormat() throws IOException {
        snapshot("""
                {"id":"/mix","tasks":[
                  {"id":"mix.01da9a15-68a7-11e7-a229-e6a514ca0c21","host":"h","ports":[1]},
                  {"id":"mix.instance-c7c3._app.2","host":"h","ports":[2]},
                  {"id":"mix.instance-d8d4._app.1","host":"h","ports":[3]}]}""");

        state.apply(new InstanceChanged("/mix", "mix.marathon-01da9a15-68a7-11e7-a229-e6a514ca0c21", "Killing"));
        state.apply(new InstanceChanged("/mix", "mix.instance-c7c3", "Failed"));
        assertThat(state.apply(new InstanceChanged("/mix", "mix.instance-d8d4", "Running"))).isEqualTo(Outcome.UNCHANGED);

        assertThat(routes()).containsEntry("/mix", List.of("h:3"));
    }

    @Test
    void terminatedAppIsDroppedAndAppChangesAskForAFetch() throws IOException {
        snapshot(WEB);

        assertThat(state.apply(new AppTerminated("/web"))).isEqualTo(Outcome.CHANGED);
        assertThat(state.apply(new AppTerminated("/web"))).isEqualTo(Outcome.UNCHANGED);
        assertThat(routes()).isEmpty();
        assertThat(state.apply(new AppsChanged(Set.of("/web")))).isEqualTo(Outcome.refetch(Set.of("/web")));
        assertThat(state.apply(new AppsChanged(Set.of())).kind()).isEqualTo(Kind.RESYNC);
    }

    @Test
    void refetchedAppReplacesItsDefinitionButNotBuriedTasks() throws IOException {
        snapshot(WEB);
        state.apply(status("/web", "web.1", "TASK_KILLING"));

        state.replace(parse("""
                {"id":"/web","labels":{"MESOS_LB_VHOST":"w.example.com"},"tasks":[
                  {"id":"web.1","host":"h1","ports":[31001],"state":"TASK_KILLING"},
                  {"id":"web.2","host":"h2","ports":[31002],"state":"TASK_RUNNING"}]}""").get(0));

        assertThat(state.app("/web").labels()).containsEntry("MESOS_LB_VHOST", "w.example.com");
        assertThat(routes()).containsEntry("/web", List.of("h2:31002"));
    }

    private void snapshot(String... apps) throws IOException {
        state.replaceAll(parse(apps));
    }

    private static List<MarathonApp> parse(String... apps) throws IOException {
        return MarathonJson.parseApps(("[" + String.join(",", apps) + "]").getBytes(StandardCharsets.UTF_8));
    }

    private static StatusUpdate running(String app, String task, String host, int port) {
        return new StatusUpdate(app, task, "TASK_RUNNING", host, List.of(port), List.of());
    }

    private static StatusUpdate status(String app, String task, String status) {
        return new StatusUpdate(app, task, status, "h1", List.of(31001), List.of());
    }

    /** App id to sorted backend addresses, as the routing table would get them. */
    private Map<String, List<String>> routes() {
        Map<String, List<String>> routes = new TreeMap<>();
        for (App app : policy.apps(state.apps())) {
            routes.put(app.id(), app.backends().stream().map(Backend::address).sorted().toList());
        }
        return routes;
    }
}
