package io.mesoslb.server;

import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketTest {
    private final TestOrigin origin = TestOrigin.webSocketEcho();
    private final ProxyFixture proxy = new ProxyFixture(b -> b.defaultApp("/ws")).app("/ws", origin);

    @AfterEach
    void stop() {
        proxy.close();
        origin.close();
    }

    @Test
    void webSocketEchoThroughTheProxy() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            received.add(partial.toString());
                            partial.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);

        for (int i = 0; i < 5; i++) {
            ws.sendText("message " + i, true).get(10, TimeUnit.SECONDS);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo:message " + i);
        }
        String large = "y".repeat(50_000);
        ws.sendText(large, true).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo:" + large);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);

        var upgrade = origin.recorded.poll();
        assertThat(upgrade.headers().get("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(upgrade.headers().get("Connection")).isEqualToIgnoringCase("upgrade");
    }
}
