package io.mesoslb.server.proxy.client;

import static io.mesoslb.server.proxy.http.CorpusParts.pick;
import static io.mesoslb.server.proxy.http.MessageTranscript.escape;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.http.BodilessRequest;
import io.mesoslb.server.proxy.http.CorpusParts;
import io.mesoslb.server.proxy.http.MessageTranscript;
import io.mesoslb.server.proxy.http.ReadWays;
import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The head-relaying decoder against Netty's {@code HttpServerCodec}, the decoder it replaces: the
 * same bytes, split at the same random places, must give the same requests (method, target,
 * version, every header in order, the body, how it ends, and the verdict on malformed input),
 * message for message, also when requests Netty's decoder reads for it and requests it reads in
 * place follow one another on a connection. And what goes to a backend, once the proxy has edited
 * the head, must read the same either way.
 */
class ClientRequestDecoderDifferentialTest {
    private static final ProxySettings SETTINGS = CorpusParts.SETTINGS;
    /** Bodies cut in small pieces, as a large body is by the product's chunk size. */
    private static final HttpDecoderConfig SMALL_PIECES = ClientChannelInitializer.decoderConfig(SETTINGS).setMaxChunkSize(3);
    private static final long SEED = 0x6d65736f736c62L;
    private static final int CASES = 5000;

    @Test
    void sameRequestsAsNettysDecoderOnValidAndMalformedHeads() {
        Random random = new Random(SEED);
        ReadWays ways = new ReadWays();
        for (int n = 0; n < CASES; n++) {
            List<Integer> starts = new ArrayList<>();
            byte[] input = Corpus.input(random, starts);
            int[] splits = MessageTranscript.splits(random, input.length, starts);
            HttpDecoderConfig config = random.nextBoolean() ? ClientChannelInitializer.decoderConfig(SETTINGS) : SMALL_PIECES;
            EmbeddedChannel netty = new EmbeddedChannel(new HttpServerCodec(config, ClientChannelInitializer.MAX_PIPELINE_DEPTH));
            RequestMethods methods = new RequestMethods(ClientChannelInitializer.MAX_PIPELINE_DEPTH);
            EmbeddedChannel ours = new EmbeddedChannel(new ClientRequestDecoder(config, methods),
                    new ClientResponseEncoder(methods), ways);
            String text = new String(input, StandardCharsets.ISO_8859_1);
            List<String> expected = MessageTranscript.of(netty, input, splits);
            List<String> actual = MessageTranscript.of(ours, input, splits);
            assertThat(actual).as("case %d: %s", n, escape(text)).isEqualTo(expected);
            ways.endCase();
        }
        // Every way must be exercised for the comparison to mean anything.
        ways.assertEveryWay(CASES / 4, CASES / 10, CASES / 20, CASES / 20);
    }

    @Test
    void whatTheBackendReadsIsTheSameAfterTheProxysEdits() {
        Random random = new Random(SEED + 1);
        int compared = 0;
        for (int n = 0; n < CASES; n++) {
            byte[] input = Corpus.valid(random);
            HttpRequest viaNetty = firstRequest(new EmbeddedChannel(new HttpServerCodec(
                    ClientChannelInitializer.decoderConfig(SETTINGS))), input);
            HttpRequest viaOurs = firstRequest(new EmbeddedChannel(ClientChannelInitializer.http1Codec(SETTINGS)), input);
            if (viaNetty == null || viaOurs == null || viaNetty.decoderResult().isFailure()) {
                continue;
            }
            edit(viaNetty.headers(), n);
            edit(viaOurs.headers(), n);
            List<String> expected = reencoded(viaNetty);
            List<String> actual = reencoded(viaOurs);
            assertThat(actual).as("case %d: %s", n, escape(new String(input, StandardCharsets.ISO_8859_1)))
                    .isEqualTo(expected);
            compared++;
        }
        assertThat(compared).isGreaterThan(CASES / 2);
    }

    /** What the exchange does to a head on its way out: hop-by-hop names go, forwarding headers come. */
    private static void edit(HttpHeaders h, int n) {
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove("X-Drop");
        if (n % 3 == 0) {
            h.set(HttpHeaderNames.HOST, "rewritten.example");
        }
        h.add("X-Forwarded-For", "127.0.0.1");
        h.add("X-Forwarded-Proto", "http");
        h.add(HttpHeaderNames.VIA, "1.1 mesos-lb");
    }

    private static HttpRequest firstRequest(EmbeddedChannel ch, byte[] input) {
        ch.writeInbound(Unpooled.wrappedBuffer(input));
        HttpRequest first = null;
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (first == null && msg instanceof HttpRequest r) {
                first = r;
            }
            ReferenceCountUtil.release(msg);
        }
        ch.finishAndReleaseAll();
        return first;
    }

    /** The head as a backend reads it: encoded the way each path encodes, decoded by Netty. */
    private static List<String> reencoded(HttpRequest request) {
        EmbeddedChannel encoder = new EmbeddedChannel(request.headers() instanceof RelayedHeaders
                ? relayingEncoder() : new HttpRequestEncoder());
        if (request instanceof BodilessRequest) {
            // Its end is with it.
            encoder.writeOutbound(request);
        } else {
            encoder.writeOutbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
        }
        ByteBuf wire = Unpooled.buffer();
        Object out;
        while ((out = encoder.readOutbound()) != null) {
            wire.writeBytes((ByteBuf) out);
            ((ByteBuf) out).release();
        }
        encoder.finishAndReleaseAll();
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpRequestDecoder());
        List<String> read = MessageTranscript.of(decoder, ByteBufBytes.of(wire), new int[0]);
        wire.release();
        return read;
    }

    private static ChannelHandler relayingEncoder() {
        return new io.mesoslb.server.proxy.origin.OriginRequestEncoder();
    }

    private static final class ByteBufBytes {
        static byte[] of(ByteBuf b) {
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            return bytes;
        }
    }

    /** Requests built from parts, most of them well-formed, many with one thing wrong, some odd but well-formed. */
    static final class Corpus {
        private static final String[] METHODS = {"GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE",
                "OPTIONS", "PATCH", "CONNECT", "get", "M-SEARCH", "G{T", "", "PROPFIND"};
        private static final String[] TARGETS = {"/", "/", "/index.html", "/a?b=c&d=e", "*", "http://h.example/p",
                "/a%20b", "/\u00e9", "/a b", "/x\u0001", "", "//double", "/" + "a".repeat(200)};
        private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0",
                "HTTP/1.2", "http/1.1", "HTTP/1.10", "HTTP/1.1 ", "HTTP/0.9"};
        private static final String[] SEPARATORS = {" ", " ", " ", " ", "  ", "\t"};
        private static final String[] LINE_ENDS = {"\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r"};
        private static final String[] FIELDS = {
                "Host: www.example.test", "Host: www.example.test", "User-Agent: curl/8.5.0", "Accept: */*",
                "Accept-Encoding: gzip, deflate, br", "Cookie: a=b; c=d", "Connection: keep-alive",
                "Connection: close", "Connection: close, X-Drop", "X-Drop: gone", "Expect: 100-continue",
                "Upgrade: websocket", "Authorization: Basic dXNlcjpwYXNz", "X-Forwarded-For: 10.0.0.1",
                "Via: 1.0 other", "TE: trailers", "Keep-Alive: timeout=5", "Proxy-Connection: keep-alive",
                "Host: second.example.test", "Content-Type: application/json", "X-Empty:", "X-Empty-Spaced:   ",
                "X-Tabs:\tv\t", "x-lower: v", "X-Latin: \u00ff\u00e9", "Transfer_Encoding: chunked",
                "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5", "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00",
                // malformed
                "Bad Name: v", "NoColon", ": no-name", "X-Space : v", "X-Ctl: a\u0001b", "X-Del: a\u007fb",
                " folded-continuation", "\tfolded-tab", "X-CR: a\rb", "\rTransfer-Encoding: chunked", "\rX: v", "X{Brace}: v",
        };
        private static final String[] LENGTHS = {"5", "5", "0", "05", "5, 5", "5,6", "-1", "", "abc", "+5",
                "99999999999999999999", " 5 "};
        /** Chunk data; the size lines are lower-case hex, or now and then upper-case with leading zeros. */
        private static final String[] CHUNKS = {"hello", "a", "0123456789abcdef", "\r\n\r\n", "x".repeat(300)};
        /** What makes a well-formed request one the in-place reader hands to Netty's decoder. */
        private static final int ODD_WAYS = 6;

        /**
         * One connection's bytes: one request, or a few in a row; each plain, wild (perhaps
         * malformed) or odd but well-formed. Where each request starts goes to {@code starts}.
         */
        static byte[] input(Random random, List<Integer> starts) {
            StringBuilder s = new StringBuilder();
            int requests = 1 + (random.nextInt(3) == 0 ? 1 + random.nextInt(4) : 0);
            for (int i = 0; i < requests; i++) {
                starts.add(s.length());
                int kind = random.nextInt(6);
                if (kind == 0) {
                    odd(random, s);
                } else {
                    request(random, s, kind == 1, random.nextInt(4) == 0);
                }
            }
            if (random.nextInt(8) == 0) {
                // cut short: the connection closes mid-request
                s.setLength(random.nextInt(s.length() + 1));
            }
            return s.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** One request, well-formed unless the dice say otherwise. */
        static byte[] valid(Random random) {
            StringBuilder s = new StringBuilder();
            request(random, s, false, random.nextInt(4) == 0);
            return s.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** A well-formed request of a shape the in-place reader leaves, whole or in part, to Netty's decoder. */
        private static void odd(Random random, StringBuilder s) {
            int way = random.nextInt(ODD_WAYS);
            if (way == 0) {
                s.append("\r\n");
            }
            s.append(pick(random, METHODS, 10)).append(' ').append(pick(random, TARGETS, 6)).append(" HTTP/1.1\r\n");
            CorpusParts.fieldLines(random, s, FIELDS, false, "\r\n", SETTINGS.maxHeaderSize());
            switch (way) {
                case 1 -> s.append("X-Folded: a\r\n  b\r\n");
                case 2 -> {
                    // Netty's decoder reads the coding whatever its case.
                    s.append("Transfer-Encoding: Chunked\r\n\r\n");
                    chunkedBody(random, s, false, false);
                    return;
                }
                case 3, 4 -> {
                    // The head is read in place; the body's framing turns odd: an extension, a trailer.
                    s.append("Transfer-Encoding: chunked\r\n\r\n");
                    chunkedBody(random, s, true, false);
                    return;
                }
                case 5 -> s.append("X-Many: v\r\n".repeat(RelayedHeaders.MAX_FIELDS + 1));
                default -> {
                }
            }
            s.append("Content-Length: 5\r\n\r\nhello");
        }

        /** A request; wild: perhaps one thing wrong; chunked: a chunked body when the framing is left to chance. */
        private static void request(Random random, StringBuilder s, boolean wild, boolean chunked) {
            if (wild && random.nextInt(10) == 0) {
                s.append("\r\n");
            }
            String end = wild ? pick(random, LINE_ENDS) : "\r\n";
            String sp = wild ? pick(random, SEPARATORS) : " ";
            String method = wild ? pick(random, METHODS) : pick(random, METHODS, 10);
            s.append(method).append(sp).append(wild ? pick(random, TARGETS) : pick(random, TARGETS, 6))
                    .append(sp).append(wild ? pick(random, VERSIONS) : pick(random, VERSIONS, 4)).append(end);
            CorpusParts.fieldLines(random, s, FIELDS, wild, end, SETTINGS.maxHeaderSize());
            String body = "hello";
            int framing = chunked ? 4 : random.nextInt(wild ? 6 : 3);
            switch (framing) {
                case 1 -> s.append("Content-Length: ").append(body.length()).append(end);
                case 2 -> s.append("Content-Length: 0").append(end);
                case 3 -> s.append("Content-Length: ").append(pick(random, LENGTHS)).append(end);
                case 4 -> s.append("Transfer-Encoding: chunked").append(end);
                case 5 -> s.append("Content-Length: 5").append(end).append("Content-Length: 5").append(end);
                default -> {
                }
            }
            s.append(end);
            if (framing == 1 || framing == 3 || framing == 5) {
                s.append(body);
            } else if (framing == 4) {
                chunkedBody(random, s, wild && random.nextBoolean(), wild);
            }
        }

        /**
         * Up to three chunks and the last one; odd: one size line with an extension, or a trailer;
         * wild: now and then a bare LF after a chunk's data as well.
         */
        private static void chunkedBody(Random random, StringBuilder s, boolean odd, boolean wild) {
            int chunks = random.nextInt(4);
            int oddAt = odd ? random.nextInt(chunks + 2) : -1;
            for (int i = 0; i <= chunks; i++) {
                boolean last = i == chunks;
                String data = last ? "" : pick(random, CHUNKS);
                String size = Integer.toHexString(data.length());
                if (random.nextInt(4) == 0) {
                    size = "00" + size.toUpperCase(Locale.ROOT);
                }
                s.append(size).append(i == oddAt ? ";ext=1" : "").append("\r\n").append(data);
                if (!last) {
                    s.append(wild && random.nextInt(4) == 0 ? "\n" : "\r\n");
                }
            }
            if (oddAt > chunks) {
                s.append("X-Trailer: t\r\n");
            }
            s.append("\r\n");
        }
    }
}
