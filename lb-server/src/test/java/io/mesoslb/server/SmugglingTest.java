package io.mesoslb.server;

import io.mesoslb.server.smuggling.DesyncCorpus;
import io.mesoslb.server.smuggling.DesyncProbe;
import io.mesoslb.server.smuggling.RecordingOrigin;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Request smuggling over real sockets: every {@link DesyncCorpus} vector goes through the proxy to
 * a {@link RecordingOrigin} (a credulous keep-alive server), followed by canary requests on fresh
 * connections. One backend connection pool (one worker), so a poisoned pooled connection is the
 * one the canaries get. The test fails if the origin answers a request whose answer no client
 * receives (it parsed a request the proxy did not send as one), or if a canary gets another
 * request's response (or none).
 */
class SmugglingTest {
    private static final String HOST = "www." + ProxyFixture.DOMAIN;
    private final RecordingOrigin origin = newOrigin();
    private final ProxyFixture proxy = new ProxyFixture(c -> c.workerThreads(1).responseTimeout("2s")
            .requestHeaderTimeout("500ms"))
            .app("/www", new Backend("127.0.0.1", origin.port(), "www.recording", "/www"));

    static RecordingOrigin newOrigin() {
        try {
            return new RecordingOrigin();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void noVectorDesyncsTheOriginOrAnotherClient() throws Exception {
        DesyncProbe probe = new DesyncProbe(proxy.port(), HOST, origin, 5_000);
        List<DesyncCorpus.Vector> corpus = DesyncCorpus.vectors(HOST);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            DesyncCorpus.Vector v = corpus.get(i);
            DesyncProbe.Outcome o = probe.run(i, v);
            if (o.desync()) {
                failures.add(v.name() + ": " + o);
            }
        }
        assertThat(failures).as("%d vectors", corpus.size()).isEmpty();
    }

    /**
     * Netty's decoder gives a GET with both Hixie-76 handshake keys an 8-byte body (key3) that no
     * header declares. Forwarded, those bytes reached the origin after a request it read as
     * body-less: the start of the next request on the pooled connection, a canary's.
     */
    @Test
    void hixie76KeysFrameNoBodyTheOriginCannotSee() throws Exception {
        int status;
        try (RawHttp c = new RawHttp(proxy.port())) {
            status = c.send("GET /hixie HTTP/1.1\r\nHost: " + HOST + "\r\nSec-WebSocket-Key1: 1 2\r\n"
                    + "Sec-WebSocket-Key2: 3 4\r\n\r\nPUT /s\r\n").read().status();
        }
        try (RawHttp c = new RawHttp(proxy.port())) {
            RawHttp.Response r = c.send("GET /canary HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").read();
            assertThat(r.text()).as("the canary's own answer").isEqualTo("seen /canary");
        }
        assertThat(status).isEqualTo(400);
        assertThat(origin.answered).containsExactly("/canary");
    }
}
