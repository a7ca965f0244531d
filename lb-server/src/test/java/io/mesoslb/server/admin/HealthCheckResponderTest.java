package io.mesoslb.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HealthCheckResponderTest {
    private final ReadinessState readiness = new ReadinessState(() -> null);
    private final HealthCheckResponder responder = new HealthCheckResponder(readiness);

    @Test
    void answersLikeTheAdminHealthEndpoint() {
        assertThat(responder.answer()).isEqualTo(new HealthCheckResponder.Answer(HttpResponseStatus.SERVICE_UNAVAILABLE,
                "starting: proxy not listening yet\n"));
        readiness.proxyListening();
        readiness.discoverySynced();
        assertThat(responder.answer()).isEqualTo(new HealthCheckResponder.Answer(HttpResponseStatus.OK, "OK\n"));
    }

    @Test
    void buildsACompleteResponseForTheProxy() {
        readiness.startDraining();
        FullHttpResponse res = responder.response(UnpooledByteBufAllocator.DEFAULT, HttpVersion.HTTP_1_1, false);
        try {
            assertThat(res.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
            assertThat(res.content().toString(StandardCharsets.UTF_8)).isEqualTo("draining\n");
            assertThat(res.headers().getInt("content-length")).isEqualTo(9);
            assertThat(res.headers().get("content-type")).isEqualTo("text/plain; charset=utf-8");
        } finally {
            res.release();
        }

        FullHttpResponse head = responder.response(UnpooledByteBufAllocator.DEFAULT, HttpVersion.HTTP_1_0, true);
        try {
            assertThat(head.content().readableBytes()).isZero();
            assertThat(head.headers().getInt("content-length")).isEqualTo(9);
            assertThat(head.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        } finally {
            head.release();
        }
    }
}
