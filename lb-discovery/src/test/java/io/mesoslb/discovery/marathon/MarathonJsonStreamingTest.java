package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.testkit.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The streamed snapshot parse ({@link AppStreamReader}) reads the same apps as the tree parse. */
class MarathonJsonStreamingTest {
    @Test
    void sameAppsAsTheTreeParseOnEveryRealPayload() throws IOException {
        Path marathon = SharedData.require("marathon");
        List<Path> payloads;
        try (Stream<Path> files = Files.walk(marathon)) {
            payloads = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        int compared = 0;
        for (Path file : payloads) {
            byte[] json = Files.readAllBytes(file);
            List<MarathonApp> tree;
            try {
                tree = MarathonJson.parseApps(json);
            } catch (IOException notAnAppList) {
                // Events and single tasks: the streamed parse refuses them as well.
                assertThatThrownBy(() -> MarathonJson.streamApps(new ByteArrayInputStream(json)))
                        .as(file.toString()).isInstanceOf(IOException.class);
                continue;
            }
            assertThat(MarathonJson.streamApps(new ByteArrayInputStream(json))).as(file.toString()).isEqualTo(tree);
            compared += tree.isEmpty() ? 0 : 1;
        }
        assertThat(compared).as("payloads with apps").isGreaterThanOrEqualTo(5);
    }

    /**
     * Random apps in every shape the tree reader gives a meaning to: fields in any order, given twice, missing, null,
     * of the wrong type (numbers where text belongs, objects where arrays do, floats and numbers beyond int where
     * ports go), with fields nobody reads in between. Seeded, so a failure repeats.
     */
    @Test
    void sameAppsAsTheTreeParseOnRandomPayloads() throws IOException {
        for (long seed = 1; seed <= 20; seed++) {
            RandomApps random = new RandomApps(new Random(seed));
            byte[] json = random.document(100).getBytes(StandardCharsets.UTF_8);
            List<MarathonApp> tree = MarathonJson.parseApps(json);
            assertThat(tree).as("seed %d: apps with ids", seed).hasSizeGreaterThan(30);
            assertThat(tree.stream().mapToInt(a -> a.tasks().size()).sum()).as("seed %d: tasks", seed)
                    .isGreaterThan(30);
            assertThat(MarathonJson.streamApps(new ByteArrayInputStream(json))).as("seed %d", seed).isEqualTo(tree);
        }
    }

    /** Writes JSON text by hand, so that a key can be given twice. */
    private static final class RandomApps {
        private final Random r;
        private final StringBuilder out = new StringBuilder();

        RandomApps(Random r) {
            this.r = r;
        }

        String document(int apps) {
            out.setLength(0);
            out.append("{\"apps\":[");
            for (int i = 0; i < apps; i++) {
                out.append(i > 0 ? "," : "");
                if (r.nextInt(20) == 0) {
                    scalar();
                } else {
                    app(i);
                }
            }
            out.append("]}");
            return out.toString();
        }

        private void app(int i) {
            List<Runnable> fields = new ArrayList<>(List.of(
                    () -> field("id", () -> oneOf(() -> string("/g/app" + i), () -> string("g/app" + i),
                            () -> string("/app" + i), () -> string(i % 2 == 0 ? "" : " "), this::scalar)),
                    () -> field("labels", () -> oneOf(this::labels, this::labels, this::labels, this::scalar,
                            () -> out.append("[\"a\"]"))),
                    () -> field("tasks", () -> oneOf(() -> array(6, this::task), () -> array(6, this::task),
                            () -> object(3, this::task), this::scalar)),
                    () -> field("portDefinitions", () -> oneOf(() -> array(3, () -> object(List.of(
                            () -> field("port", this::port), () -> field("protocol", () -> string("tcp")),
                            () -> field("labels", this::labels)))), () -> out.append("[]"), this::scalar)),
                    () -> field("ports", this::ports),
                    () -> field("requirePorts", () -> oneOf(() -> out.append(r.nextBoolean()), this::scalar)),
                    () -> field("instances", () -> oneOf(() -> out.append(r.nextInt(5)), this::scalar,
                            () -> string("3"))),
                    () -> field("healthChecks", () -> oneOf(() -> array(3, this::healthCheck), this::scalar,
                            () -> object(2, this::healthCheck))),
                    () -> field("networks", () -> oneOf(() -> array(2, () -> object(List.of(() -> field("mode",
                            () -> oneOf(() -> string("host"), () -> string("container/bridge"),
                                    () -> string("container"), this::scalar)),
                            () -> field("name", () -> string("dcos"))))), this::scalar)),
                    () -> field("container", this::container),
                    () -> field("ipAddress", () -> oneOf(() -> object(List.of(() -> field("discovery",
                            () -> object(List.of(() -> field("ports", () -> array(2, () -> object(List.of(
                                    () -> field("number", this::port)))))))))), this::scalar)),
                    () -> field("cmd", () -> string("python3 -m http.server")),
                    () -> field("deployments", this::junk),
                    () -> field("env", this::junk)));
            object(fields);
        }

        private void task() {
            sometimesScalar(15, () -> object(List.of(
                    () -> field("id", () -> oneOf(() -> string("t." + r.nextInt(1000)),
                            () -> string("t." + r.nextInt(1000)), () -> string("t." + r.nextInt(1000)),
                            () -> string(""), this::scalar)),
                    () -> field("appId", () -> oneOf(() -> string("/other"), this::scalar)),
                    () -> field("host", () -> oneOf(() -> string("agent-" + r.nextInt(9)), this::scalar)),
                    () -> field("state", () -> oneOf(() -> string("TASK_RUNNING"), () -> string("TASK_KILLING"),
                            this::scalar)),
                    () -> field("stagedAt", () -> oneOf(() -> string("2026-01-01T00:00:00Z"), this::scalar)),
                    () -> field("startedAt", () -> oneOf(() -> string("2026-01-01T00:00:01Z"), this::scalar)),
                    () -> field("ports", this::ports),
                    () -> field("ipAddresses", () -> oneOf(() -> array(2, this::ipAddress),
                            () -> object(2, this::ipAddress), this::scalar)),
                    () -> field("healthCheckResults", () -> oneOf(() -> array(2, this::healthResult),
                            () -> out.append("[]"), () -> object(1, this::healthResult), this::scalar)),
                    () -> field("version", () -> string("2026-01-01T00:00:00Z")),
                    () -> field("slaveId", this::junk))));
        }

        private void labels() {
            object(List.of(
                    () -> field("HAPROXY_GROUP", () -> oneOf(() -> string("external"), this::scalar, this::junk)),
                    () -> field(MarathonApp.PORT_INDEX_LABEL, () -> oneOf(() -> string(String.valueOf(r.nextInt(3))),
                            this::scalar)),
                    () -> field("A", () -> oneOf(() -> string("x"), this::scalar, this::junk)),
                    () -> field("A", () -> oneOf(() -> string("y"), this::scalar))));
        }

        private void ipAddress() {
            sometimesScalar(8, () -> object(List.of(
                    () -> field("ipAddress", () -> oneOf(() -> string("10.0.0." + r.nextInt(9)),
                            () -> string(" 10.0.1.1 "), () -> string(" "), this::scalar)),
                    () -> field("protocol", () -> string("IPv4")))));
        }

        private void healthResult() {
            sometimesScalar(8, () -> object(List.of(
                    () -> field("alive", () -> oneOf(() -> out.append(r.nextBoolean()), () -> string("true"),
                            this::scalar)),
                    () -> field("instanceId", () -> oneOf(() -> string("i." + r.nextInt(9)), this::scalar)),
                    () -> field("taskId", () -> oneOf(() -> string("t." + r.nextInt(9)), this::scalar)))));
        }

        private void healthCheck() {
            object(List.of(
                    () -> field("protocol", () -> oneOf(() -> string("HTTP"), () -> string(" tcp "),
                            () -> string("COMMAND"), this::scalar)),
                    () -> field("portIndex", () -> oneOf(() -> out.append(r.nextInt(3) - 1), this::scalar)),
                    () -> field("port", this::port)));
        }

        private void container() {
            Runnable mappings = () -> array(2, () -> object(List.of(() -> field("containerPort", this::port),
                    () -> field("servicePort", this::port), () -> field("hostPort", this::port))));
            oneOf(() -> object(List.of(
                    () -> field("docker", () -> object(List.of(
                            () -> field("network", () -> oneOf(() -> string("BRIDGE"), () -> string("user"),
                                    () -> string("HOST"), this::scalar)),
                            () -> field("portMappings", mappings)))),
                    () -> field("portMappings", mappings))), this::scalar);
        }

        private void ports() {
            oneOf(() -> array(3, this::port), () -> array(3, this::port), () -> object(2, this::port), this::scalar);
        }

        /** A port, or one of the things found where a port should be. */
        private void port() {
            oneOf(() -> out.append(31000 + r.nextInt(1000)), () -> out.append(r.nextInt(3) - 1),
                    () -> out.append("3000000000"), () -> out.append("99999999999999999999"),
                    () -> out.append("31000.7"), () -> out.append("1e3"), () -> out.append("-2.5e9"),
                    () -> out.append("1.5e400"), () -> string("80"), () -> out.append("null"), this::junk);
        }

        /** One time in {@code oneIn} a scalar where an object belongs; else the object. */
        private void sometimesScalar(int oneIn, Runnable object) {
            if (r.nextInt(oneIn) == 0) {
                scalar();
            } else {
                object.run();
            }
        }

        private void scalar() {
            oneOf(() -> out.append("null"), () -> out.append(r.nextBoolean()), () -> out.append(r.nextInt(100) - 50),
                    () -> out.append("2.50"), () -> out.append("12345678901"), () -> string("s"));
        }

        private void junk() {
            oneOf(() -> out.append("{\"x\":[1,{\"y\":[null,\"z\"]}],\"w\":{}}"), () -> out.append("[[],{}]"),
                    this::scalar);
        }

        /** The fields in a random order, some left out and some given twice. */
        private void object(List<Runnable> fields) {
            List<Runnable> chosen = new ArrayList<>();
            for (Runnable f : fields) {
                int n = r.nextInt(10);
                for (int i = 0; i < (n == 0 ? 0 : n == 1 ? 2 : 1); i++) {
                    chosen.add(f);
                }
            }
            Collections.shuffle(chosen, r);
            join('{', '}', chosen.size(), i -> chosen.get(i).run());
        }

        /** An object of up to {@code max} values under made-up keys. */
        private void object(int max, Runnable value) {
            join('{', '}', r.nextInt(max + 1), i -> field("k" + i, value));
        }

        private void array(int max, Runnable element) {
            join('[', ']', r.nextInt(max + 1), i -> element.run());
        }

        private void join(char open, char close, int n, IntConsumer each) {
            out.append(open);
            for (int i = 0; i < n; i++) {
                out.append(i > 0 ? "," : "");
                each.accept(i);
            }
            out.append(close);
        }

        private void field(String name, Runnable value) {
            string(name);
            out.append(':');
            value.run();
        }

        private void string(String s) {
            out.append('"').append(s).append('"');
        }

        private void oneOf(Runnable... choices) {
            choices[r.nextInt(choices.length)].run();
        }
    }

    @Test
    void shapesAndTheirPrecedence() throws IOException {
        assertThat(ids("[{\"id\":\"a\"},{\"noid\":1},{\"id\":\"/b\"}]")).containsExactly("/a", "/b");
        assertThat(ids("{\"app\":{\"id\":\"/one\"}}")).containsExactly("/one");
        assertThat(ids("{\"*\":[{\"id\":\"/star\"}]}")).containsExactly("/star");
        // "apps" wins over "*" and "app", as in the tree parse, wherever it stands.
        String mixed = "{\"app\":{\"id\":\"/one\"},\"*\":[{\"id\":\"/star\"}],\"x\":{\"apps\":1},"
                + "\"apps\":[{\"id\":\"/all\"}]}";
        assertThat(ids(mixed)).containsExactly("/all");
        assertThat(MarathonJson.parseApps(mixed.getBytes(StandardCharsets.UTF_8))).extracting(MarathonApp::id)
                .containsExactly("/all");
        assertThatThrownBy(() -> ids("")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ids("{\"apps\":{}}")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ids("{\"apps\":[{\"id\":\"/a\"}")).isInstanceOf(IOException.class);
    }

    private static List<String> ids(String json) throws IOException {
        return MarathonJson.streamApps(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))).stream()
                .map(MarathonApp::id).toList();
    }
}
