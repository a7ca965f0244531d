package io.mesoslb.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Reads the configuration from the command line and the config file it names: defaults, then a
 * caller's base settings (the demo's), then the file, then the flags, each later one winning key by
 * key. Every problem of every layer, and of the resulting settings, is reported in one exception.
 */
public final class ConfigLoader {
    /**
     * What the command line asked for: the help, the version, or to run with {@code config} (or,
     * with {@code check}, only to see that it is valid).
     */
    public record Request(boolean help, boolean version, ServerConfig config, boolean check) {
    }

    private ConfigLoader() {
    }

    /** The configuration of {@code args}; for tests and tools that never ask for help. */
    public static ServerConfig load(String... args) {
        return load(args, List.of()).config();
    }

    /**
     * @param base         settings under the file's and the flags', written as flags ({@code --domain=x})
     * @param extraOptions objects with picocli {@code @Option}s of a program's own (the demo's), parsed
     *                     from the command line and listed in the help
     * @throws ConfigException listing every problem
     */
    public static Request load(String[] args, List<String> base, Object... extraOptions) {
        ConfigProblems p = new ConfigProblems();
        Settings flags = new Settings();
        CommandLine cli = commandLine(flags, extraOptions);
        Suggestions suggest = new Suggestions(cli.getCommandSpec());
        ParseResult parsed = cli.parseArgs(args);
        if (flags.help || flags.version) {
            return new Request(flags.help, flags.version, null, false);
        }
        FlagErrors.describe(parsed.errors(), "", suggest, p);
        List<String> file = List.of();
        if (flags.configFile != null) {
            ConfigFile configFile = new ConfigFile(Path.of(flags.configFile));
            file = configFile.asFlags(cli.getCommandSpec(), suggest, p);
            // The file's values get the flags' parsing and checks; its errors are named by the file.
            CommandLine check = commandLine(new Settings());
            FlagErrors.describe(check.parseArgs(file.toArray(String[]::new)).errors(), configFile.where(), suggest, p);
        }
        Set<String> onCommandLine = new HashSet<>();
        for (OptionSpec o : parsed.matchedOptions()) {
            onCommandLine.add(o.longestName());
        }
        Set<String> inFile = keys(file);
        List<String> layers = new ArrayList<>();
        base.stream().filter(f -> !inFile.contains(key(f)) && !onCommandLine.contains(key(f))).forEach(layers::add);
        file.stream().filter(f -> !onCommandLine.contains(key(f))).forEach(layers::add);
        layers.addAll(eachKeyOnce(parsed));
        // Parsed in one go, each key now comes from one layer only: a list on the command line replaces the file's.
        Settings merged = new Settings();
        commandLine(merged, extraOptions).parseArgs(layers.toArray(String[]::new));
        ServerConfig config = merged.validate(p);
        p.throwIfAny();
        return new Request(false, false, config, merged.check);
    }

    /** The generated {@code --help} text, the extra options included. */
    public static String usage(Object... extraOptions) {
        return commandLine(new Settings(), extraOptions).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static CommandLine commandLine(Settings settings, Object... extraOptions) {
        CommandLine cl = new CommandLine(settings);
        for (Object extra : extraOptions) {
            cl.addMixin(extra.getClass().getSimpleName(), extra);
        }
        cl.getCommandSpec().parser().collectErrors(true);
        // A key given twice: the last one counts, as in the file-then-flags order.
        cl.setOverwrittenOptionsAllowed(true);
        // An argument "@x" is a value, not a file of arguments to read.
        cl.setExpandAtFiles(false);
        return cl;
    }

    /**
     * The command line as picocli read it, each key once: a single value its last one, a list all of
     * them in order. The settings are picocli sections ({@code @ArgGroup}s), and picocli takes a key
     * it has already seen in a section as the start of a second occurrence of that section, a fresh
     * object with every key at its default that replaces the first: {@code --admin-port -1
     * --access-log=false --access-log=true} lost the admin port. Keys that picocli could not read are
     * left out; they are reported from the first parse.
     */
    private static List<String> eachKeyOnce(ParseResult parsed) {
        // Listed once per occurrence, the same spec each time, holding the values of every occurrence.
        Map<String, OptionSpec> matched = new LinkedHashMap<>();
        parsed.matchedOptions().forEach(o -> matched.putIfAbsent(o.longestName(), o));
        List<String> flags = new ArrayList<>();
        for (OptionSpec o : matched.values()) {
            List<String> given = o.originalStringValues();
            if (o.arity().max() == 0 || given.isEmpty()) {
                flags.add(o.longestName());
            } else if (o.isMultiValue()) {
                given.forEach(v -> flags.add(o.longestName() + "=" + v));
            } else {
                flags.add(o.longestName() + "=" + given.get(given.size() - 1));
            }
        }
        return flags;
    }

    private static Set<String> keys(List<String> flags) {
        Set<String> keys = new HashSet<>();
        flags.forEach(f -> keys.add(key(f)));
        return keys;
    }

    /** {@code --key} of a {@code --key=value} flag as this class writes them. */
    private static String key(String flag) {
        int eq = flag.indexOf('=');
        return eq > 0 ? flag.substring(0, eq) : flag;
    }
}
