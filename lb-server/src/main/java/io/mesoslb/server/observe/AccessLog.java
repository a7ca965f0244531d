package io.mesoslb.server.observe;

import io.netty.util.NetUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per proxied request on the logger {@value #LOGGER_NAME}, in the combined log format
 * with three fields appended (vhost, backend, duration in milliseconds):
 *
 * <pre>
 * 203.0.113.9 - - [04/May/2026:08:00:00 +0000] "GET /x?y=1 HTTP/1.1" 200 512 "-" "curl/8.5" "api.example.com" 10.0.0.1:31000 12.345
 * </pre>
 *
 * <p>Nothing is formatted while the logger is disabled. Otherwise the line is built in a
 * per-thread buffer with the timestamp text reused within a second, and handed to the logger as one
 * string (meant for an asynchronous appender, so event loops never wait on disk). Client-supplied
 * text is escaped ({@code \"}, {@code \\}, {@code \xHH}) so a request cannot forge log lines.
 *
 * <p>With {@code access-log-format=json} each line is one JSON object with the same fields plus the
 * app (client-supplied text JSON-escaped, control and non-ASCII bytes as {@code \}{@code u00HH}):
 *
 * <pre>
 * {"time":"2026-05-04T08:00:00.123Z","client":"203.0.113.9","method":"GET","uri":"/x?y=1","protocol":"HTTP/1.1","status":200,"bytes":512,"referer":null,"user_agent":"curl/8.5","vhost":"api.example.com","app":"/api","backend":"10.0.0.1:31000","duration_ms":12.345}
 * </pre>
 *
 * <p>With {@code access-log-file} the lines go to that file through a Logback context of the access
 * log's own ({@link AccessLogFile}), rotated by size and time, apart from the application log.
 */
public final class AccessLog implements AutoCloseable {
    public static final String LOGGER_NAME = "mesos-lb.access";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
    private static final int MAX_KEPT_BUFFER = 16 * 1024;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static final FastThreadLocal<StringBuilder> BUFFER = new FastThreadLocal<>() {
        @Override
        protected StringBuilder initialValue() {
            return new StringBuilder(512);
        }
    };

    /** The formatted text of one second; replaced wholesale, so readers never see a torn pair. */
    private record Second(long epochSecond, String text) {
    }

    private final Logger logger;
    private final ZoneId zone;
    private final boolean json;
    private final AutoCloseable owned;
    private volatile Second second = new Second(Long.MIN_VALUE, "");

    public AccessLog() {
        this(LoggerFactory.getLogger(LOGGER_NAME), ZoneId.systemDefault());
    }

    AccessLog(Logger logger, ZoneId zone) {
        this(logger, zone, false, null);
    }

    AccessLog(Logger logger, ZoneId zone, boolean json, AutoCloseable owned) {
        this.logger = logger;
        this.zone = zone;
        this.json = json;
        this.owned = owned;
    }

    /**
     * The access log as configured: combined or JSON lines, on the {@value #LOGGER_NAME} logger or,
     * when {@code file} is set, in that file rotated as {@code rotation} says.
     */
    public static AccessLog create(boolean json, java.nio.file.Path file, AccessLogRotation rotation) {
        if (file == null) {
            return new AccessLog(LoggerFactory.getLogger(LOGGER_NAME), ZoneId.systemDefault(), json, null);
        }
        AccessLogFile f = AccessLogFile.open(file, rotation);
        return new AccessLog(f.logger(), ZoneId.systemDefault(), json, f);
    }

    /** Flushes and closes the access log's own file, if it has one. */
    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(AccessLog.class).warn("closing the access log file: {}", e.toString());
            }
        }
    }

    /** Callers may skip gathering the fields when this is false. */
    public boolean isEnabled() {
        return logger.isInfoEnabled();
    }

    /**
     * Logs one request. Any text argument may be null (logged as {@code -}).
     *
     * @param client           the resolved client address
     * @param startEpochMillis when the request arrived
     * @param bytes            response body bytes sent ({@code -} when 0, as in the combined format)
     * @param vhost            the Host the client asked for
     * @param appId            the app the request was routed to, or null (JSON lines only)
     * @param backend          {@code host:port} of the backend that answered, or null if none did
     */
    public void log(InetAddress client, long startEpochMillis, CharSequence method, CharSequence uri,
                    CharSequence protocol, int status, long bytes, CharSequence referer, CharSequence userAgent,
                    CharSequence vhost, CharSequence appId, CharSequence backend, long durationNanos) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        StringBuilder sb = BUFFER.get();
        sb.setLength(0);
        if (json) {
            sb.append("{\"time\":\"").append(Instant.ofEpochMilli(startEpochMillis)).append("\",\"client\":");
            jsonString(sb, client == null ? null : NetUtil.toAddressString(client)).append(",\"method\":");
            jsonString(sb, method).append(",\"uri\":");
            jsonString(sb, uri).append(",\"protocol\":");
            jsonString(sb, protocol).append(",\"status\":").append(status).append(",\"bytes\":").append(bytes)
                    .append(",\"referer\":");
            jsonString(sb, referer).append(",\"user_agent\":");
            jsonString(sb, userAgent).append(",\"vhost\":");
            jsonString(sb, vhost).append(",\"app\":");
            jsonString(sb, appId).append(",\"backend\":");
            jsonString(sb, backend).append(",\"duration_ms\":");
            millis(sb, durationNanos);
            sb.append('}');
            emit(sb);
            return;
        }
        sb.append(client == null ? "-" : NetUtil.toAddressString(client)).append(" - - [").append(time(startEpochMillis))
                .append("] \"");
        escaped(sb, method).append(' ');
        escaped(sb, uri).append(' ');
        escaped(sb, protocol).append("\" ").append(status).append(' ');
        if (bytes > 0) {
            sb.append(bytes);
        } else {
            sb.append('-');
        }
        sb.append(" \"");
        escaped(sb, referer).append("\" \"");
        escaped(sb, userAgent).append("\" \"");
        escaped(sb, vhost).append("\" ");
        escaped(sb, backend).append(' ');
        millis(sb, durationNanos);
        emit(sb);
    }

    private void emit(StringBuilder sb) {
        logger.info(sb.toString());
        if (sb.capacity() > MAX_KEPT_BUFFER) {
            // One huge URI must not pin a large buffer to the thread for good.
            BUFFER.set(new StringBuilder(512));
        }
    }

    /**
     * Logs one connection to a TCP service port, in the same shape as a request: the request field
     * reads {@code TCP :<port>}, the status is {@code -}, the byte count is what went to the client,
     * the vhost field holds the app; after the duration come the bytes from the client and how the
     * connection ended:
     *
     * <pre>
     * 203.0.113.9 - - [04/May/2026:08:00:00 +0000] "TCP :10001" - 512 "-" "-" "/redis" 10.0.0.1:31000 12.345 88 "client closed"
     * </pre>
     *
     * <p>In JSON: {@code {"time":..,"client":..,"protocol":"TCP","port":10001,"app":"/redis","backend":..,
     * "bytes":512,"bytes_in":88,"duration_ms":12.345,"end":"client closed"}}.
     */
    public void logConnection(InetAddress client, long startEpochMillis, int port, CharSequence appId,
                              CharSequence backend, long bytesIn, long bytesOut, long durationNanos, String how) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        StringBuilder sb = BUFFER.get();
        sb.setLength(0);
        if (json) {
            sb.append("{\"time\":\"").append(Instant.ofEpochMilli(startEpochMillis)).append("\",\"client\":");
            jsonString(sb, client == null ? null : NetUtil.toAddressString(client))
                    .append(",\"protocol\":\"TCP\",\"port\":").append(port).append(",\"app\":");
            jsonString(sb, appId).append(",\"backend\":");
            jsonString(sb, backend).append(",\"bytes\":").append(bytesOut).append(",\"bytes_in\":").append(bytesIn)
                    .append(",\"duration_ms\":");
            millis(sb, durationNanos);
            sb.append(",\"end\":");
            jsonString(sb, how).append('}');
            emit(sb);
            return;
        }
        sb.append(client == null ? "-" : NetUtil.toAddressString(client)).append(" - - [").append(time(startEpochMillis))
                .append("] \"TCP :").append(port).append("\" - ");
        if (bytesOut > 0) {
            sb.append(bytesOut);
        } else {
            sb.append('-');
        }
        sb.append(" \"-\" \"-\" \"");
        escaped(sb, appId).append("\" ");
        escaped(sb, backend).append(' ');
        millis(sb, durationNanos);
        sb.append(' ').append(bytesIn).append(" \"");
        escaped(sb, how).append('"');
        emit(sb);
    }

    private String time(long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        Second s = second;
        if (s.epochSecond() != epochSecond) {
            s = new Second(epochSecond, TIME.format(Instant.ofEpochSecond(epochSecond).atZone(zone)));
            second = s;
        }
        return s.text();
    }

    /** Milliseconds with three decimals, without going through floating point formatting. */
    static void millis(StringBuilder sb, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        sb.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            sb.append('0');
        }
        if (frac < 10) {
            sb.append('0');
        }
        sb.append(frac);
    }

    /**
     * A JSON string, or {@code null}: quote and backslash escaped, control characters and every
     * byte-per-char header byte outside ASCII as {@code \}{@code u00HH}, so a line is always one valid
     * JSON object whatever the client sent.
     */
    static StringBuilder jsonString(StringBuilder sb, CharSequence s) {
        if (s == null) {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || (c >= 0x7f && c <= 0xff)) {
                sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else if (Character.isSurrogate(c)) {
                // A lone surrogate is no valid text: escape every surrogate, pairs stay pairs once decoded.
                sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
            } else {
                sb.append(c);
            }
        }
        return sb.append('"');
    }

    static StringBuilder escaped(StringBuilder sb, CharSequence s) {
        if (s == null || s.length() == 0) {
            return sb.append('-');
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                if (c > 0xff) {
                    // Header text is decoded byte-per-char; wider chars only come from elsewhere, keep them whole.
                    sb.append(c);
                } else {
                    sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                }
            } else {
                sb.append(c);
            }
        }
        return sb;
    }
}
