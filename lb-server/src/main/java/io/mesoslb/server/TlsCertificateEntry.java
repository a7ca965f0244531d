package io.mesoslb.server;

import io.mesoslb.server.tls.TlsCertificate;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code tls-certificates} entry: an object with {@code cert}, {@code key} and {@code hosts},
 * or on the command line the text {@code cert.pem:key.pem[:host,host...]}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
final class TlsCertificateEntry {
    private String cert;
    private String key;
    private List<String> hosts = new ArrayList<>();

    TlsCertificateEntry() {
    }

    TlsCertificateEntry(String cert, String key, List<String> hosts) {
        this.cert = cert;
        this.key = key;
        this.hosts = hosts == null ? new ArrayList<>() : new ArrayList<>(hosts);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
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
