package io.mesoslb.server.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RelayedHeadersTest {
    private static final String LINES = "Host: h.example\r\nAccept: */*\r\n";

    private static RelayedHeaders read(String lines) {
        byte[] head = ("GET / HTTP/1.1\r\n" + lines + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        RelayedHeaders headers = new HeadReader(4096, 8192).fields(head, "GET / HTTP/1.1\r\n".length());
        assertThat(headers).isNotNull();
        return headers;
    }

    private static String written(RelayedHeaders headers) {
        ByteBuf out = Unpooled.buffer();
        try {
            headers.writeTo(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    @Test
    void addedFieldsFollowTheReceivedLinesInTheOrderAddedAndARemovedOneLeavesTheOthersInOrder() {
        RelayedHeaders headers = read(LINES);
        for (int i = 1; i <= 7; i++) {
            headers.add("X-Added-" + i, "v" + i);
        }
        headers.add("X-Added-3", "again");
        headers.remove("x-added-3");
        headers.add("X-Last", "end");

        assertThat(written(headers)).isEqualTo(LINES + "X-Added-1: v1\r\nX-Added-2: v2\r\nX-Added-4: v4\r\n"
                + "X-Added-5: v5\r\nX-Added-6: v6\r\nX-Added-7: v7\r\nX-Last: end\r\n");
        assertThat(headers.size()).isEqualTo(2 + 7);
        assertThat(headers.get("x-added-7")).isEqualTo("v7");
        assertThat(headers.contains("X-Added-3")).isFalse();
        headers.clear();
        assertThat(written(headers)).isEmpty();
        assertThat(headers.isEmpty()).isTrue();
    }

    @Test
    void theProxysOwnFieldsAreAddedWithTheirValueChecked() {
        RelayedHeaders headers = read(LINES);
        RelayedHeaders.addOwnField(headers, HeaderScan.X_FORWARDED_FOR, "192.0.2.1");
        RelayedHeaders.addOwnField(headers, HttpHeaderNames.VIA, AsciiString.cached("1.1 mesos-lb"));

        assertThat(written(headers)).isEqualTo(LINES + "x-forwarded-for: 192.0.2.1\r\nvia: 1.1 mesos-lb\r\n");
        assertThatThrownBy(() -> RelayedHeaders.addOwnField(headers, HeaderScan.X_FORWARDED_HOST, "a\r\nX-Evil: 1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(headers.contains(HeaderScan.X_FORWARDED_HOST)).isFalse();
    }

    @Test
    void theProxysOwnFieldsGoIntoOtherHeadersTheirOwnWay() {
        HttpHeaders headers = new DefaultHttpHeaders();
        RelayedHeaders.addOwnField(headers, HeaderScan.X_FORWARDED_PORT, "8080");
        assertThat(headers.get("X-Forwarded-Port")).isEqualTo("8080");
        assertThatThrownBy(() -> RelayedHeaders.addOwnField(headers, HeaderScan.X_FORWARDED_HOST, "a\nb"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
