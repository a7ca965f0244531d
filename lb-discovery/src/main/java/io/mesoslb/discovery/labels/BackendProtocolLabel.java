package io.mesoslb.discovery.labels;

import io.mesoslb.core.BackendProtocol;
import java.util.Locale;

/**
 * What a port's backends speak, as its labels say: mesos-lb's {@code MESOS_LB_[<n>_]PROTO}
 * ({@code http1}, {@code h2c}) or Traefik 1.7's {@code traefik.[<segment>.]protocol} ({@code http},
 * {@code h2c}). A protocol that cannot be honoured is refused rather than read as HTTP/1.1: the backend
 * would get bytes it cannot parse, so the port stays off the table with an error naming the label.
 */
final class BackendProtocolLabel {
    /** Why a value cannot be honoured; the message says what would be needed. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private static final String NEEDS_TLS = "asks for TLS to the backend, which mesos-lb does not speak (h2c is"
            + " HTTP/2 without TLS)";

    private BackendProtocolLabel() {
    }

    /** {@code MESOS_LB_[<n>_]PROTO}; null or blank: HTTP/1.1. */
    static BackendProtocol ours(String value) throws Refused {
        return read(value, "http1", "h2", "a backend protocol (http1, h2c)");
    }

    /** Traefik's {@code protocol}, the scheme it builds the backend URL with; null or blank: http. */
    static BackendProtocol traefik(String value) throws Refused {
        return read(value, "http", "https", "a protocol Traefik routes to a backend (http, h2c, https)");
    }

    /**
     * @param http1 the language's word for HTTP/1.1
     * @param tls   its word for a protocol over TLS
     * @param known what a value must be, for the refusal
     */
    private static BackendProtocol read(String value, String http1, String tls, String known) throws Refused {
        if (value == null || value.isBlank()) {
            return BackendProtocol.HTTP1;
        }
        String word = value.strip().toLowerCase(Locale.ROOT);
        if (word.equals(http1)) {
            return BackendProtocol.HTTP1;
        }
        if (word.equals("h2c")) {
            return BackendProtocol.H2C;
        }
        throw new Refused(word.equals(tls) ? NEEDS_TLS : "is not " + known);
    }
}
