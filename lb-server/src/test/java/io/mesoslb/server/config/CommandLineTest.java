package io.mesoslb.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The command line and the config file as one set of settings: help, suggestions, errors reported together. */
class CommandLineTest {
    private static final List<String> COMMAND_LINE_ONLY = List.of("--config", "--help", "--version", "--check");

    @TempDir
    Path dir;

    private final CommandSpec spec = new CommandLine(new Settings()).getCommandSpec();

    @Test
    void anUnknownFlagSuggestsTheNearestAndNeverShowsItsValue() {
        assertThatThrownBy(() -> ConfigLoader.load("--listen-prot=1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown flag '--listen-prot' (did you mean --listen-port?)");
        // A password given under a mistyped name is still a password.
        assertThatThrownBy(() -> ConfigLoader.load("--marathon-pasword=s3cret"))
                .hasMessageContaining("did you mean --marathon-password?").hasMessageNotContaining("s3cret");
    }

    @Test
    void aMissingValueIsAnErrorNamingTheFlag() {
        assertThatThrownBy(() -> ConfigLoader.load("--domain", "--routes-file", "apps.json"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--domain needs a value");
        assertThatThrownBy(() -> ConfigLoader.load("--routes-file=apps.json", "--drain-period"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--drain-period needs a value");
    }

    @Test
    void everyProblemOfTheFileAndTheCommandLineIsReportedInOneError() throws Exception {
        Path file = dir.resolve("lb.yaml");
        Files.writeString(file, String.join("\n",
                "listen-prot: 8080",
                "connect-timeout: 5",
                "admin-port: 70000",
                "worker-threads: many",
                "domain: [a, b]",
                "marathon-password: s3cret",
                ""));

        assertThatThrownBy(() -> ConfigLoader.load("--config", file.toString(), "--https-port=x",
                "--max-header-size=1", "--drian-period=1s", "--shutdown-grace"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config file " + file + ": unknown setting 'listen-prot' (did you mean listen-port?)")
                .hasMessageContaining("connect-timeout: '5' needs a unit")
                .hasMessageContaining("admin-port must be between -1 and 65535, got 70000")
                .hasMessageContaining("config file " + file + ": worker-threads: 'many' is not an int")
                .hasMessageContaining("config file " + file + ": setting 'domain' takes one value, not a list")
                .hasMessageContaining("--shutdown-grace needs a value")
                .hasMessageContaining("https-port: 'x' is not an int")
                .hasMessageContaining("max-header-size must be between 1024")
                .hasMessageContaining("unknown flag '--drian-period' (did you mean --drain-period?)")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void theCommandLineOverridesTheFileKeyByKey() throws Exception {
        Path file = dir.resolve("lb.json");
        Files.writeString(file, "{\"listen-port\": 9000, \"admin-allow\": [\"10.0.0.0/8\", \"10.1.0.0/16\"],"
                + " \"strict-mode\": true}");
        ServerConfig c = ConfigLoader.load("--config", file.toString(), "--admin-allow=192.168.0.0/16",
                "--strict-mode=false");
        assertThat(c.listenPort()).isEqualTo(9000);
        assertThat(c.ops().adminAllow().cidrs()).hasSize(1);
        assertThat(c.strictMode()).isFalse();
    }

    /**
     * The settings are sections of picocli options, and picocli starts a section afresh (every key at
     * its default) at a key it has already seen: {@code --access-log} twice put {@code admin-port} given
     * before it back to 9090. A key given again counts once, with its last value; a list's values add up.
     */
    @Test
    void aKeyGivenTwiceCountsOnceWithItsLastValueAndLeavesTheRestOfItsSectionAlone() {
        String[] args = {"--admin-port", "-1", "--admin-allow=10.0.0.0/8", "--health-path=/up",
                "--access-log=false", "--access-log=true", "--admin-allow=192.168.0.0/16",
                "--listen-host=127.0.0.2", "--listen-port=1", "--listen-port", "2", "--strict-mode", "--strict-mode=false"};
        ServerConfig c = ConfigLoader.load(args);
        assertThat(c.adminPort()).isEqualTo(-1);
        assertThat(c.ops().accessLog()).isTrue();
        assertThat(c.ops().healthPath()).isEqualTo("/up");
        assertThat(c.ops().adminAllow().cidrs()).hasSize(2);
        assertThat(c.listenHost()).isEqualTo("127.0.0.2");
        assertThat(c.listenPort()).isEqualTo(2);
        assertThat(c.strictMode()).isFalse();

        // Under a program's own base settings (the demo's) as well.
        ServerConfig demo = ConfigLoader.load(new String[] {"--access-log=false", "--access-log=true"},
                List.of("--admin-port=-1", "--listen-port=18080")).config();
        assertThat(demo.adminPort()).isEqualTo(-1);
        assertThat(demo.listenPort()).isEqualTo(18080);
        assertThat(demo.ops().accessLog()).isTrue();
    }

    @Test
    void theHelpListsEveryKeyOnceWithItsDefault() {
        String help = ConfigLoader.usage();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            Matcher m = Pattern.compile("(?m)^\\s+(-h, )?" + Pattern.quote(name) + "[=\\[ \\n]").matcher(help);
            assertThat(m.find()).as(name + " listed").isTrue();
            assertThat(m.find()).as(name + " listed once").isFalse();
            if (COMMAND_LINE_ONLY.contains(name)) {
                continue;
            }
            String text = String.join(" ", option.description());
            assertThat(text).as(name + " says its default").containsOnlyOnce("(default: ");
            Object initial = option.initialValue();
            boolean none = initial == null || initial instanceof List<?> l && l.isEmpty();
            if (!none && !name.equals("--worker-threads")) {
                assertThat(block(help, name).replaceAll("\\s+", " ")).as(name + " shows the default the code uses")
                        .contains("(default: " + initial + ")");
            }
        }
    }

    @Test
    void everyFileKeyIsAFlagAndEveryFlagAFileKey() throws Exception {
        List<String> flags = new ArrayList<>();
        spec.options().forEach(o -> flags.add(o.longestName()));
        flags.removeAll(COMMAND_LINE_ONLY);
        assertThat(Settings.fileKeys(spec)).containsExactlyElementsOf(flags.stream().map(f -> f.substring(2)).toList());

        // The same value reads the same from either, or fails the same way.
        for (String key : Settings.fileKeys(spec)) {
            OptionSpec option = spec.findOption("--" + key);
            String sample = option.type() == Boolean.class ? "true" : option.type() == String.class ? "x" : "7";
            if (key.equals("tls-certificates")) {
                sample = "/no/cert.pem:/no/key.pem:a.example";
            }
            Path file = dir.resolve(key + ".yaml");
            Files.writeString(file, key + ": '" + sample + "'\n");
            assertThat(outcome("--config", file.toString())).as(key).isEqualTo(outcome("--" + key + "=" + sample));
        }
    }

    private static String outcome(String... args) {
        try {
            return ConfigLoader.load(args).toString();
        } catch (ConfigException e) {
            return e.getMessage().replaceAll("config file [^:]*: ", "");
        }
    }

    /** The option's lines of the help: its own up to the next option's. */
    private static String block(String help, String name) {
        int start = help.indexOf("  " + name);
        int next = help.indexOf("\n      --", start + 1);
        return help.substring(start, next < 0 ? help.length() : next);
    }
}
