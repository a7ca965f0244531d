package io.mesoslb.server.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderScanTest {

    @Test
    void findsEveryHeaderOfInterestInAnyCase() {
        Map<String, Integer> bits = Map.ofEntries(
                Map.entry("Keep-Alive", HeaderScan.HAS_KEEP_ALIVE),
                Map.entry("te", HeaderScan.HAS_TE),
                Map.entry("TRAILER", HeaderScan.HAS_TRAILER),
                Map.entry("Proxy-Connection", HeaderScan.HAS_PROXY_CONNECTION),
                Map.entry("upgrade", HeaderScan.HAS_UPGRADE),
                Map.entry("X-Forwarded-For", HeaderScan.HAS_X_FORWARDED_FOR),
                Map.entry("x-forwarded-PROTO", HeaderScan.HAS_X_FORWARDED_PROTO),
                Map.entry("X-Forwarded-Port", HeaderScan.HAS_X_FORWARDED_PORT),
                Map.entry("X-Forwarded-Host", HeaderScan.HAS_X_FORWARDED_HOST),
                Map.entry("Via", HeaderScan.HAS_VIA),
                Map.entry("Transfer-Encoding", HeaderScan.HAS_TRANSFER_ENCODING),
                Map.entry("Content-Length", HeaderScan.HAS_CONTENT_LENGTH),
                Map.entry("Expect", HeaderScan.HAS_EXPECT));
        for (Map.Entry<String, Integer> e : bits.entrySet()) {
            HttpHeaders h = new DefaultHttpHeaders().add("Host", "a").add(e.getKey(), "1").add("X-Other", "2");
            assertThat(HeaderScan.scan(h)).as(e.getKey()).isEqualTo(HeaderScan.HAS_HOST | e.getValue());
        }
    }

    @Test
    void aSecondHostIsFlagged() {
        assertThat(HeaderScan.scan(new DefaultHttpHeaders().add("Host", "a").add("X-Other", "2")))
                .isEqualTo(HeaderScan.HAS_HOST);
        assertThat(HeaderScan.scan(new DefaultHttpHeaders().add("Host", "a").add("HOST", "b")))
                .isEqualTo(HeaderScan.HAS_HOST | HeaderScan.DUPLICATE_HOST);
    }

    @Test
    void namesOfTheSameLengthAreToldApart() {
        // Same lengths as headers of interest: 2, 3, 4, 6, 7, 10, 14, 15, 16, 17.
        HttpHeaders h = new DefaultHttpHeaders()
                .add("XX", "1").add("Date", "1").add("Age", "1").add("Cookie", "1").add("Referer", "1").add("User-Agent", "1")
                .add("Content-Length", "1").add("Accept-Language", "1").add("Content-Encoding", "1")
                .add("X-Forwarded-Protx", "1");
        assertThat(HeaderScan.scan(h)).isEqualTo(HeaderScan.HAS_CONTENT_LENGTH);
    }

    @Test
    void connectionTokensComeWithPresence() {
        HttpHeaders h = new DefaultHttpHeaders().add("connection", "close").add("Connection", "x-hop");
        assertThat(HeaderScan.scan(h)).isEqualTo(HeaderScan.PRESENT | HeaderScan.CLOSE | HeaderScan.NAMES_OTHERS);
    }

    @Test
    void connectionNamingAFramingOrRoutingHeaderIsFlaggedAndNeverStrips() {
        for (String token : new String[] {"content-length", "Transfer-Encoding", "HOST"}) {
            HttpHeaders h = new DefaultHttpHeaders().add("Host", "a").add("Connection", "keep-alive, " + token)
                    .add("Content-Length", "5").add("Transfer-Encoding", "chunked");
            int bits = HeaderScan.scan(h);
            assertThat(bits & HeaderScan.NAMES_FRAMING).as(token).isNotZero();
            assertThat(bits & HeaderScan.NAMES_OTHERS).as(token).isZero();
            HopByHopHeaders.strip(h, bits, false);
            assertThat(h.names()).as(token).containsExactlyInAnyOrder("Host", "Content-Length", "Transfer-Encoding");
        }
    }

    @Test
    void underscoreSpellingsOfFramingHeadersAreFlagged() {
        assertThat(HeaderScan.scan(new DefaultHttpHeaders().add("Transfer_Encoding", "chunked")))
                .isEqualTo(HeaderScan.FRAMING_LOOKALIKE);
        assertThat(HeaderScan.scan(new DefaultHttpHeaders().add("CONTENT_LENGTH", "1")))
                .isEqualTo(HeaderScan.FRAMING_LOOKALIKE);
    }

    @Test
    void forwardingHeadersReplaceWhatWasSentAndAddWhatWasNot() {
        HttpHeaders sent = new DefaultHttpHeaders().add("Host", "h").add("X-Forwarded-Proto", "https")
                .add("x-forwarded-proto", "gopher").add("Via", "1.0 edge");
        HttpHeaders bare = new DefaultHttpHeaders().add("Host", "h");
        EmbeddedChannel client = new EmbeddedChannel();
        ForwardedHeaders forwarded = new ForwardedHeaders(client, false);
        client.finishAndReleaseAll();
        for (HttpHeaders h : new HttpHeaders[] {sent, bare}) {
            forwarded.applyToRequest(h, HeaderScan.scan(h), HttpVersion.HTTP_1_1, "h", "10.0.0.1", false);
            assertThat(h.getAll("X-Forwarded-Proto")).containsExactly("http");
            // An embedded channel has no port.
            assertThat(h.getAll("X-Forwarded-Port")).containsExactly("");
            assertThat(h.getAll("X-Forwarded-Host")).containsExactly("h");
            assertThat(h.getAll("X-Forwarded-For")).containsExactly("10.0.0.1");
        }
        assertThat(sent.getAll("Via")).containsExactly("1.0 edge, 1.1 mesos-lb");
        assertThat(bare.getAll("Via")).containsExactly("1.1 mesos-lb");
    }

    @Test
    void headersReadInPlaceScanAsTheGeneralKindDoes() {
        List<List<String>> sets = List.of(
                List.of("HOST", "a", "keep-alive", "1", "TE", "trailers", "Trailer", "x", "PROXY-connection", "1",
                        "Upgrade", "websocket", "X-Forwarded-FOR", "1", "X-forwarded-Proto", "https",
                        "x-forwarded-port", "1", "X-FORWARDED-HOST", "h", "vIA", "1.0 edge", "Expect", "100-continue",
                        "Content-TYPE", "application/grpc", "GRPC-Timeout", "1S"),
                List.of("XX", "1", "Date", "1", "Age", "1", "Cookie", "1", "Referer", "1", "User-Agent", "1",
                        "Accept-Language", "1", "Content-Encoding", "1", "X-Forwarded-Protx", "1", "Content-Length", "1"),
                List.of("Host", "a", "host", "b", "Connection", "Upgrade, x-hop"),
                List.of("Transfer_Encoding", "chunked", "content_length", "1", "Connection", "close, HOST"));
        for (List<String> fields : sets) {
            HttpHeaders general = new DefaultHttpHeaders();
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < fields.size(); i += 2) {
                general.add(fields.get(i), fields.get(i + 1));
                lines.append(fields.get(i)).append(": ").append(fields.get(i + 1)).append("\r\n");
            }
            byte[] head = ("GET / HTTP/1.1\r\n" + lines + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            RelayedHeaders relayed = new HeadReader(4096, 8192).fields(head, "GET / HTTP/1.1\r\n".length());
            assertThat(relayed).as("read in place: %s", fields).isNotNull();
            assertThat(HeaderScan.scan(relayed)).as("%s", fields).isEqualTo(HeaderScan.scan(general)).isNotZero();
        }
    }
}
