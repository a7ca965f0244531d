package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.discovery.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MarathonJsonTest {

    @Test
    void readsMarathon15SnapshotWithTasksAndHealthResults() throws IOException {
        List<MarathonApp> apps = MarathonJson.parseApps(Fixtures.bytes("apps-embed-tasks.json"));

        assertThat(apps).extracting(MarathonApp::id).containsExactly("/pywebserver", "/nginx-green");
        MarathonApp web = apps.get(0);
        assertThat(web.networkMode()).isEqualTo(NetworkMode.BRIDGE);
        assertThat(web.labels()).containsEntry("HAPROXY_0_VHOST", "myvhost.com");
        assertThat(web.containerPorts()).containsExactly(80);
        assertThat(web.hasHealthChecks()).isFalse();
        MarathonTask task = web.tasks().get(0);
        assertThat(task.id()).isEqualTo("pywebserver.8cad6a69-6ca8-11e7-beb2-0e2beceebfcc");
        assertThat(task.appId()).isEqualTo("/pywebserver");
        assertThat(task.host()).isEqualTo("10.0.2.148");
        assertThat(task.ports()).containsExactly(1565);
        assertThat(task.ipAddresses()).containsExactly("172.17.0.2");
        assertThat(task.state()).isEqualTo("TASK_RUNNING");
        assertThat(task.healthResults()).isNull();

        MarathonApp green = apps.get(1);
        assertThat(green.hasHealthChecks()).isTrue();
        assertThat(green.tasks()).hasSize(3);
        assertThat(green.tasks().get(0).healthResults()).containsExactly(
                new HealthResult(true, "nginx-green.marathon-01da9a15-68a7-11e7-a229-e6a514ca0c21"));
    }

    @Test
    void readsPre14AppShowWithoutTaskStateAndWithTaskIdHealthResults() throws IOException {
        List<MarathonApp> apps = MarathonJson.parseApps(Fixtures.bytes("rest/app-show.v1.3-doc.json"));

        MarathonApp toggle = apps.get(0);
        assertThat(toggle.id()).isEqualTo("/toggle");
        assertThat(toggle.networkMode()).isEqualTo(NetworkMode.HOST);
        assertThat(toggle.definedPorts()).containsExactly(10000);
        assertThat(toggle.hasHealthChecks()).isTrue();
        assertThat(toggle.tasks()).extracting(MarathonTask::state).containsOnly("TASK_RUNNING");
        assertThat(toggle.tasks().get(0).healthResults()).extracting(HealthResult::id)
                .containsOnly("toggle.802df2ae-3ad4-11e4-a400-56847afe9799");
    }

    @Test
    void aNetworkWithoutAModeIsAContainerNetworkAsMarathonDefaultsIt() throws IOException {
        String json = """
                {"apps":[{"id":"/ippt","networks":[{"name":"dcos"}],"container":{"portMappings":[{"containerPort":8080}]}},
                         {"id":"/host","networks":[{"mode":"host"}]},
                         {"id":"/bridge","networks":[{"mode":"container/bridge"}]}]}""";
        List<MarathonApp> apps = MarathonJson.parseApps(json.getBytes(StandardCharsets.UTF_8));
        assertThat(apps).extracting(MarathonApp::networkMode)
                .containsExactly(NetworkMode.CONTAINER, NetworkMode.HOST, NetworkMode.BRIDGE);
        assertThat(apps.get(0).containerPorts()).containsExactly(8080);
    }

    @Test
    void readsAppListWithoutTasks() throws IOException {
        MarathonApp app = MarathonJson.parseApps(Fixtures.bytes("rest/apps-list.raml-example.json")).get(0);

        assertThat(app.tasks()).isEmpty();
        assertThat(app.definedPorts()).containsExactly(10013, 10015);
        assertThat(app.networkMode()).isEqualTo(NetworkMode.HOST);
        assertThat(app.hasHealthChecks()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "app-definitions/mlb-1-nginx.m15.json, BRIDGE, 8080",
            "app-definitions/mlb-1-nginx.pre15.json, BRIDGE, 8080",
            "app-definitions/mlb-ci-docker_bridge.json, BRIDGE, 80",
            "app-definitions/mlb-ci-docker_host.json, HOST, ",
            "app-definitions/mlb-ci-docker_ippc.json, CONTAINER, 80",
            "app-definitions/netdoc-bridge-new.1.5-api.json, BRIDGE, 80",
            "app-definitions/netdoc-bridge-old.1.4-api.json, BRIDGE, 80",
            "app-definitions/netdoc-user-net-new.1.5-api.json, CONTAINER, 80",
            "app-definitions/netdoc-user-net-old.1.4-api.json, CONTAINER, 80",
            // mixes 1.4 and 1.5 fields: ipAddress wins, as in marathon-lb, with its discovery port
            "rest/app-definition.raml-example.json, CONTAINER, 8080",
    })
    void detectsNetworkModeAndContainerPortOfEveryShape(String fixture, NetworkMode mode, Integer containerPort)
            throws IOException {
        byte[] array = ("[" + Fixtures.text(fixture) + "]").getBytes(StandardCharsets.UTF_8);
        MarathonApp app = MarathonJson.parseApps(array).get(0);

        assertThat(app.id()).startsWith("/");
        assertThat(app.networkMode()).isEqualTo(mode);
        if (containerPort == null) {
            assertThat(app.containerPorts()).isEmpty();
        } else {
            assertThat(app.containerPorts()).containsExactly(containerPort);
        }
    }

    @Test
    void toleratesNullsAndMissingFieldsEverywhere() throws IOException {
        String json = """
                {"apps":[
                  {"id":"/a","labels":null,"networks":null,"container":null,"portDefinitions":null,
                   "ports":null,"healthChecks":null,"ipAddress":null,"requirePorts":null,
                   "tasks":[{"id":"a.1","host":null,"ports":null,"ipAddresses":null,"state":null,
                             "healthCheckResults":null},
                            {"id":"a.2","ports":[null,31002],"ipAddresses":[null,{"ipAddress":null},{}],
                             "healthCheckResults":[]},
                            {"id":null}, null, 7]},
                  {"id":"/b","container":{"docker":null,"portMappings":null},"networks":[],"labels":{"k":null,"n":3}},
                  {"id":null}, null, {}
                ]}
                """;
        List<MarathonApp> apps = MarathonJson.parseApps(json.getBytes(StandardCharsets.UTF_8));

        assertThat(apps).extracting(MarathonApp::id).containsExactly("/a", "/b");
        MarathonApp a = apps.get(0);
        assertThat(a.networkMode()).isEqualTo(NetworkMode.HOST);
        assertThat(a.tasks()).extracting(MarathonTask::id).containsExactly("a.1", "a.2");
        MarathonTask first = a.tasks().get(0);
        assertThat(first.host()).isEmpty();
        assertThat(first.ports()).isEmpty();
        assertThat(first.state()).isEqualTo("TASK_RUNNING");
        assertThat(first.healthResults()).isNull();
        MarathonTask second = a.tasks().get(1);
        assertThat(second.ports()).containsExactly(0, 31002);
        assertThat(second.ipAddresses()).isEmpty();
        assertThat(second.healthResults()).isNull();
        assertThat(apps.get(1).labels()).containsOnly(org.assertj.core.api.Assertions.entry("n", "3"));
    }

    @Test
    void stagedTaskWithoutStateIsNotRunning() throws IOException {
        String json = """
                [{"id":"/a","tasks":[{"id":"a.1","host":"h","ports":[1],"stagedAt":"2015-08-26T20:23:39.463Z"}]}]
                """;
        MarathonTask task = MarathonJson.parseApps(json.getBytes(StandardCharsets.UTF_8)).get(0).tasks().get(0);

        assertThat(task.state()).isEqualTo("TASK_STAGING");
    }

    @Test
    void rejectsWhatIsNotAnAppList() {
        assertThatThrownBy(() -> MarathonJson.parseApps("{\"apps\": [".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MarathonJson.parseApps(Fixtures.bytes("tasks.json")))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MarathonJson.parseApps(new byte[0])).isInstanceOf(IOException.class);
    }
}
