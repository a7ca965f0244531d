package io.mesoslb.server.proxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.server.proxy.http.BodilessRequest;
import io.mesoslb.server.proxy.http.CorpusParts;
import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which way {@link ClientRequestDecoder} reads each request of a connection: in place, or by Netty's
 * decoder for one odd request, and in place again after it.
 */
class ClientRequestDecoderTest {
    private static final String NEXT = "GET /next HTTP/1.1\r\nHost: h.example\r\n\r\n";
    private static final String LAST = "GET /last HTTP/1.1\r\nHost: h.example\r\n\r\n";

    private final EmbeddedChannel channel = new EmbeddedChannel(ClientChannelInitializer.http1Codec(CorpusParts.SETTINGS));
    private final ClientRequestDecoder decoder = channel.pipeline().get(ClientRequestDecoder.class);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /**
     * Each odd request is one whose head, or whose chunked body, Netty's decoder reads: a leading
     * empty line, obs-fold, the coding spelled {@code Chunked}, more fields than a relayed head holds,
     * a chunk extension, a trailer.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "\r\nPOST /odd HTTP/1.1\r\nHost: h.example\r\nContent-Length: 5\r\n\r\nhello",
            "POST /odd HTTP/1.1\r\nHost: h.example\r\nX-Folded: a\r\n  b\r\nContent-Length: 5\r\n\r\nhello",
            "POST /odd HTTP/1.1\r\nHost: h.example\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "POST /odd HTTP/1.1\r\nHost: h.example\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n",
            "POST /odd HTTP/1.1\r\nHost: h.example\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: t\r\n\r\n",
    })
    void afterARequestNettysDecoderReadTheNextIsReadInPlace(String odd) {
        String many = "POST /odd HTTP/1.1\r\nHost: h.example\r\n" + "X-Many: v\r\n".repeat(RelayedHeaders.MAX_FIELDS)
                + "Content-Length: 5\r\n\r\nhello";
        for (String request : List.of(odd, many)) {
            // All but the odd request's last byte: Netty's decoder is in the middle of it.
            write(request.substring(0, request.length() - 1));
            assertThat(decoder.readsInPlace()).as("in the middle of %s", request).isFalse();
            // Its last byte with the next request, pipelined behind it in the same read.
            write(request.substring(request.length() - 1) + NEXT);
            assertThat(decoder.readsInPlace()).as("after %s", request).isTrue();
            write(LAST);

            List<Object> read = readAll();
            assertThat(uris(read)).containsExactly("/odd", "/next", "/last");
            assertThat(body(read)).isEqualTo("hello");
            assertThat(relayed(read).subList(1, 3)).as("read in place").containsExactly(true, true);
            assertThat(read.stream().filter(ClientRequestDecoderTest::ends)).hasSize(3);
            read.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void aRequestWithoutABodyIsOneMessageItsEndWithIt() {
        write("GET /a HTTP/1.1\r\nHost: h.example\r\n\r\n"
                + "POST /b HTTP/1.0\r\nHost: h.example\r\nContent-Length: 0\r\n\r\n"
                + "POST /c HTTP/1.1\r\nHost: h.example\r\nContent-Length: 1\r\n\r\nx");

        List<Object> read = readAll();
        assertThat(read).hasSize(4);
        assertThat(read.subList(0, 2)).allMatch(m -> m instanceof BodilessRequest);
        assertThat(read.get(2)).isInstanceOf(HttpRequest.class).isNotInstanceOf(BodilessRequest.class);
        assertThat(read.get(3)).isInstanceOf(LastHttpContent.class);
        read.forEach(ReferenceCountUtil::release);
    }

    @Test
    void aChunkedRequestOfTheUsualShapeIsReadInPlaceByteByByte() {
        String request = "POST /up HTTP/1.1\r\nHost: h.example\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n" + NEXT;
        for (char c : request.toCharArray()) {
            write(String.valueOf(c));
            assertThat(decoder.readsInPlace()).as("after %s", c).isTrue();
        }

        List<Object> read = readAll();
        assertThat(uris(read)).containsExactly("/up", "/next");
        assertThat(relayed(read)).containsExactly(true, true);
        assertThat(body(read)).isEqualTo("hello world");
        assertThat(read.stream().filter(ClientRequestDecoderTest::ends)).hasSize(2);
        read.forEach(ReferenceCountUtil::release);
    }

    @Test
    void theBytesBehindAnUpgradeAfterAnOddRequestReachTheTunnelUndecoded() {
        // What a WebSocket client may send before the 101: a frame, no line in it.
        String frame = "\u0081\u0002hi";
        write("GET /odd HTTP/1.1\r\nHost: h.example\r\nX-Folded: a\r\n  b\r\n\r\n"
                + "GET /ws HTTP/1.1\r\nHost: h.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n" + frame);
        List<Object> read = readAll();
        assertThat(uris(read)).containsExactly("/odd", "/ws");
        read.forEach(ReferenceCountUtil::release);

        // What TunnelSwitch does once the 101 is out.
        ClientChannelInitializer.removeHttp1Codec(channel.pipeline());
        ByteBuf raw = channel.readInbound();
        assertThat(raw.toString(StandardCharsets.ISO_8859_1)).isEqualTo(frame);
        raw.release();
    }

    @Test
    void afterAMalformedRequestNettysDecoderReadsTheRestOfTheConnection() {
        write("GET /bad HTTP/1.1\r\nBad Name: v\r\n\r\n" + NEXT);
        write(LAST);

        List<Object> read = readAll();
        assertThat(read).hasSize(1);
        assertThat(((HttpRequest) read.get(0)).decoderResult().isFailure()).isTrue();
        assertThat(decoder.readsInPlace()).isFalse();
        read.forEach(ReferenceCountUtil::release);
    }

    @Test
    void theMethodsOfRequestsReadEitherWayStayInOrderForTheEncoder() {
        // An odd HEAD, then a plain GET behind it: the first answer has no body, the second has.
        write("HEAD /odd HTTP/1.1\r\nHost: h.example\r\nX-Folded: a\r\n  b\r\n\r\n" + NEXT);
        readAll().forEach(ReferenceCountUtil::release);

        channel.writeOutbound(answer(), answer());
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        assertThat(out.toString()).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc");
    }

    private static DefaultFullHttpResponse answer() {
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("abc", StandardCharsets.ISO_8859_1));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 3);
        return r;
    }

    private void write(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private List<Object> readAll() {
        List<Object> read = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            read.add(msg);
        }
        return read;
    }

    /** A request's end: a last content, or a head that is the whole request. */
    private static boolean ends(Object m) {
        return m instanceof LastHttpContent || m instanceof BodilessRequest;
    }

    private static List<String> uris(List<Object> read) {
        return read.stream().filter(m -> m instanceof HttpRequest).map(m -> ((HttpRequest) m).uri()).toList();
    }

    private static List<Boolean> relayed(List<Object> read) {
        return read.stream().filter(m -> m instanceof HttpRequest)
                .map(m -> ((HttpRequest) m).headers() instanceof RelayedHeaders).toList();
    }

    private static String body(List<Object> read) {
        StringBuilder s = new StringBuilder();
        for (Object m : read) {
            if (m instanceof HttpContent c) {
                s.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
        }
        return s.toString();
    }
}
