package io.mesoslb.server.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.server.proxy.ProxyStatus;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
    @Test
    void grpcCallsAreKnownByTheirContentType() {
        assertThat(GrpcErrors.isGrpc("application/grpc")).isTrue();
        assertThat(GrpcErrors.isGrpc("application/grpc+proto")).isTrue();
        assertThat(GrpcErrors.isGrpc("Application/GRPC-web+json")).isTrue();
        assertThat(GrpcErrors.isGrpc("application/json")).isFalse();
        assertThat(GrpcErrors.isGrpc("application/grp")).isFalse();
        assertThat(GrpcErrors.isGrpc(null)).isFalse();
    }

    @Test
    void aGrpcTimeoutIsUpToEightDigitsAndAUnit() {
        assertThat(GrpcErrors.timeoutNanos("100m")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(GrpcErrors.timeoutNanos("5S")).isEqualTo(TimeUnit.SECONDS.toNanos(5));
        assertThat(GrpcErrors.timeoutNanos("2M")).isEqualTo(TimeUnit.MINUTES.toNanos(2));
        assertThat(GrpcErrors.timeoutNanos("1H")).isEqualTo(TimeUnit.HOURS.toNanos(1));
        assertThat(GrpcErrors.timeoutNanos("250u")).isEqualTo(250_000);
        assertThat(GrpcErrors.timeoutNanos("99999999n")).isEqualTo(99_999_999);
        for (String none : new String[] {"", "m", "100", "123456789S", "1x", "-1S", "1.5S", " 1S"}) {
            assertThat(GrpcErrors.timeoutNanos(none)).as(none).isZero();
        }
        assertThat(GrpcErrors.timeoutNanos(null)).isZero();
    }

    /** One row of the mapping: how the proxy failed, what it answers over plain HTTP, the gRPC status. */
    private record Row(ProxyStatus why, HttpResponseStatus code, int grpc) {
    }

    @Test
    void theProxysFailuresMapToWhatGrpcClientsRetryOrGiveUpOn() {
        Row[] rows = {
            new Row(ProxyStatus.NO_ROUTE, HttpResponseStatus.NOT_FOUND, GrpcErrors.UNAVAILABLE),
            new Row(ProxyStatus.NO_BACKEND, HttpResponseStatus.SERVICE_UNAVAILABLE, GrpcErrors.UNAVAILABLE),
            new Row(ProxyStatus.CONNECT_FAILED, HttpResponseStatus.BAD_GATEWAY, GrpcErrors.UNAVAILABLE),
            // Nothing was sent: as safe to retry as a refused connect.
            new Row(ProxyStatus.CONNECT_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, GrpcErrors.UNAVAILABLE),
            new Row(ProxyStatus.BACKEND_RESET, HttpResponseStatus.BAD_GATEWAY, GrpcErrors.UNAVAILABLE),
            new Row(ProxyStatus.BACKEND_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, GrpcErrors.DEADLINE_EXCEEDED),
            new Row(ProxyStatus.REQUEST_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT, GrpcErrors.DEADLINE_EXCEEDED),
            new Row(ProxyStatus.UNAUTHORIZED, HttpResponseStatus.UNAUTHORIZED, GrpcErrors.UNAUTHENTICATED),
            new Row(ProxyStatus.FORBIDDEN, HttpResponseStatus.FORBIDDEN, GrpcErrors.PERMISSION_DENIED),
            new Row(ProxyStatus.REQUEST_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, GrpcErrors.RESOURCE_EXHAUSTED),
            new Row(ProxyStatus.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, GrpcErrors.INTERNAL),
            new Row(ProxyStatus.BAD_REQUEST, HttpResponseStatus.NOT_IMPLEMENTED, GrpcErrors.UNIMPLEMENTED),
        };
        for (Row r : rows) {
            assertThat(GrpcErrors.status(r.why(), r.code())).as(r.toString()).isEqualTo(r.grpc());
        }
    }

    @Test
    void theAnswerIsA200WithTheStatusInItsHeadersAndNoBody() {
        FullHttpResponse r = GrpcErrors.answer(ProxyStatus.CONNECT_FAILED, HttpResponseStatus.BAD_GATEWAY,
                "could not connect to 100% of /grpc\n", HttpVersion.HTTP_1_1, false);
        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.headers().get("content-type")).isEqualTo("application/grpc");
        assertThat(r.headers().get("grpc-status")).isEqualTo("14");
        assertThat(r.headers().get("grpc-message")).isEqualTo("could not connect to 100%25 of /grpc\\x0a");
        assertThat(r.headers().get("content-length")).isEqualTo("0");
        assertThat(r.content().isReadable()).isFalse();
        r.release();
    }

    @Test
    void grpcMessagesArePercentEncodedUtf8() {
        assertThat(GrpcErrors.percentEncoded("plain text ~")).isEqualTo("plain text ~");
        assertThat(GrpcErrors.percentEncoded("50%")).isEqualTo("50%25");
        assertThat(GrpcErrors.percentEncoded("caf\u00e9\t")).isEqualTo("caf%C3%A9%09");
    }

    @Test
    void theHeaderScanFindsTheGrpcHeaders() {
        DefaultHttpHeaders h = new DefaultHttpHeaders();
        h.add("Content-Length", "5").add("X-Grpc-Thing", "1");
        assertThat(HeaderScan.scan(h) & (HeaderScan.HAS_CONTENT_TYPE | HeaderScan.HAS_GRPC_TIMEOUT)).isZero();
        h.add("Content-Type", "application/grpc").add("Grpc-Timeout", "1S");
        int bits = HeaderScan.scan(h);
        assertThat(bits & HeaderScan.HAS_CONTENT_TYPE).isNotZero();
        assertThat(bits & HeaderScan.HAS_GRPC_TIMEOUT).isNotZero();
    }
}
