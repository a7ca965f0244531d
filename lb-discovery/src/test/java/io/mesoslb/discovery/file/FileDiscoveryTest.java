package io.mesoslb.discovery.file;

import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTable;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.discovery.Fixtures;
import io.mesoslb.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDiscoveryTest {
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));
    private FileDiscovery discovery;

    @AfterEach
    void close() {
        if (discovery != null) {
            discovery.close();
        }
    }

    @Test
    void startPublishesTheFileBeforeReturning() throws IOException {
        Path file = dir.resolve("apps.json");
        Files.write(file, Fixtures.bytes("apps-embed-tasks.json"));

        discovery = new FileDiscovery(file, holder, POLL);
        discovery.start();

        assertThat(addresses(holder.current().lookup("myvhost.com"))).containsExactly("10.0.2.148:1565");
        assertThat(addresses(holder.current().lookup("nginx.example.com"))).hasSize(3); // its deployment group's name
        DiscoveryState state = discovery.state();
        assertThat(state.synced()).isTrue();
        assertThat(state.source()).isEqualTo(file.toString());
        assertThat(state.lastSync()).isNotNull();
    }

    @Test
    void prepareReadsTheFileAndStartPublishesIt() throws IOException {
        prepareWithOneTask();
        assertThat(holder.current().routes()).as("nothing published before start").isEmpty();
        assertThat(discovery.state().synced()).isFalse();

        discovery.start();
        assertThat(addresses(holder.current().lookup("web.example.com"))).containsExactly("h1:31000");
        assertThat(discovery.state().synced()).isTrue();
    }

    @Test
    void startReadsAFileReplacedSincePrepareAgain() throws IOException {
        Path file = prepareWithOneTask();

        write(file, app("/web", "h2", 31002));
        discovery.start();

        assertThat(addresses(holder.current().lookup("web.example.com"))).containsExactly("h2:31002");
    }

    @Test
    void labelProblemsOfTheLastPublicationAreInTheState() throws IOException {
        Path file = dir.resolve("apps.json");
        Files.writeString(file, """
                {"apps":[
                  {"id":"/locked","labels":{"HAPROXY_0_VHOST":"l.example.com","HAPROXY_0_AUTH":"realm:alice"}},
                  {"id":"/fancy","labels":{"HAPROXY_0_VHOST":"f.example.com","HAPROXY_0_FRONTEND_HEAD":"x"}},
                  {"id":"/plain"}]}""");
        discovery = new FileDiscovery(file, holder, POLL);
        discovery.start();

        Map<String, List<String>> problems = discovery.state().labelProblems();
        assertThat(problems).containsOnlyKeys("/locked", "/fancy");
        assertThat(problems.get("/locked")).singleElement().asString()
                .contains("HAPROXY_0_AUTH").contains("not routed").doesNotContain("alice");
        assertThat(problems.get("/fancy")).singleElement().asString().contains("HAPROXY_0_FRONTEND_HEAD is not honoured");
        assertThat(holder.current().lookup("l.example.com")).as("kept off the table").isNull();

        Files.writeString(file, "{\"apps\":[{\"id\":\"/plain\"}]}");
        Await.until(DEADLINE, () -> discovery.state().labelProblems().isEmpty(), "problems of removed apps to go");
    }

    @Test
    void followsChangesToTheFile() throws IOException {
        Path file = startWithOneTask();

        write(file, app("/web", "h2", 31001));

        Await.until(DEADLINE, () -> addresses(holder.current().lookup("web.example.com")).equals(List.of("h2:31001")));
    }

    @Test
    void anUnchangedFileIsStillContactWhileABrokenOneIsNot() throws IOException {
        Path file = startWithOneTask();
        DiscoveryState loaded = discovery.state();

        // Polls that find the same readable file: the routes are current, and health staleness must see that.
        Await.until(DEADLINE, () -> discovery.state().lastContact().isAfter(loaded.lastContact()), "contact advances");
        assertThat(discovery.state().lastSync()).isEqualTo(loaded.lastSync());

        write(file, "{\"apps\": [ {\"id\": ");
        Await.until(DEADLINE, () -> !discovery.state().connected(), "broken file reported");
        // A poll that read the good file just before the write may have counted as contact; what must
        // hold is that polls of the broken file do not. A second, different breakage is a poll we can see.
        DiscoveryState broken = discovery.state();
        write(file, "{\"apps\": [ {\"id\": \"/other\", ");
        Await.until(DEADLINE, () -> !discovery.state().detail().equals(broken.detail()), "second breakage reported");
        assertThat(discovery.state().connected()).isFalse();
        assertThat(discovery.state().lastContact()).as("a broken file is no contact").isEqualTo(broken.lastContact());
    }

    @Test
    void brokenFileKeepsTheLastGoodTableAndIsReported() throws IOException {
        Path file = startWithOneTask();
        RouteTable good = holder.current();

        write(file, "{\"apps\": [ {\"id\": ");
        Await.until(DEADLINE, () -> !discovery.state().connected(), () -> "failure reported: " + discovery.state());

        assertThat(holder.current()).isSameAs(good);
        assertThat(discovery.state().synced()).isTrue();
        assertThat(discovery.state().detail()).contains("apps.json");

        write(file, app("/web", "h3", 31003));
        Await.until(DEADLINE, () -> addresses(holder.current().lookup("web.example.com")).equals(List.of("h3:31003")));
        // The poller publishes the table first and then says so in its state: the test may see the table between.
        Await.until(DEADLINE, () -> discovery.state().connected(), () -> "recovery reported: " + discovery.state());
    }

    @Test
    void missingFileIsReportedAndPickedUpOnceItAppears() throws IOException {
        Path file = dir.resolve("later.json");
        discovery = new FileDiscovery(file, holder, POLL);
        discovery.start();

        assertThat(discovery.state().synced()).isFalse();
        assertThat(discovery.state().detail()).contains("later.json");
        assertThat(holder.current().routes()).isEmpty();

        write(file, app("/web", "h1", 31000));
        Await.until(DEADLINE, () -> discovery.state().synced());
        assertThat(addresses(holder.current().lookup("web.example.com"))).containsExactly("h1:31000");
    }

    /** A discovery of a file with one task, prepared (read ahead) and not started. */
    private Path prepareWithOneTask() throws IOException {
        Path file = dir.resolve("apps.json");
        write(file, app("/web", "h1", 31000));
        discovery = new FileDiscovery(file, holder, POLL);
        discovery.prepare().join();
        return file;
    }

    private Path startWithOneTask() throws IOException {
        Path file = dir.resolve("apps.json");
        write(file, app("/web", "h1", 31000));
        discovery = new FileDiscovery(file, holder, POLL);
        discovery.start();
        assertThat(addresses(holder.current().lookup("web.example.com"))).containsExactly("h1:31000");
        return file;
    }

    /** Writes atomically, as a deploy tool would, so the poller never sees half a file. */
    private void write(Path file, String content) throws IOException {
        Path tmp = Files.createTempFile(dir, "apps", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String app(String id, String host, int port) {
        return """
                {"apps":[{"id":"%s","tasks":[{"id":"t-%s","host":"%s","ports":[%d],"state":"TASK_RUNNING"}]}]}
                """.formatted(id, host, host, port);
    }

    private static List<String> addresses(Route route) {
        return route == null ? List.of()
                : route.backends().stream().map(BackendState::backend).map(Backend::address).toList();
    }
}
