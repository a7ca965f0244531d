package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1), so
 * that they do not leak from the client's connection to the backend's or back.
 * Transfer-Encoding stays: the codecs on each side frame the body by it.
 *
 * <p>The headers are read once per message, by {@link #connection} ({@link HeaderScan}), into bits
 * that say what keep-alive, upgrade and stripping need; only the headers that are there are removed.
 */
public final class HopByHopHeaders {
    /** {@code Connection} has {@code close}. */
    public static final int CLOSE = HeaderScan.CLOSE;
    /** {@code Connection} has {@code keep-alive}. */
    public static final int KEEP_ALIVE = HeaderScan.KEEP_ALIVE;
    /** {@code Connection} has {@code upgrade}. */
    public static final int UPGRADE = HeaderScan.UPGRADE;
    /** {@code Connection} names other headers, which go with it. */
    public static final int NAMES_OTHERS = HeaderScan.NAMES_OTHERS;
    /** There is a {@code Connection} header. */
    public static final int PRESENT = HeaderScan.PRESENT;

    private HopByHopHeaders() {
    }

    /** What the {@code Connection} header (or headers) of a message say, and which headers it has: {@link HeaderScan}'s bits. */
    public static int connection(HttpHeaders headers) {
        return HeaderScan.scan(headers);
    }

    /**
     * Takes back {@link #UPGRADE} when the upgrade asked for is to HTTP/2 ({@code h2c}, RFC 9113 3.1,
     * deprecated): the proxy does not offer it, and passed on, a backend's 101 would make its pooled
     * connection an HTTP/2 tunnel the proxy cannot read. The request goes on as HTTP/1.1 without
     * {@code Upgrade} (and without {@code HTTP2-Settings}, which its {@code Connection} names).
     */
    public static int ignoringH2cUpgrade(int connection, HttpHeaders headers) {
        if ((connection & UPGRADE) == 0 || (connection & HeaderScan.HAS_UPGRADE) == 0) {
            return connection;
        }
        List<String> values = headers.getAll(HttpHeaderNames.UPGRADE);
        for (int i = 0; i < values.size(); i++) {
            for (String protocol : values.get(i).split(",")) {
                if (protocol.strip().equalsIgnoreCase(H2C)) {
                    return connection & ~UPGRADE;
                }
            }
        }
        return connection;
    }

    private static final String H2C = "h2c";

    /** As {@link io.netty.handler.codec.http.HttpUtil#isKeepAlive}, from the bits of {@link #connection}. */
    public static boolean isKeepAlive(HttpVersion version, int connection) {
        return (connection & CLOSE) == 0 && (version.isKeepAliveDefault() || (connection & KEEP_ALIVE) != 0);
    }

    /** Strips a message whose headers have not been scanned yet; see {@link #strip(HttpHeaders, int, boolean)}. */
    public static void strip(HttpHeaders headers, boolean tunnelling) {
        strip(headers, connection(headers), tunnelling);
    }

    /**
     * Strips the hop-by-hop headers, and those that {@code Connection} names.
     *
     * @param connection what {@link #connection} read from these headers
     * @param tunnelling true to keep {@code Upgrade} and leave {@code Connection: upgrade}, which the
     *                   backend needs to switch protocols
     */
    public static void strip(HttpHeaders headers, int connection, boolean tunnelling) {
        if ((connection & NAMES_OTHERS) != 0) {
            // Rare: a list, as removing while iterating over Connection could disturb the iteration.
            List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
            for (int i = 0; i < values.size(); i++) {
                HeaderScan.connectionTokens(values.get(i), headers);
            }
        }
        if ((connection & PRESENT) != 0) {
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        if ((connection & HeaderScan.HAS_KEEP_ALIVE) != 0) {
            headers.remove(HttpHeaderNames.KEEP_ALIVE);
        }
        if ((connection & HeaderScan.HAS_TE) != 0) {
            headers.remove(HttpHeaderNames.TE);
        }
        if ((connection & HeaderScan.HAS_TRAILER) != 0) {
            headers.remove(HttpHeaderNames.TRAILER);
        }
        if ((connection & HeaderScan.HAS_PROXY_CONNECTION) != 0) {
            headers.remove(HeaderScan.PROXY_CONNECTION);
        }
        if (tunnelling) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        } else if ((connection & HeaderScan.HAS_UPGRADE) != 0) {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
    }
}
