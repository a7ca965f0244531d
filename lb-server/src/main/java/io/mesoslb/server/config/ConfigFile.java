package io.mesoslb.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A YAML or JSON config file, written as the flags it stands for ({@code key: value} becomes
 * {@code --key=value}, a list one flag per item), so that the command line's parser reads both with
 * the same types and checks. What does not fit a setting's shape is a problem named by file and key.
 */
final class ConfigFile {
    private final Path file;
    private final String where;

    ConfigFile(Path file) {
        this.file = file;
        this.where = "config file " + file + ": ";
    }

    String where() {
        return where;
    }

    /**
     * @param spec    the settings the file may hold: the options of a section
     * @param suggest the nearest option names to an unknown one
     * @return the flags, or none when the file cannot be read (then {@code p} says why)
     */
    List<String> asFlags(CommandSpec spec, Suggestions suggest, ConfigProblems p) {
        JsonNode root = read(p);
        List<String> flags = new ArrayList<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return flags;
        }
        if (!root.isObject()) {
            p.add("config file " + file + " must hold a map of settings");
            return flags;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            OptionSpec option = Settings.isFileKey(spec, key) ? spec.findOption("--" + key) : null;
            if (option == null) {
                p.add(where + "unknown setting '" + key + "'" + suggest.didYouMean(key, ""));
            } else {
                addFlags(option, key, e.getValue(), flags, p);
            }
        }
        return flags;
    }

    private void addFlags(OptionSpec option, String key, JsonNode value, List<String> flags, ConfigProblems p) {
        if (value.isNull()) {
            return; // "key:" with nothing after it: the default
        }
        if (value.isArray() && !option.isMultiValue()) {
            p.add(where + "setting '" + key + "' takes one value, not a list");
            return;
        }
        for (JsonNode item : value.isArray() ? value : List.of(value)) {
            String text = item.isObject() && key.equals("tls-certificates") ? certificate(item) : item.isValueNode()
                    ? item.asText() : null;
            if (text == null) {
                p.add(where + "setting '" + key + "' takes " + (option.isMultiValue() ? "a list of values" : "a value")
                        + ", not " + (item.isArray() ? "a list in a list" : "a map"));
            } else {
                flags.add("--" + key + "=" + text);
            }
        }
    }

    /** A {@code {cert, key, hosts}} map as the command line writes it: {@code cert:key:host,host}. */
    private static String certificate(JsonNode entry) {
        List<String> hosts = new ArrayList<>();
        for (JsonNode h : entry.path("hosts").isArray() ? entry.path("hosts") : List.of(entry.path("hosts"))) {
            if (h.isValueNode()) {
                hosts.add(h.asText());
            }
        }
        return entry.path("cert").asText("") + ":" + entry.path("key").asText("") + ":" + String.join(",", hosts);
    }

    private JsonNode read(ConfigProblems p) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            mapper = new ObjectMapper(new YAMLFactory());
        } else if (name.endsWith(".json")) {
            mapper = new ObjectMapper();
        } else {
            p.add("config file " + file + " must end in .yaml, .yml or .json");
            return null;
        }
        if (!Files.isRegularFile(file)) {
            p.add("config file " + file + " does not exist");
            return null;
        }
        try {
            return mapper.readTree(file.toFile());
        } catch (StreamReadException e) {
            // Says only where: the parser's message quotes the text around, a password or a URL's credentials with it.
            JsonLocation at = e.getLocation();
            p.add("config file " + file + " does not parse" + (at == null ? ""
                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        } catch (IOException e) {
            p.add("config file " + file + " could not be read: " + e.getClass().getSimpleName());
        }
        return null;
    }
}
