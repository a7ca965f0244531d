package io.mesoslb.server.config;

import io.mesoslb.server.config.DiscoverySection.Discovery;
import io.mesoslb.server.config.ListenerSection.Listener;
import io.mesoslb.server.config.OpsSection.Operations;
import io.mesoslb.server.config.RoutingSection.Routing;
import io.mesoslb.server.proxy.ProxySettings;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Every setting, as given: the sections, each owning its keys, defaults, help and validation, and
 * the options that only the command line has. Picocli fills it from the command line (and from the
 * config file, written as flags by {@link ConfigFile}); {@link ServerConfig.Builder} fills it in code.
 * Picocli replaces a section whose option it meets with a new instance, so read the fields when needed;
 * and it meets a key again as the start of a new instance of its section, all at defaults, which is
 * why {@link ConfigLoader} hands it each key once.
 */
@Command(name = "mesos-lb", sortOptions = false, usageHelpWidth = 110, abbreviateSynopsis = true,
        customSynopsis = "java -jar mesos-lb.jar [--config <file.yaml|file.yml|file.json>] [--<key>=<value> ...]",
        synopsisHeading = "Usage: ",
        description = {"", "Every key can be set in the config file (kebab-case) and overridden by a flag of the same name.",
                "A flag given more than once counts once, with its last value; a list's values add up.",
                "Durations take a unit: 500ms, 5s, 2m, 1h (or ISO-8601 such as PT5S). Switches given bare mean true.", ""})
final class Settings {
    @Option(names = "--config", paramLabel = "<file>", description = "a YAML (.yaml, .yml) or JSON (.json) file of settings")
    String configFile;

    @Option(names = {"--help", "-h"}, usageHelp = true, description = "print this help and exit")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "print the version and exit")
    boolean version;

    @Option(names = "--check", description = "check the configuration (file and flags) and the route source, "
            + "say what it would run, and exit: 0 when valid, 2 with every problem listed")
    boolean check;

    @ArgGroup(validate = false, heading = "%nListener:%n", order = 1)
    ListenerSection listener = new ListenerSection();

    @ArgGroup(validate = false, heading = "%nRouting:%n", order = 2)
    RoutingSection routing = new RoutingSection();

    @ArgGroup(validate = false, heading = "%nService ports (TCP and HTTP, as marathon-lb):%n", order = 3)
    ServicePortSection servicePorts = new ServicePortSection();

    @ArgGroup(validate = false, heading = "%nDiscovery (a routes file or Marathon):%n", order = 4)
    DiscoverySection discovery = new DiscoverySection();

    @ArgGroup(validate = false, heading = "%nProxy (backend and client timeouts, request limits):%n", order = 5)
    ProxySection proxy = new ProxySection();

    @ArgGroup(validate = false, heading = "%nHTTP/2 (from clients):%n", order = 6)
    Http2Section http2 = new Http2Section();

    @ArgGroup(validate = false, heading = "%nPassive health (outlier ejection):%n", order = 7)
    OutlierSection outlier = new OutlierSection();

    @ArgGroup(validate = false, heading = "%nOperations (health checks, draining, access log, client address, admin):%n",
            order = 8)
    OpsSection ops = new OpsSection();

    @ArgGroup(validate = false, heading = "%nTLS:%n", order = 9)
    TlsSection tls = new TlsSection();

    /** True for a key a config file may set: a section's, not --config, --help or a program's own. */
    static boolean isFileKey(CommandSpec spec, String key) {
        OptionSpec option = spec.findOption("--" + key);
        return option != null && option.group() != null && key.equals(option.longestName().substring(2));
    }

    /** The keys a config file may set, in help order. */
    static List<String> fileKeys(CommandSpec spec) {
        List<String> keys = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (isFileKey(spec, o.longestName().substring(2))) {
                keys.add(o.longestName().substring(2));
            }
        }
        return keys;
    }

    /** Validates every section and assembles the configuration; {@code p} gets every problem found. */
    ServerConfig validate(ConfigProblems p) {
        Listener l = listener.validate(p);
        Routing r = routing.validate(p);
        Discovery d = discovery.validate(p);
        ProxySettings proxySettings = proxy.validate(p, r.defaultApp());
        Operations o = ops.validate(p, tls.validate(p));
        return new ServerConfig(l.host(), l.port(), l.appIdHost(), l.appIdPort(), r.domain(), r.groups(),
                r.strictMode(), r.exposedByDefault(), l.workers(), l.maxConnections(), l.forceNio(), proxySettings,
                d.routesFile(), d.routesPollInterval(), d.marathonUrls(), d.marathon(), o.adminHost(), o.adminPort(),
                o.shutdownGrace(), outlier.validate(p), o.ops(), servicePorts.validate(p, l.host()), http2.validate(p));
    }
}
