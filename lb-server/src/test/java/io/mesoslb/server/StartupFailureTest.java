package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.server.config.ServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class StartupFailureTest {

    @Test
    void aTakenProxyPortIsExplainedInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ServerConfig config = ServerConfig.builder().listenHost("127.0.0.1").listenPort(taken.getLocalPort())
                    .adminPort(-1).build();
            LbServer server = new LbServer(config, new RouteTableHolder(new VhostNaming("test.local")));

            assertThatThrownBy(server::start).satisfies(e -> assertThat(StartupFailure.explain(e))
                    .contains("127.0.0.1:" + taken.getLocalPort())
                    .contains("already in use")
                    .contains("--listen-port"));
        }
    }

    @Test
    void aTakenAdminPortIsExplainedToo() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ServerConfig config = ServerConfig.builder().listenHost("127.0.0.1").listenPort(0)
                    .adminHost("127.0.0.1").adminPort(taken.getLocalPort()).build();
            LbServer server = new LbServer(config, new RouteTableHolder(new VhostNaming("test.local")));

            assertThatThrownBy(server::start).satisfies(e -> assertThat(StartupFailure.explain(e))
                    .contains(String.valueOf(taken.getLocalPort()))
                    .contains("already in use"));
        }
    }

    @Test
    void otherFailuresAreLeftToTheStackTrace() {
        assertThat(StartupFailure.explain(new IllegalStateException("no certificate", new RuntimeException("x"))))
                .isNull();
    }
}
