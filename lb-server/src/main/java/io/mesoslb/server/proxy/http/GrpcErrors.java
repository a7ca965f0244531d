package io.mesoslb.server.proxy.http;

import io.mesoslb.server.proxy.ProxyStatus;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the proxy says to a gRPC client ({@code content-type: application/grpc*}) when it cannot relay a
 * backend's answer. gRPC libraries read a failed call from {@code grpc-status}, not from the HTTP status: a
 * 502 reaches the application as an INTERNAL or UNKNOWN error that no retry policy retries, while
 * {@code 14 UNAVAILABLE} is what they retry and {@code 4 DEADLINE_EXCEEDED} is what a timeout is. So the
 * answer is HTTP 200 with the status in its headers and no body: to an HTTP/2 client a trailers-only
 * response (headers with END_STREAM), to an HTTP/1.1 client a response of headers alone.
 */
public final class GrpcErrors {
    public static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    public static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    public static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

    /** gRPC's status codes that the proxy's own failures map to. */
    static final int UNKNOWN = 2;
    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private GrpcErrors() {
    }

    /** True for {@code application/grpc} and its variants ({@code +proto}, {@code -web}, parameters). */
    public static boolean isGrpc(CharSequence contentType) {
        return contentType != null && contentType.length() >= APPLICATION_GRPC.length()
                && APPLICATION_GRPC.regionMatches(true, 0, contentType, 0, APPLICATION_GRPC.length());
    }

    /**
     * A {@code grpc-timeout} value (at most 8 digits and a unit: {@code H M S m u n}) in nanoseconds; 0 for a
     * value that is none, which then sets no deadline.
     */
    public static long timeoutNanos(CharSequence value) {
        if (value == null) {
            return 0;
        }
        int n = value.length();
        if (n < 2 || n > 9) {
            return 0;
        }
        long amount = 0;
        for (int i = 0; i < n - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            amount = amount * 10 + (c - '0');
        }
        TimeUnit unit = switch (value.charAt(n - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null ? 0 : unit.toNanos(amount);
    }

    /** The gRPC status of a call the proxy could not complete for {@code why} (answered {@code code} over plain HTTP). */
    public static int status(ProxyStatus why, HttpResponseStatus code) {
        return switch (why) {
            case NO_ROUTE, NO_BACKEND, CONNECT_FAILED, CONNECT_TIMEOUT, BACKEND_RESET -> UNAVAILABLE;
            case BACKEND_TIMEOUT, REQUEST_TIMEOUT -> DEADLINE_EXCEEDED;
            case FORBIDDEN -> PERMISSION_DENIED;
            case UNAUTHORIZED -> UNAUTHENTICATED;
            case REQUEST_TOO_LARGE -> RESOURCE_EXHAUSTED;
            case BAD_REQUEST -> code.code() == HttpResponseStatus.NOT_IMPLEMENTED.code() ? UNIMPLEMENTED : INTERNAL;
            default -> UNKNOWN;
        };
    }

    /**
     * The answer to a gRPC call the proxy could not complete: {@code 200}, {@code content-type:
     * application/grpc}, {@code grpc-status} and the {@code text} as {@code grpc-message}, no body.
     */
    public static FullHttpResponse answer(ProxyStatus why, HttpResponseStatus code, String text, HttpVersion version,
                                          boolean close) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC)
                .setInt(GRPC_STATUS, status(why, code))
                .set(GRPC_MESSAGE, percentEncoded(ErrorResponses.escaped(text)))
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return ErrorResponses.framed(response, close);
    }

    /** gRPC's percent-encoding of {@code grpc-message}: UTF-8, with every byte outside {@code ' '..'~'} and '%' as {@code %XX}. */
    static String percentEncoded(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= ' ' && c <= '~' && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
