package io.mesoslb.server.proxy.http;

import io.mesoslb.server.proxy.tunnel.TunnelSwitch;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {

    @Test
    void noConnectionHeaderReadsAsNothing() {
        assertThat(HopByHopHeaders.connection(new DefaultHttpHeaders())).isZero();
    }

    @Test
    void readsEveryTokenOfEveryConnectionHeader() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "Keep-Alive ,\tX-Secret")
                .add("Connection", "UPGRADE");
        int bits = HopByHopHeaders.connection(h);
        assertThat(bits).isEqualTo(HopByHopHeaders.PRESENT | HopByHopHeaders.KEEP_ALIVE | HopByHopHeaders.UPGRADE
                | HopByHopHeaders.NAMES_OTHERS);
    }

    @Test
    void keepAliveAgreesWithNettyForEveryVersionAndValue() {
        List<String> values = List.of("", "close", "keep-alive", "Close, Keep-Alive", "upgrade", "x, keep-alive", "te");
        for (HttpVersion v : List.of(HttpVersion.HTTP_1_0, HttpVersion.HTTP_1_1)) {
            for (String value : values) {
                HttpRequest req = new DefaultHttpRequest(v, HttpMethod.GET, "/");
                if (!value.isEmpty()) {
                    req.headers().set("Connection", value);
                }
                boolean ours = HopByHopHeaders.isKeepAlive(v, HopByHopHeaders.connection(req.headers()));
                assertThat(ours).as("%s Connection: %s", v, value).isEqualTo(HttpUtil.isKeepAlive(req));
            }
        }
    }

    @Test
    void stripsHopByHopHeadersAndThoseConnectionNames() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Secret")
                .add("Connection", "x-other")
                .add("X-Secret", "1")
                .add("X-Other", "2")
                .add("Keep-Alive", "timeout=5")
                .add("TE", "trailers")
                .add("Trailer", "x")
                .add("Proxy-Connection", "keep-alive")
                .add("Upgrade", "websocket")
                .add("Transfer-Encoding", "chunked")
                .add("X-Kept", "3");
        HopByHopHeaders.strip(h, false);
        assertThat(h.names()).containsExactlyInAnyOrder("Transfer-Encoding", "X-Kept");
    }

    @Test
    void aTunnelKeepsUpgradeAndSaysSo() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "Upgrade, keep-alive")
                .add("Upgrade", "websocket");
        int bits = HopByHopHeaders.connection(h);
        assertThat(TunnelSwitch.isRequested(bits)).isTrue();
        HopByHopHeaders.strip(h, bits, true);
        assertThat(h.get("Connection")).isEqualTo("upgrade");
        assertThat(h.get("Upgrade")).isEqualTo("websocket");
    }

    @Test
    void upgradeWithoutTheConnectionTokenIsNoTunnel() {
        HttpHeaders h = new DefaultHttpHeaders().add("Upgrade", "websocket");
        int bits = HopByHopHeaders.connection(h);
        assertThat(TunnelSwitch.isRequested(bits)).isFalse();
        HopByHopHeaders.strip(h, bits, false);
        assertThat(h.isEmpty()).isTrue();
    }
}
