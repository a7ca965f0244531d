package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Apps with several ports, each with a service port, HTTP and TCP, in host and bridge networking. */
class ServicePortAppsTest extends SimulatorTestBase {

    private JsonNode appJson(String id) throws IOException {
        return Http.JSON.readTree(Http.get(sim.uri(), "/v2/apps" + id + "?embed=app.tasks").body()).path("app");
    }

    @Test
    void hostNetworkingPutsEveryServicePortInThePortDefinitions() throws IOException {
        sim = MarathonSimulator.start();
        SimApp app = sim.createApp("/mixed", 2, Map.of("HAPROXY_1_MODE", "tcp"), false,
                List.of(SimPort.http(10001), SimPort.tcp(10002), SimPort.http()), false);
        assertThat(app.ports()).extracting(SimPort::servicePort).element(2).isNotIn(0, 10001, 10002);
        JsonNode json = appJson("/mixed");
        assertThat(json.path("portDefinitions").findValuesAsText("port"))
                .containsExactly("10001", "10002", String.valueOf(app.servicePort(2)));
        assertThat(json.path("networks").get(0).path("mode").asText()).isEqualTo("host");
        assertThat(json.path("tasks")).hasSize(2);
        for (JsonNode task : json.path("tasks")) {
            assertThat(task.path("ports")).hasSize(3);
        }
        assertThat(app.tasks()).allSatisfy(t -> assertThat(t.ports()).hasSize(3).doesNotHaveDuplicates());
    }

    @Test
    void bridgeNetworkingPutsThemInTheContainersPortMappings() throws IOException {
        sim = MarathonSimulator.start();
        SimApp app = sim.createApp("/db", 1, Map.of(), false, List.of(SimPort.tcp(10005), SimPort.tcp(10006)), true);
        assertThat(app.bridge()).isTrue();
        JsonNode json = appJson("/db");
        assertThat(json.path("networks").get(0).path("mode").asText()).isEqualTo("container/bridge");
        assertThat(json.path("container").path("portMappings").findValuesAsText("servicePort"))
                .containsExactly("10005", "10006");
        assertThat(json.has("portDefinitions")).isFalse();
        JsonNode tasks = Http.JSON.readTree(Http.get(sim.uri(), "/v2/tasks").body()).path("tasks");
        assertThat(tasks.get(0).path("servicePorts").toString()).isEqualTo("[10005,10006]");
    }

    @Test
    void aTcpPortEchoesHalfClosesAndDiesWithItsTask() throws IOException {
        sim = MarathonSimulator.start();
        SimApp app = sim.createApp("/echo", 1, Map.of(), false, List.of(SimPort.tcp(10010)), false);
        SimTask task = app.tasks().get(0);
        int port = task.ports().get(0);
        assertThat(port).isNotEqualTo(task.port()).as("the TCP server, not the HTTP one");
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write("hello, tcp".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello, tcp");
        }
        sim.killTask(task.id());
        Await.until(() -> app.tasks().stream().noneMatch(t -> t.id().equals(task.id())));
        assertThat(canConnect(port)).isFalse();
    }

    @Test
    void theOneHttpPortAppsAreAsBefore() throws IOException {
        sim = MarathonSimulator.start();
        SimApp app = sim.createApp("/www", 1, Map.of(), true);
        assertThat(app.ports()).containsExactly(SimPort.http(app.servicePort()));
        assertThat(app.tasks().get(0).ports()).containsExactly(app.tasks().get(0).port());
        JsonNode json = appJson("/www");
        assertThat(json.path("portDefinitions")).hasSize(1);
        assertThat(json.path("portDefinitions").get(0).path("name").asText()).isEqualTo("http");
    }

    private static boolean canConnect(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
