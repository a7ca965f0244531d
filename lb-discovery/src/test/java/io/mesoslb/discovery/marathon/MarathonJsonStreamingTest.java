package io.mesoslb.discovery.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.testkit.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The streamed snapshot parse reads the same apps as the tree parse. */
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
