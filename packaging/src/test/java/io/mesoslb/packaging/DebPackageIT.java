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
        assertThat(control).contains("Package: mesos-lb\n", "Architecture: all\n", "Section: net\n",
                "Priority: optional\n", "Maintainer: mesos-lb maintainers <maintainers@mesos-lb.io>\n",
                "Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser\n",
                "Description: HTTP load balancer for Mesos and Marathon\n");
        assertThat(control).containsPattern("(?m)^Installed-Size: \\d+$");
        String version = Tools.ok(root, "dpkg-deb", "-f", deb.toString(), "Version").output().strip();
        assertThat(deb.getFileName().toString()).isEqualTo("mesos-lb_" + version + "_all.deb");

        Tools.ok(root, "dpkg-deb", "-e", deb.toString(), ctrl.toString());
        assertThat(Files.readAllLines(ctrl.resolve("conffiles")))
                .containsExactlyInAnyOrder("/etc/mesos-lb/mesos-lb.yaml", "/etc/default/mesos-lb");
        assertThat(Files.readString(ctrl.resolve("postinst"))).contains("adduser --system --group",
                "deb-systemd-helper enable mesos-lb.service", "deb-systemd-invoke try-restart mesos-lb.service",
                "/usr/share/mesos-lb/make-class-archive || true");
        // A JVM package's files under /usr/lib/jvm make the class archive again (postinst's "triggered").
        assertThat(Files.readAllLines(ctrl.resolve("triggers"))).contains("interest-noawait /usr/lib/jvm");
        assertThat(Files.readString(ctrl.resolve("postrm"))).contains("rm -rf /var/cache/mesos-lb");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(Files.isExecutable(ctrl.resolve(script))).as(script).isTrue();
            Tools.ok(root, "sh", "-n", ctrl.resolve(script).toString());
            // Debian policy: units are enabled, started and stopped through deb-systemd-helper and
            // deb-systemd-invoke (which honour the administrator's choices and policy-rc.d), never systemctl.
            assertThat(Files.readAllLines(ctrl.resolve(script))).as(script)
                    .filteredOn(l -> l.contains("systemctl") && !l.strip().startsWith("#"))
                    .allMatch(l -> l.contains("systemctl --system daemon-reload"));
        }
    }

    @Test
    void filesAreWhereTheyShouldBe() throws Exception {
        Map<String, String> modes = new LinkedHashMap<>();
        modes.put("usr/share/mesos-lb/mesos-lb.jar", "rw-r--r--");
        modes.put("usr/bin/mesos-lb", "rwxr-xr-x");
        modes.put("usr/share/mesos-lb/make-class-archive", "rwxr-xr-x");
        modes.put("etc/mesos-lb/mesos-lb.yaml", "rw-r--r--");
        modes.put("etc/default/mesos-lb", "rw-r--r--");
        modes.put("lib/systemd/system/mesos-lb.service", "rw-r--r--");
        modes.put("usr/share/doc/mesos-lb/README.md", "rw-r--r--");
        modes.put("usr/share/doc/mesos-lb/changelog.gz", "rw-r--r--");
        modes.put("usr/share/doc/mesos-lb/copyright", "rw-r--r--");
        modes.put("usr/share/man/man1/mesos-lb.1.gz", "rw-r--r--");
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
        for (String script : List.of("usr/bin/mesos-lb", "usr/share/mesos-lb/make-class-archive")) {
            assertThat(Files.readAllLines(root.resolve(script)).get(0)).as(script).isEqualTo("#!/bin/sh");
            Tools.ok(root, "sh", "-n", root.resolve(script).toString());
        }
        assertThat(Files.readString(root.resolve("etc/default/mesos-lb"))).contains("\nMESOS_LB_HEAP=512m\n");
        // The shipped configuration loads.
        ServerConfig config = ConfigLoader.load("--config", root.resolve("etc/mesos-lb/mesos-lb.yaml").toString());
        assertThat(config.listenPort()).isEqualTo(80);
        assertThat(config.adminPort()).isEqualTo(9090);
    }

    /** Debian policy 12.7: a native package's changelog, gzipped, its newest entry the package's version. */
    @Test
    void changelogIsGzippedAndItsNewestEntryIsThePackagesVersion() throws Exception {
        byte[] gz = Files.readAllBytes(root.resolve("usr/share/doc/mesos-lb/changelog.gz"));
        // gzip -9n: no name and no time in the header, so that every build gives the same bytes.
        assertThat(gz[3] & 0x08).as("FNAME flag").isZero();
        assertThat(gz[4] | gz[5] | gz[6] | gz[7]).as("MTIME").isZero();
        List<String> lines = gunzip(gz).lines().toList();
        String version = Tools.ok(root, "dpkg-deb", "-f", Tools.deb().toString(), "Version").output().strip();
        assertThat(lines.get(0)).matches("mesos-lb \\(" + Pattern.quote(version) + "\\) [A-Za-z-]+; urgency=\\w+");
        assertThat(lines).anyMatch(l -> l.matches(
                " -- mesos-lb maintainers <maintainers@mesos-lb\\.io>  \\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}"));
        assertThat(lines).filteredOn(l -> l.startsWith("  ")).as("change lines of at most 80 characters")
                .allMatch(l -> l.length() <= 80);
        Path parse = Tools.onPath("dpkg-parsechangelog");
        if (parse != null) {
            Path plain = Files.writeString(root.resolve("changelog"), String.join("\n", lines) + "\n");
            assertThat(Tools.ok(root, parse.toString(), "-l", plain.toString(), "-S", "Version").output().strip())
                    .isEqualTo(version);
            Files.delete(plain);
        }
        assertThat(gunzip(Files.readAllBytes(root.resolve("usr/share/man/man1/mesos-lb.1.gz"))))
                .startsWith(".TH MESOS-LB 1 ");
    }

    /**
     * Debian policy 12.5: a machine-readable copyright file, in which every class of the jar that is not mesos-lb's
     * falls under a paragraph of its library (so a new dependency cannot ship unlisted), and every license named
     * has its text.
     */
    @Test
    void copyrightNamesTheLicenseOfEveryBundledLibrary() throws Exception {
        String copyright = Files.readString(root.resolve("usr/share/doc/mesos-lb/copyright"));
        List<Map<String, String>> paragraphs = paragraphs(copyright);
        assertThat(paragraphs.get(0)).containsEntry("Format",
                "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
                .containsEntry("Upstream-Name", "mesos-lb");
        List<Map<String, String>> files = paragraphs.stream().filter(p -> p.containsKey("Files")).toList();
        assertThat(files.get(0)).as("the first Files paragraph, mesos-lb's own").containsEntry("Files", "*");
        java.util.Set<String> texts = new java.util.HashSet<>();
        paragraphs.stream().filter(p -> !p.containsKey("Files") && p.containsKey("License"))
                .forEach(p -> texts.add(p.get("License").lines().findFirst().orElseThrow().strip()));
        for (Map<String, String> f : files) {
            for (String name : f.get("License").strip().split("\\s+(or|and)\\s+")) {
                assertThat(texts).as("a License paragraph with the text of %s", name).contains(name);
            }
        }
        List<String> unlisted = new java.util.ArrayList<>();
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(root.resolve("usr/share/mesos-lb/mesos-lb.jar").toFile())) {
            jar.stream().filter(e -> !e.isDirectory()).map(e -> e.getName().replaceFirst("^META-INF/versions/\\d+/", ""))
                    .filter(n -> !n.startsWith("META-INF/") || n.startsWith("META-INF/native/"))
                    .filter(n -> !n.startsWith("io/mesoslb/") && !n.equals("logback.xml"))
                    .filter(n -> lastMatching(files, n) == files.get(0))
                    .map(n -> n.replaceFirst("/[^/]*$", "/")).distinct().forEach(unlisted::add);
        }
        assertThat(unlisted).as("jar directories that no Files paragraph of a library covers").isEmpty();
        assertThat(lastMatching(files, "ch/qos/logback/core/Appender.class")).containsEntry("License",
                "EPL-2.0 or LGPL-2.1");
        assertThat(lastMatching(files, "org/slf4j/Logger.class")).containsEntry("License", "Expat");
    }

    /**
     * Debian's package checker, where it is installed ({@code apt-get install lintian}): no error or warning. CI does
     * not install it (it brings a Perl stack and takes half a minute), so there it is skipped; the tests above check
     * what it found missing before (changelog, copyright, maintainer address, man page, deb-systemd-helper).
     */
    @Test
    void lintianHasNoErrorOrWarning() throws Exception {
        Path lintian = Tools.onPath("lintian");
        assumeTrue(lintian != null, "lintian not installed: package not linted");
        Tools.Result r = Tools.run(root, lintian.toString(), "--fail-on", "error,warning", Tools.deb().toString());
        assertThat(r.exit()).as("lintian: %s", r.output()).isZero();
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
                .containsEntry("LogsDirectory", "mesos-lb")
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

    /** The installed launcher's settings, pointing into the unpacked tree; no class archive. */
    private static Map<String, String> launcherEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JAVA", Tools.currentJava().toString());
        env.put("MESOS_LB_DEFAULTS", root.resolve("etc/default/mesos-lb").toString());
        env.put("MESOS_LB_JAR", root.resolve("usr/share/mesos-lb/mesos-lb.jar").toString());
        env.put("MESOS_LB_CLASS_ARCHIVE", "");
        return env;
    }

    /**
     * The class archive (AppCDS): make-class-archive's training run, through the installed launcher, makes one that
     * the launcher hands the JVM (with -Xshare:on a JVM that cannot map it does not start, so the routed request
     * shows it is used). One the JVM refuses (the jar is another one now) and one that cannot be made (no Java)
     * leave the service starting as it did without.
     */
    @Test
    void classArchiveIsMadeForTheInstalledJarUsedAndNeverStopsAStart(@TempDir Path work) throws Exception {
        Path archive = work.resolve("cache/mesos-lb.jsa");
        Map<String, String> env = launcherEnv();
        env.put("MESOS_LB_CLASS_ARCHIVE", archive.toString());
        env.put("MESOS_LB_LAUNCHER", root.resolve("usr/bin/mesos-lb").toString());
        Path make = root.resolve("usr/share/mesos-lb/make-class-archive");
        Tools.Result made = Tools.run(work, env, make.toString());
        assertThat(made.exit()).as(made.output()).isZero();
        assertThat(archive).as("made; %s", made.output()).isRegularFile();
        try (var left = Files.list(archive.getParent())) {
            assertThat(left).as("the training's file and log, once moved or removed").containsExactly(archive);
        }

        env.put("MESOS_LB_JAVA_OPTS", "-Xshare:on");
        try (LauncherRun run = new LauncherRun(root.resolve("usr/bin/mesos-lb"), env, work, true)) {
            run.awaitFirstRoutedRequest();
            assertThat(run.jvmArguments()).contains("-XX:SharedArchiveFile=" + archive);
            run.sigtermAndAwaitExitZero();
        }

        Path otherJar = Files.copy(root.resolve("usr/share/mesos-lb/mesos-lb.jar"), work.resolve("mesos-lb.jar"));
        env.put("MESOS_LB_JAR", otherJar.toString());
        env.remove("MESOS_LB_JAVA_OPTS");
        try (LauncherRun run = new LauncherRun(root.resolve("usr/bin/mesos-lb"), env, work, true)) {
            run.awaitFirstRoutedRequest();
            assertThat(run.output()).as("refused by the JVM, which says so").contains("Unable to use shared archive");
            run.sigtermAndAwaitExitZero();
        }

        env.put("JAVA", "/bin/false");
        Tools.Result failed = Tools.run(work, env, make.toString());
        assertThat(failed.exit()).as("never fails the install").isZero();
        assertThat(failed.output()).contains("no class archive made");
        assertThat(archive).as("one that no longer fits is removed too").doesNotExist();
    }

    /**
     * Transparent huge pages: the launcher asks the JVM for them where the kernel's mode offers them ([always] or
     * [madvise]), not where it is [never] (the JVM would only warn) or the file is missing, and not with
     * MESOS_LB_TRANSPARENT_HUGE_PAGES=off; a -XX:-UseTransparentHugePages in MESOS_LB_JAVA_OPTS comes after it and
     * wins. A stand-in java prints the command line the launcher exec'd, one argument a line.
     */
    @Test
    void launcherAsksForTransparentHugePagesWhereTheKernelOffersThem(@TempDir Path work) throws Exception {
        Path java = Files.writeString(work.resolve("java"), "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mode = work.resolve("enabled");
        Map<String, String> env = launcherEnv();
        env.put("JAVA", java.toString());
        env.put("MESOS_LB_THP_MODE_FILE", mode.toString());
        String flag = "-XX:+UseTransparentHugePages";
        Path launcher = root.resolve("usr/bin/mesos-lb");

        Files.writeString(mode, "always [madvise] never\n");
        assertThat(jvmArguments(work, env, launcher)).as("madvise").contains(flag);
        Files.writeString(mode, "[always] madvise never\n");
        assertThat(jvmArguments(work, env, launcher)).as("always").contains(flag);
        Files.writeString(mode, "always madvise [never]\n");
        assertThat(jvmArguments(work, env, launcher)).as("never").doesNotContain(flag);
        Files.delete(mode);
        assertThat(jvmArguments(work, env, launcher)).as("no such file").doesNotContain(flag);

        Files.writeString(mode, "always [madvise] never\n");
        env.put("MESOS_LB_TRANSPARENT_HUGE_PAGES", "off");
        assertThat(jvmArguments(work, env, launcher)).as("turned off").doesNotContain(flag);
        env.remove("MESOS_LB_TRANSPARENT_HUGE_PAGES");
        env.put("MESOS_LB_JAVA_OPTS", "-XX:-UseTransparentHugePages");
        List<String> args = jvmArguments(work, env, launcher);
        assertThat(args.indexOf("-XX:-UseTransparentHugePages")).as("MESOS_LB_JAVA_OPTS after it: %s", args)
                .isGreaterThan(args.indexOf(flag)).isGreaterThan(-1);
        assertThat(args.indexOf(flag)).as("asked for: %s", args).isNotNegative();
    }

    /** What the launcher hands {@code JAVA}, a stand-in that prints its arguments. */
    private static List<String> jvmArguments(Path dir, Map<String, String> env, Path launcher) throws Exception {
        Tools.Result r = Tools.run(dir, env, launcher.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        return r.output().lines().toList();
    }

    @Test
    void installedLauncherRoutesAFirstRequestAndDrainsOnSigterm(@TempDir Path work) throws Exception {
        Map<String, String> env = launcherEnv();
        // A Logback configuration of the operator's own, as the README says: MESOS_LB_JAVA_OPTS (of
        // /etc/default/mesos-lb) names it; the access log goes to a file of its own.
        Path accessLog = work.resolve("access.log");
        Path logback = Files.writeString(work.resolve("logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>operator's own: %msg%n</pattern></encoder>
                  </appender>
                  <appender name="ACCESS_FILE" class="ch.qos.logback.core.FileAppender">
                    <file>ACCESS_LOG</file>
                    <encoder><pattern>%msg%n</pattern></encoder>
                  </appender>
                  <logger name="mesos-lb.access" level="INFO" additivity="false">
                    <appender-ref ref="ACCESS_FILE"/>
                  </logger>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """.replace("ACCESS_LOG", accessLog.toString()));
        env.put("MESOS_LB_JAVA_OPTS", "-Dlogback.configurationFile=" + logback);
        try (LauncherRun run = new LauncherRun(root.resolve("usr/bin/mesos-lb"), env, work, true)) {
            run.awaitFirstRoutedRequest();
            assertThat(run.admin("/health")).isEqualTo(200);
            assertThat(run.output()).as("the application log, through the operator's configuration")
                    .contains("operator's own: mesos-lb proxy listening on");
            io.mesoslb.testkit.Await.until(LauncherRun.WAIT, () -> read(accessLog).contains("\"GET / HTTP/1.1\" 200 "),
                    "the routed request in " + accessLog);
            assertThat(Files.readString(accessLog)).contains("\"app.test.local\"");
            // The launcher exec'd the JVM with the measured flags and the heap from /etc/default/mesos-lb.
            assertThat(run.jvmArguments()).contains("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC",
                    "-XX:+AlwaysPreTouch", "-XX:MaxTenuringThreshold=1", "-XX:MetaspaceSize=64m", "-jar",
                    root.resolve("usr/share/mesos-lb/mesos-lb.jar").toString(), "--config",
                    "-Dlogback.configurationFile=" + logback);
            run.sigtermAndAwaitExitZero();
        }
    }

    /** The file's text, empty while it does not exist. */
    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String gunzip(byte[] gz) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** The paragraphs of a deb822 file, each field's continuation lines joined to it with newlines. */
    private static List<Map<String, String>> paragraphs(String deb822) {
        List<Map<String, String>> out = new java.util.ArrayList<>();
        for (String block : deb822.split("\n\\s*\n")) {
            Map<String, String> fields = new LinkedHashMap<>();
            String last = null;
            for (String line : block.split("\n")) {
                if (line.startsWith(" ") && last != null) {
                    fields.merge(last, "\n" + line.strip(), String::concat);
                } else if (!line.isBlank()) {
                    int colon = line.indexOf(':');
                    last = line.substring(0, colon);
                    fields.put(last, line.substring(colon + 1).strip());
                }
            }
            out.add(fields);
        }
        return out;
    }

    /** The last Files paragraph with a pattern matching {@code path} (DEP-5: the last match wins). */
    private static Map<String, String> lastMatching(List<Map<String, String>> files, String path) {
        Map<String, String> match = null;
        for (Map<String, String> f : files) {
            for (String pattern : f.get("Files").split("\\s+")) {
                String regex = Pattern.quote(pattern).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
                if (path.matches(regex)) {
                    match = f;
                }
            }
        }
        return match;
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
