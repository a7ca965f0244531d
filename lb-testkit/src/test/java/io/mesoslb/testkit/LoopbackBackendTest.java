package io.mesoslb.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

            String both = readResponse(in) + readResponse(in);

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
            readResponse(s.getInputStream());

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

    @Test
    void saysWhenTheRequestReachedIt() {
        try (LoopbackBackend backend = LoopbackBackend.start("web.4")) {
            long before = System.nanoTime();
            HttpResponse<String> r = Http.backend(backend.host(), backend.port());
            long after = System.nanoTime();

            assertThat(r.headers().firstValue(LoopbackBackend.RECEIVED_NANOS_HEADER)).get()
                    .extracting(Long::parseLong).satisfies(reached -> assertThat(reached).isBetween(before, after));
        }
    }

    @Test
    void saysWhenTheConnectionWasAcceptedBeforeTheRequestCame() throws IOException {
        try (LoopbackBackend backend = LoopbackBackend.start("web.6")) {
            long before = System.nanoTime();
            try (Socket s = new Socket(backend.host(), backend.port())) {
                Await.until(Duration.ofSeconds(5), () -> backend.connectionsAccepted() == 1);
                long sent = System.nanoTime();
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

                assertThat(field(response, LoopbackBackend.ACCEPTED_NANOS_HEADER)).isBetween(before, sent);
                assertThat(field(response, LoopbackBackend.RECEIVED_NANOS_HEADER)).isGreaterThan(sent);
            }
        }
    }

    private static long field(String response, String name) {
        return response.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(l -> Long.parseLong(l.substring(name.length() + 1).strip())).findFirst().orElseThrow();
    }

    @Test
    void warmUpAnswersARequestOfItsOwnThatNoCountShows() {
        try (LoopbackBackend backend = LoopbackBackend.start("web.5")) {
            backend.warmUp();

            assertThat(backend.warmUps()).isEqualTo(1);
            assertThat(backend.requests()).isZero();
            assertThat(backend.connectionsAccepted()).isZero();
            assertThat(backend.openConnections()).isZero();
            assertThat(Http.backend(backend.host(), backend.port()).body()).isEqualTo("web.5");
            assertThat(backend.requests()).isEqualTo(1);
            assertThat(backend.connectionsAccepted()).isEqualTo(1);
        }
    }

    @Test
    void warmUpFailsWhenTheServerDoesNotAnswer() {
        LoopbackBackend backend = LoopbackBackend.start("web.6");
        backend.stop();

        assertThatThrownBy(backend::warmUp).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("warming up");
        assertThat(backend.warmUps()).isZero();
    }

    /** One response: its head up to the blank line, then as many bytes as its content-length says. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed mid-head: " + head);
            }
            head.append((char) c);
        }
        Matcher length = Pattern.compile("content-length: (\\d+)").matcher(head);
        if (!length.find()) {
            throw new IOException("no content-length: " + head);
        }
        return head + new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.US_ASCII);
    }
}
