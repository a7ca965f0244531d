package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoopbackBackendTest {

    @Test
    void answersEveryRequestWithItsTaskId() {
        try (LoopbackBackend backend = LoopbackBackend.start("web.1234")) {
            HttpResponse<String> r = Http.backend(backend.host(), backend.port());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("web.1234");
            assertThat(r.headers().firstValue(LoopbackBackend.TASK_ID_HEADER)).hasValue("web.1234");
            assertThat(backend.requests()).isEqualTo(1);
        }
    }

    @Test
    void keepsConnectionsAliveAndCountsThem() throws IOException {
        try (LoopbackBackend backend = LoopbackBackend.start("web.1");
                Socket s = new Socket(backend.host(), backend.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String request = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
            out.write((request + request).getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String both = readBytes(in, 2 * responseLength("web.1"));

            assertThat(both.split("HTTP/1.1 200 OK", -1)).hasSize(3);
            assertThat(backend.requests()).isEqualTo(2);
            assertThat(backend.connectionsAccepted()).isEqualTo(1);
            Await.until(() -> backend.openConnections() == 1);
        }
    }

    @Test
    void stopClosesOpenConnectionsAndTheListener() throws IOException {
        LoopbackBackend backend = LoopbackBackend.start("web.2");
        try (Socket s = new Socket(backend.host(), backend.port())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            readBytes(s.getInputStream(), responseLength("web.2"));

            backend.stop();

            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(backend.isRunning()).isFalse();
            assertThatThrownBy(() -> new Socket(backend.host(), backend.port()).close())
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void closesAfterAnsweringWhenTheClientAsksTo() throws IOException {
        try (LoopbackBackend backend = LoopbackBackend.start("web.3");
                Socket s = new Socket(backend.host(), backend.port())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));

            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(response).startsWith("HTTP/1.1 200 OK").contains("connection: close").endsWith("web.3");
        }
    }

    /** Length of one full response for a task id, so tests read exactly as much as was sent. */
    private static int responseLength(String taskId) {
        return ("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=UTF-8\r\ncontent-length: " + taskId.length()
                + "\r\nx-task-id: " + taskId + "\r\n\r\n" + taskId).length();
    }

    private static String readBytes(InputStream in, int n) throws IOException {
        byte[] buf = in.readNBytes(n);
        return new String(buf, StandardCharsets.US_ASCII);
    }
}
