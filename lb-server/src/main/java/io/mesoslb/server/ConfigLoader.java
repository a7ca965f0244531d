package io.mesoslb.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Builds a {@link ServerConfig} from an optional YAML/JSON file and command-line overrides. */
public final class ConfigLoader {
    /** Keys whose flag value is a comma-separated list. */
    private static final Set<String> COMMA_LISTS = Set.of("marathon-urls", "mesos-urls", "proxy-protocol-trusted",
            "trusted-proxies", "admin-allow", "groups");
    /** Keys whose flag value is a semicolon-separated list (its entries contain commas). */
    private static final Set<String> SEMICOLON_LISTS = Set.of("tls-certificates");

    private ConfigLoader() {
    }

    public static ServerConfig load(CommandLine cmd) {
        return apply(cmd, ServerConfig.builder()).build();
    }

    /** Applies the config file {@code cmd} names, then its flags, on top of {@code base}; returns {@code base}. */
    public static ServerConfig.Builder apply(CommandLine cmd, ServerConfig.Builder base) {
        if (cmd.configFile() != null) {
            readFile(Path.of(cmd.configFile()), base);
        }
        applyOverrides(cmd.overrides(), base);
        return base;
    }

    private static void readFile(Path file, ServerConfig.Builder builder) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            mapper = mapper(new ObjectMapper(new YAMLFactory()));
        } else if (name.endsWith(".json")) {
            mapper = mapper(new ObjectMapper());
        } else {
            throw new ConfigException("config file " + file + " must end in .yaml, .yml or .json");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist");
        }
        try {
            mapper.readerForUpdating(builder).readValue(file.toFile());
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamReadException unparsable) {
                throw doesNotParse(file, unparsable);
            }
            throw new ConfigException("config file " + file + ": " + describe(e));
        } catch (StreamReadException e) {
            throw doesNotParse(file, e);
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " could not be read: " + e.getMessage());
        }
    }

    /** Says only where: the parser's message quotes the text around, a password or a URL's credentials with it. */
    private static ConfigException doesNotParse(Path file, StreamReadException e) {
        JsonLocation at = e.getLocation();
        return new ConfigException("config file " + file + " does not parse" + (at == null ? ""
                : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
    }

    private static void applyOverrides(Map<String, String> flags, ServerConfig.Builder builder) {
        ObjectMapper mapper = mapper(new ObjectMapper());
        ObjectNode node = mapper.createObjectNode();
        for (Map.Entry<String, String> e : flags.entrySet()) {
            boolean comma = COMMA_LISTS.contains(e.getKey());
            if (comma || SEMICOLON_LISTS.contains(e.getKey())) {
                ArrayNode items = node.putArray(e.getKey());
                for (String item : e.getValue().split(comma ? "," : ";")) {
                    if (!item.isBlank()) {
                        items.add(item.strip());
                    }
                }
            } else {
                node.put(e.getKey(), e.getValue());
            }
        }
        try {
            mapper.readerForUpdating(builder).readValue(node);
        } catch (JsonMappingException e) {
            throw new ConfigException("command line: " + describe(e).replace("setting '", "flag '--"));
        } catch (IOException e) {
            throw new ConfigException("command line: " + e.getMessage());
        }
    }

    private static ObjectMapper mapper(ObjectMapper m) {
        return m.setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static String describe(JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown setting '" + ((UnrecognizedPropertyException) e).getPropertyName() + "' (see --help)";
        }
        String key = e.getPath().isEmpty() ? "?" : e.getPath().get(e.getPath().size() - 1).getFieldName();
        String detail = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage() : e.getMessage();
        int cut = detail.indexOf('\n');
        return "setting '" + key + "': " + (cut > 0 ? detail.substring(0, cut) : detail);
    }
}
