package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class LoopbackPortTest {

    private static ServerSocket listenOn(int port, boolean reuseAddress) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(reuseAddress);
            s.bind(new InetSocketAddress(LoopbackServer.HOST, port));
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static void connect(int port) throws IOException {
        new Socket(LoopbackServer.HOST, port).close();
    }

    @Test
    void aRefusingPortRefusesAndNoListenerCanTakeIt() throws IOException {
        try (LoopbackPort dead = LoopbackPort.refusing()) {
            assertThatThrownBy(() -> connect(dead.port())).isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> listenOn(dead.port(), true).close()).isInstanceOf(BindException.class);
        }
    }

    @Test
    void aPortKeptForAListenerRefusesUntilTheListenerThatAsksToShareItServesThere() throws IOException {
        try (LoopbackPort kept = LoopbackPort.forListener()) {
            assertThatThrownBy(() -> connect(kept.port())).isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> listenOn(kept.port(), false).close()).as("a listener that does not ask to share")
                    .isInstanceOf(BindException.class);
            try (ServerSocket listener = listenOn(kept.port(), true);
                    Socket client = new Socket(kept.host(), kept.port());
                    Socket accepted = listener.accept()) {
                assertThat(accepted.getLocalPort()).isEqualTo(kept.port());
            }
        }
    }
}
