package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.testkit.H2cBackend;
import java.io.IOException;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A gRPC call ({@code content-type: application/grpc}) the balancer cannot complete is answered the gRPC way:
 * HTTP 200 with {@code grpc-status} (14 UNAVAILABLE, 4 DEADLINE_EXCEEDED) in its headers, which gRPC libraries
 * retry or report as their own; and the client's {@code grpc-timeout} ends the call no later than it says.
 */
class GrpcAnswersTest {
    private static final String HOST = "grpc.test.local";
    /** A gRPC message frame: uncompressed, 0 bytes long. */
    private static final String EMPTY_MESSAGE = "\0\0\0\0\0";

    @RegisterExtension
    final Closer closer = new Closer();
    private final OutcomeRecorder outcomes = new OutcomeRecorder();
    private H2cBackend backend;

    /** A balancer routing /grpc over h2c to one backend, and a client connected to it. */
    private RawHttp start(UnaryOperator<ServerConfig.Builder> config) throws IOException {
        ProxyFixture proxy = closer.use(new ProxyFixture(config, outcomes));
        backend = closer.use(H2cBackend.start("g.1"));
        proxy.app("/grpc", Map.of("MESOS_LB_PROTO", "h2c"), new Backend(backend.host(), backend.port(), "g.1", "/grpc"));
        return closer.use(new RawHttp(proxy.port()));
    }

    private static String call(String host, String path, String extraHeaders) {
        return "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/grpc\r\nTE: trailers\r\n"
                + extraHeaders + "Content-Length: 5\r\n\r\n" + EMPTY_MESSAGE;
    }

    private static void assertGrpcStatus(RawHttp.Response r, int status, String message) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/grpc");
        assertThat(r.header("grpc-status")).isEqualTo(Integer.toString(status));
        assertThat(r.header("grpc-message")).contains(message);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void aCallToADeadBackendIsUnavailableAndAPlainRequestStillA502() throws Exception {
        RawHttp c = start(cfg -> cfg);
        backend.stop();
        assertGrpcStatus(c.send(call(HOST, "/pkg.Svc/Get", "")).read(), 14, "could not connect to a backend of app /grpc");
        try (RawHttp plain = new RawHttp(c.socket().getPort())) {
            assertThat(plain.send("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read().status()).isEqualTo(502);
        }
    }

    @Test
    void aCallForAHostNoAppClaimsIsUnavailable() throws Exception {
        RawHttp c = start(cfg -> cfg);
        assertGrpcStatus(c.send(call("nobody.test.local", "/pkg.Svc/Get", "")).read(), 14, "no route for host");
    }

    @Test
    void aBackendThatDoesNotAnswerInTimeIsADeadlineExceeded() throws Exception {
        RawHttp c = start(cfg -> cfg.responseTimeout("300ms"));
        assertGrpcStatus(c.send(call(HOST, "/silent", "")).read(), 4, "backend did not respond within 300 ms");
    }

    @Test
    void theClientsGrpcTimeoutEndsTheCallSoonerWithoutBlamingTheBackend() throws Exception {
        RawHttp c = start(cfg -> cfg.responseTimeout("60s"));
        assertGrpcStatus(c.send(call(HOST, "/silent", "grpc-timeout: 200m\r\n")).read(), 4,
                "grpc-timeout of 200 ms passed");
        assertThat(backend.requests().get(0).header("grpc-timeout")).as("the backend keeps its deadline").isEqualTo("200m");
        assertThat(outcomes.failures()).as("the client's deadline is not the backend's failure").isZero();
    }

    @Test
    void aGrpcTimeoutNeverExtendsTheBalancersOwn() throws Exception {
        RawHttp c = start(cfg -> cfg.responseTimeout("300ms"));
        assertGrpcStatus(c.send(call(HOST, "/silent", "grpc-timeout: 1H\r\n")).read(), 4,
                "backend did not respond within 300 ms");
    }

    @Test
    void aCallThatCompletesIsRelayedAsTheBackendAnsweredIt() throws Exception {
        RawHttp c = start(cfg -> cfg);
        RawHttp.Response r = c.send(call(HOST, "/pkg.Svc/Get?trailers=1", "grpc-timeout: 5S\r\n")).read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/grpc");
        assertThat(r.body()).hasSize(5);
        assertThat(r.trailer("grpc-status")).isEqualTo("0");
    }
}
