package io.mesoslb.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mesoslb.server.config.ConfigLoader;
import io.mesoslb.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the built .deb into a throwaway root with {@code dpkg -x} (no root needed, nothing touches the system),
 * checks what lands where, verifies the systemd unit, and runs the installed launcher to a first routed request.
 */
class DebPackageIT {
    @TempDir
    static Path root;

    @BeforeAll
    static void install() throws Exception {
        Path deb = Tools.deb();
        assertThat(Tools.onPath("dpkg")).as("dpkg (Debian's own tool)").isNotNull();
        Tools.ok(root, "dpkg", "-x", deb.toString(), root.toString());
    }

    @Test
    void controlFieldsAndMaintainerScripts(@TempDir Path ctrl) throws Exception {
        Path deb = Tools.deb();
        String control = Tools.ok(root, "dpkg-deb", "-f", deb.toString()).output();
        assertThat(control).contains("Package: mesos-lb\n", "Architecture: all\n",
                "Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser\n");
        String version = Tools.ok(root, "dpkg-deb", "-f", deb.toString(), "Version").output().strip();
        assertThat(deb.getFileName().toString()).isEqualTo("mesos-lb_" + version + "_all.deb");

        Tools.ok(root, "dpkg-deb", "-e", deb.toString(), ctrl.toString());
        assertThat(Files.readAllLines(ctrl.resolve("conffiles")))
                .containsExactlyInAnyOrder("/etc/mesos-lb/mesos-lb.yaml", "/etc/default/mesos-lb");
        assertThat(Files.readString(ctrl.resolve("postinst"))).contains("adduser --system --group");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(Files.isExecutable(ctrl.resolve(script))).as(script).isTrue();
            Tools.ok(root, "sh", "-n", ctrl.resolve(script).toString());
        }
    }

    @Test
    void filesAreWhereTheyShouldBe() throws Exception {
        Map<String, String> modes = new LinkedHashMap<>();
        modes.put("usr/share/mesos-lb/mesos-lb.jar", "rw-r--r--");
        modes.put("usr/bin/mesos-lb", "rwxr-xr-x");
        modes.put("etc/mesos-lb/mesos-lb.yaml", "rw-r--r--");
        modes.put("etc/default/mesos-lb", "rw-r--r--");
        modes.put("lib/systemd/system/mesos-lb.service", "rw-r--r--");
        modes.put("usr/share/doc/mesos-lb/README.md", "rw-r--r--");
        modes.forEach((file, mode) -> {
            Path p = root.resolve(file);
            assertThat(p).as(file).isRegularFile();
            try {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(file).isEqualTo(mode);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(Files.size(root.resolve("usr/share/mesos-lb/mesos-lb.jar"))).isEqualTo(Files.size(Tools.shadedJar()));
        // The launcher is POSIX sh (Debian's /bin/sh is dash), parsed as such.
        assertThat(Files.readAllLines(root.resolve("usr/bin/mesos-lb")).get(0)).isEqualTo("#!/bin/sh");
        Tools.ok(root, "sh", "-n", root.resolve("usr/bin/mesos-lb").toString());
        assertThat(Files.readString(root.resolve("etc/default/mesos-lb"))).contains("\nMESOS_LB_HEAP=512m\n");
        // The shipped configuration loads.
        ServerConfig config = ConfigLoader.load("--config", root.resolve("etc/mesos-lb/mesos-lb.yaml").toString());
        assertThat(config.listenPort()).isEqualTo(80);
        assertThat(config.adminPort()).isEqualTo(9090);
    }

    @Test
    void unitHasTheServiceSettings() throws Exception {
        Path unit = root.resolve("lib/systemd/system/mesos-lb.service");
        Map<String, String> service = section(Files.readString(unit), "Service");
        assertThat(service).containsEntry("ExecStart", "/usr/bin/mesos-lb")
                .containsEntry("User", "mesos-lb")
                .containsEntry("AmbientCapabilities", "CAP_NET_BIND_SERVICE")
                .containsEntry("Restart", "on-failure")
                .containsEntry("KillSignal", "SIGTERM")
                .containsEntry("StandardOutput", "journal")
                .containsKey("LimitNOFILE");
        assertThat(service.get("ExecStart")).as("what the package installs")
                .satisfies(exec -> assertThat(root.resolve(exec.substring(1))).isExecutable());
        // The drain must finish before systemd's SIGKILL: TimeoutStopSec above the shipped config's
        // drain-period + shutdown-grace.
        ServerConfig config = ConfigLoader.load("--config", root.resolve("etc/mesos-lb/mesos-lb.yaml").toString());
        Duration drain = config.ops().drainPeriod().plus(config.shutdownGrace());
        assertThat(seconds(service.get("TimeoutStopSec"))).as("TimeoutStopSec vs drain-period + shutdown-grace")
                .isGreaterThan(drain);
    }

    /**
     * {@code systemd-analyze verify --root}: the unit parses with no warning and its ExecStart exists and is
     * executable in the installed tree. The root gets the host's targets and slices (the unit's implicit
     * dependencies) copied in. Whether the tool can work here at all is told apart from a bad unit by verifying a
     * known-good unit first: a tool that cannot run skips the test, except under CI=true, where .ci/run installs
     * Debian's systemd and the test must run.
     */
    @Test
    void unitPassesSystemdAnalyzeVerify() throws Exception {
        Path tool = Tools.onPath("systemd-analyze");
        if (tool == null) {
            if (Tools.CI) {
                fail("systemd-analyze is missing under CI=true: .ci/run installs Debian's systemd package for it");
            }
            assumeTrue(false, "systemd-analyze not installed (apt-get install systemd): unit not verified");
        }
        Path units = root.resolve("lib/systemd/system");
        try (var host = Files.list(Path.of("/lib/systemd/system"))) {
            for (Path p : host.filter(p -> p.toString().endsWith(".target") || p.toString().endsWith(".slice"))
                    .toList()) {
                Path to = units.resolve(p.getFileName().toString());
                if (!Files.exists(to) && Files.isRegularFile(p)) {
                    Files.copy(p, to);
                }
            }
        }
        Path control = units.resolve("mesos-lb-control.service");
        Files.writeString(control, "[Unit]\nDescription=known good\n\n[Service]\nType=exec\n"
                + "ExecStart=/usr/bin/mesos-lb\n\n[Install]\nWantedBy=multi-user.target\n");
        Tools.Result good = Tools.run(root, tool.toString(), "verify", "--root=" + root, "mesos-lb-control.service");
        Files.delete(control);
        if (good.exit() != 0 || !good.output().isBlank()) {
            String why = "systemd-analyze cannot verify units here (a known-good unit failed: " + good.output().strip()
                    + ")";
            if (Tools.CI) {
                fail(why);
            }
            assumeTrue(false, why);
        }
        Tools.Result r = Tools.run(root, tool.toString(), "verify", "--root=" + root, "mesos-lb.service");
        assertThat(r.output()).as("systemd-analyze verify's complaints").isBlank();
        assertThat(r.exit()).as("systemd-analyze verify: %s", r.output()).isZero();
    }

    @Test
    void installedLauncherRoutesAFirstRequestAndDrainsOnSigterm(@TempDir Path work) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA", Tools.currentJava().toString());
        env.put("MESOS_LB_DEFAULTS", root.resolve("etc/default/mesos-lb").toString());
        env.put("MESOS_LB_JAR", root.resolve("usr/share/mesos-lb/mesos-lb.jar").toString());
        try (LauncherRun run = new LauncherRun(root.resolve("usr/bin/mesos-lb"), env, work, true)) {
            run.awaitFirstRoutedRequest();
            assertThat(run.admin("/health")).isEqualTo(200);
            // The launcher exec'd the JVM with the measured flags and the heap from /etc/default/mesos-lb.
            assertThat(run.jvmArguments()).contains("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC",
                    "-XX:+AlwaysPreTouch", "-XX:MaxTenuringThreshold=1", "-XX:MetaspaceSize=64m", "-jar",
                    root.resolve("usr/share/mesos-lb/mesos-lb.jar").toString(), "--config");
            run.sigtermAndAwaitExitZero();
        }
    }

    private static Map<String, String> section(String unit, String name) {
        Map<String, String> out = new LinkedHashMap<>();
        boolean in = false;
        for (String line : unit.split("\n")) {
            String l = line.strip();
            if (l.startsWith("[")) {
                in = l.equals("[" + name + "]");
            } else if (in && !l.isEmpty() && !l.startsWith("#")) {
                int eq = l.indexOf('=');
                out.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return out;
    }

    private static Duration seconds(String systemdTime) {
        Matcher m = Pattern.compile("(\\d+)(s|min)?").matcher(systemdTime);
        assertThat(m.matches()).as("a time in s or min: %s", systemdTime).isTrue();
        long n = Long.parseLong(m.group(1));
        return "min".equals(m.group(2)) ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
    }
}
