package io.mesoslb.server.config;

import io.mesoslb.server.tls.TlsCertificate;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/**
 * One {@code tls-certificates} entry as given: on the command line the text
 * {@code cert.pem:key.pem[:host,host...]}, in a config file an object with {@code cert}, {@code key}
 * and {@code hosts} ({@link ConfigFile} writes it as that text).
 */
final class TlsCertificateEntry {
    private final String cert;
    private final String key;
    private final List<String> hosts;

    TlsCertificateEntry(String cert, String key, List<String> hosts) {
        this.cert = cert;
        this.key = key;
        this.hosts = hosts == null ? List.of() : List.copyOf(hosts);
    }

    static TlsCertificateEntry parse(String text) {
        String[] parts = text.strip().split(":", 3);
        List<String> hosts = new ArrayList<>();
        if (parts.length == 3) {
            for (String h : parts[2].split(",")) {
                if (!h.isBlank()) {
                    hosts.add(h.strip());
                }
            }
        }
        return new TlsCertificateEntry(parts[0], parts.length > 1 ? parts[1] : null, hosts);
    }

    /** Picocli's typed parsing of one entry. */
    static final class Converter implements ITypeConverter<TlsCertificateEntry> {
        @Override
        public TlsCertificateEntry convert(String value) {
            return parse(value);
        }
    }

    TlsCertificate validate(ConfigProblems p) {
        Path certFile = p.readableFile("tls-certificates cert", cert);
        Path keyFile = p.readableFile("tls-certificates key", key);
        List<String> names = new ArrayList<>();
        for (String h : hosts) {
            String name = h == null ? "" : h.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty() || name.indexOf(':') >= 0 || name.indexOf('/') >= 0) {
                p.add("tls-certificates: '" + h + "' is not a host name");
            } else {
                names.add(name);
            }
        }
        return certFile == null || keyFile == null ? null : new TlsCertificate(certFile, keyFile, names);
    }
}
