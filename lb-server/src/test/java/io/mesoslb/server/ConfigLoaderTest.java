package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.server.config.ConfigException;
import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static ServerConfig load(String... args) {
        return ConfigLoader.load(args);
    }

    @Test
    void defaultsAreUsable() {
        ServerConfig c = load();
        assertThat(c.listenPort()).isEqualTo(8080);
        assertThat(c.proxy().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.proxy().connectRetries()).isEqualTo(1);
        assertThat(c.routesFile()).isNull();
        assertThat(c.marathonUrls()).isEmpty();
        assertThat(c.maxConnections()).as("derived from the open-file limit at start").isZero();
    }

    @Test
    void maxConnectionsIsAPositiveLimitOrMinusOneForNone() {
        assertThat(load("--max-connections=-1").maxConnections()).isEqualTo(-1);
        assertThat(load("--max-connections=5000").maxConnections()).isEqualTo(5000);
        assertThatThrownBy(() -> load("--max-connections=-2")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("max-connections must be between -1 and");
    }

    @Test
    void readsYamlWithKebabCaseKeys() throws Exception {
        Path file = dir.resolve("lb.yaml");
        Files.writeString(file, String.join("\n",
                "listen-host: 127.0.0.1",
                "listen-port: 0",
                "domain: apps.example.com",
                "worker-threads: 3",
                "force-nio: true",
                "connect-timeout: 250ms",
                "response-timeout: 2m",
                "max-header-size: 32768",
                "default-app: /web",
                "routes-file: /etc/mesos-lb/apps.json",
                "routes-poll-interval: PT1S",
                "marathon-urls:",
                "  - http://m1:8080",
                "  - http://m2:8080",
                "admin-port: -1",
                ""));

        ServerConfig c = load("--config", file.toString());

        assertThat(c.listenHost()).isEqualTo("127.0.0.1");
        assertThat(c.listenPort()).isZero();
        assertThat(c.domain()).isEqualTo("apps.example.com");
        assertThat(c.workerThreads()).isEqualTo(3);
        assertThat(c.forceNio()).isTrue();
        assertThat(c.proxy().connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.proxy().responseTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.proxy().maxHeaderSize()).isEqualTo(32768);
        assertThat(c.proxy().defaultApp()).isEqualTo("/web");
        assertThat(c.routesFile()).isEqualTo(Path.of("/etc/mesos-lb/apps.json"));
        assertThat(c.routesPollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.marathonUrls()).containsExactly(URI.create("http://m1:8080"), URI.create("http://m2:8080"));
        assertThat(c.adminPort()).isEqualTo(-1);
    }

    @Test
    void theExampleConfigShippedAtTheTopLevelLoads() {
        // Keeps the README's example true: Surefire runs in the module directory.
        ServerConfig c = load("--config", Path.of("..", "mesos-lb.example.yaml").toString());

        assertThat(c.domain()).isEqualTo("apps.example.com");
        assertThat(c.marathonUrls()).hasSize(3);
        assertThat(c.adminPort()).isEqualTo(9090);
    }

    @Test
    void theExamplesCommentedOutSettingsLoadWhenUncommented() throws Exception {
        // A commented-out line is a setting a reader may switch on as it stands: its key and value must hold.
        List<String> lines = Files.readAllLines(Path.of("..", "mesos-lb.example.yaml"));
        List<String> uncommented = lines.stream().map(l -> l.replaceFirst("^# ([a-z-]+: )", "$1")).toList();
        assertThat(uncommented).as("some commented-out settings").isNotEqualTo(lines);
        Path file = dir.resolve("uncommented.yaml");
        Files.write(file, uncommented);

        ServerConfig c = load("--config", file.toString());

        assertThat(c.ops().accessLogJson()).isTrue();
        assertThat(c.ops().accessLogFile()).isEqualTo(Path.of("/var/log/mesos-lb/access.log"));
        assertThat(c.ops().accessLogRotation().maxHistory()).isEqualTo(14);
    }

    @Test
    void readsJsonAndFlagsOverrideTheFile() throws Exception {
        Path file = dir.resolve("lb.json");
        Files.writeString(file, "{\"listen-port\": 9000, \"domain\": \"a.example\", \"marathon-urls\": \"http://m:8080\"}");

        ServerConfig c = load("--config=" + file, "--listen-port", "9001", "--force-nio",
                "--marathon-urls=http://x:1,http://y:2");

        assertThat(c.listenPort()).isEqualTo(9001);
        assertThat(c.domain()).isEqualTo("a.example");
        assertThat(c.forceNio()).isTrue();
        assertThat(c.marathonUrls()).containsExactly(URI.create("http://x:1"), URI.create("http://y:2"));
    }

    @Test
    void reportsEveryInvalidSettingAtOnce() {
        assertThatThrownBy(() -> load("--listen-port=70000", "--connect-timeout=5", "--default-app=web",
                "--write-buffer-low=300000", "--marathon-urls=ftp://m"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listen-port must be between 0 and 65535, got 70000")
                .hasMessageContaining("connect-timeout: '5' needs a unit")
                .hasMessageContaining("default-app must be a Marathon app id")
                .hasMessageContaining("write-buffer-low (300000) must not exceed write-buffer-high")
                .hasMessageContaining("'ftp://m' is not an http(s) URL");
    }

    @Test
    void unknownKeysAndBadTypesAreNamed() throws Exception {
        assertThatThrownBy(() -> load("--listen-prot=1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listen-prot");
        assertThatThrownBy(() -> load("--worker-threads=many"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("worker-threads");
        Path file = dir.resolve("bad.yml");
        Files.writeString(file, "listen-port: [1, 2]\n");
        assertThatThrownBy(() -> load("--config", file.toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bad.yml").hasMessageContaining("listen-port");
    }

    @Test
    void rejectsUnknownFileTypesMissingFilesAndStrayArguments() {
        assertThatThrownBy(() -> load("--config", dir.resolve("lb.toml").toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(".yaml, .yml or .json");
        assertThatThrownBy(() -> load("--config", dir.resolve("missing.yaml").toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> load("listen-port=1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unexpected argument");
    }

    @Test
    void groupsComeAsACommaListFromFlagsOrAListInTheFile(@TempDir Path dir) throws Exception {
        assertThat(load().groups().servesAll()).as("default").isTrue();
        assertThat(load().strictMode()).as("default").isFalse();
        assertThat(load("--strict-mode", "true").strictMode()).isTrue();
        assertThat(load().exposedByDefault()).as("default").isTrue();
        assertThat(load("--exposed-by-default", "false").exposedByDefault()).isFalse();

        ServerConfig flags = load("--groups", "external, edge");
        assertThat(flags.groups().serves(Set.of("edge"))).isTrue();
        assertThat(flags.groups().serves(Set.of("internal"))).isFalse();

        Path file = dir.resolve("lb.yaml");
        Files.writeString(file, "groups:\n  - internal\n");
        ServerConfig yaml = load("--config", file.toString());
        assertThat(yaml.groups().serves(Set.of("internal"))).isTrue();
        assertThat(yaml.groups().serves(Set.of())).isFalse();
    }

    @Test
    void theAppIdPortIsOffByDefaultAndBindsListenHostUnlessToldOtherwise() {
        ServerConfig off = load("--listen-host=10.0.0.1");
        assertThat(off.appIdPort()).isEqualTo(-1);
        assertThat(off.appIdHost()).isEqualTo("10.0.0.1");

        ServerConfig on = load("--listen-host=0.0.0.0", "--app-id-port=9091", "--app-id-host=10.1.2.3");
        assertThat(on.appIdPort()).isEqualTo(9091);
        assertThat(on.appIdHost()).isEqualTo("10.1.2.3");
        assertThat(load("--app-id-port=9091").appIdHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void anAppIdPortOutOfRangeOrOnTheProxyPortIsRefused() {
        assertThatThrownBy(() -> load("--app-id-port=-2")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("app-id-port");
        assertThatThrownBy(() -> load("--listen-port=8080", "--app-id-port=8080")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("app-id-port must differ from listen-port");
        assertThat(load("--listen-port=8080", "--app-id-port=8080", "--app-id-host=127.0.0.2").appIdPort())
                .as("another address may use the same port").isEqualTo(8080);
    }

    @Test
    void aSettingGivenWithoutItsValueIsAnErrorWhileASwitchMeansTrue() {
        // It used to read as "true": `--domain --routes-file x` routed www.true.
        assertThatThrownBy(() -> load("--domain", "--routes-file", "x.json"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--domain needs a value (see --help)");
        assertThatThrownBy(() -> load("--listen-port"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--listen-port needs a value");
        assertThatThrownBy(() -> load("--config")).hasMessageContaining("--config needs a value");
        ServerConfig c = load("--strict-mode", "--domain", "example.com", "--routes-file=x.json");
        assertThat(c.strictMode()).isTrue();
        assertThat(c.domain()).isEqualTo("example.com");
        assertThat(load("--strict-mode=false").strictMode()).isFalse();
        assertThat(load("--force-nio", "false").forceNio()).isFalse();
    }

    @Test
    void helpIsRecognisedAndListsEveryKey() {
        assertThat(ConfigLoader.load(new String[] {"--help"}, List.of()).help()).isTrue();
        assertThat(ConfigLoader.load(new String[] {"-h"}, List.of()).help()).isTrue();
        assertThat(ConfigLoader.load(new String[] {"--version"}, List.of()).version()).isTrue();
        assertThat(ConfigLoader.usage()).contains("--version ");
        for (String key : List.of("listen-host", "listen-port", "app-id-port", "app-id-host", "domain", "groups", "worker-threads", "max-connections", "force-nio", "connect-timeout",
                "response-timeout", "client-idle-timeout", "backend-idle-timeout", "max-idle-per-backend",
                "max-initial-line-length", "max-header-size", "default-app", "connect-retries", "write-buffer-low",
                "write-buffer-high", "routes-file", "routes-poll-interval", "marathon-urls", "admin-host", "admin-port",
                "shutdown-grace")) {
            assertThat(ConfigLoader.usage()).containsPattern("--" + key + "[=\\[]");
            assertThat(load("--" + key + "=" + sampleValue(key))).isNotNull();
        }
    }

    private static String sampleValue(String key) {
        if (key.endsWith("timeout") || key.endsWith("interval") || key.endsWith("grace")) {
            return "3s";
        }
        switch (key) {
            case "listen-host":
            case "app-id-host":
            case "admin-host":
                return "127.0.0.1";
            case "domain":
                return "example.com";
            case "groups":
                return "external,edge";
            case "force-nio":
                return "true";
            case "default-app":
                return "/web";
            case "routes-file":
                return "/tmp/apps.json";
            case "marathon-urls":
                return "http://m:8080";
            case "write-buffer-low":
                return "2048";
            case "write-buffer-high":
                return "524288";
            case "connect-retries":
                return "2";
            default:
                return "4096";
        }
    }

    @Test
    void aFileThatDoesNotParseIsReportedWithoutItsLines() throws Exception {
        Path yaml = dir.resolve("broken.yaml");
        Files.writeString(yaml, "listen-port: 8080\nmarathon-urls: \"http://lb:s3cret@m1:8080\n");
        Path json = dir.resolve("broken.json");
        Files.writeString(json, "{\"marathon-urls\": [\"http://lb:s3cret@m1:8080\" \"x\"]}");

        for (Path file : List.of(yaml, json)) {
            assertThatThrownBy(() -> load("--config", file.toString()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("line")
                    .hasMessageNotContaining("s3cret");
        }
    }
}
