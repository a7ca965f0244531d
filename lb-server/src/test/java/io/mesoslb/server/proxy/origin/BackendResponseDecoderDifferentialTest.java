package io.mesoslb.server.proxy.origin;

import static io.mesoslb.server.proxy.http.CorpusParts.pick;
import static io.mesoslb.server.proxy.http.MessageTranscript.escape;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.client.ClientChannelInitializer;
import io.mesoslb.server.proxy.http.HopByHopHeaders;
import io.mesoslb.server.proxy.http.CorpusParts;
import io.mesoslb.server.proxy.http.MessageTranscript;
import io.mesoslb.server.proxy.http.ReadWays;
import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.mesoslb.server.proxy.http.ResponseHeads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The head-relaying response decoder against Netty's {@code HttpResponseDecoder} with the HEAD rule
 * (what {@code BackendResponseDecoder} was before): the same bytes, split at the same random places,
 * must give the same messages (version, status code and reason, every header in order, the body,
 * how it ends, trailers, the verdict on malformed input, and whether bytes are left over at each
 * response's end). And what a client reads, once the proxy has made a response fit for it, must
 * read the same either way.
 */
class BackendResponseDecoderDifferentialTest {
    private static final ProxySettings SETTINGS = CorpusParts.SETTINGS;
    /** Bodies cut in small pieces, as a large body is by the product's chunk size. */
    private static final HttpDecoderConfig SMALL_PIECES = ClientChannelInitializer.decoderConfig(SETTINGS).setMaxChunkSize(3);
    private static final long SEED = 0x7265737030L;
    private static final int CASES = 5000;

    @Test
    void sameMessagesAsNettysDecoderOnValidAndMalformedResponses() {
        Random random = new Random(SEED);
        ReadWays ways = new ReadWays();
        for (int n = 0; n < CASES; n++) {
            boolean[] heads = Corpus.heads(random);
            List<Integer> starts = new ArrayList<>();
            byte[] input = Corpus.input(random, heads, starts);
            int[] splits = MessageTranscript.splits(random, input.length, starts);
            HttpDecoderConfig config = random.nextBoolean() ? ClientChannelInitializer.decoderConfig(SETTINGS) : SMALL_PIECES;
            String text = new String(input, StandardCharsets.ISO_8859_1);

            Reference netty = new Reference(config);
            List<String> expected = MessageTranscript.of(new EmbeddedChannel(netty, new Answers(heads, netty)), input, splits);
            BackendResponseDecoder decoder = new BackendResponseDecoder(config);
            Answers answers = new Answers(heads, decoder, ways);
            List<String> actual = MessageTranscript.of(new EmbeddedChannel(decoder, answers), input, splits);

            assertThat(actual).as("case %d (HEAD %s): %s", n, Arrays.toString(heads), escape(text))
                    .isEqualTo(expected);
            ways.endCase();
        }
        // Every way must be exercised for the comparison to mean anything.
        ways.assertEveryWay(CASES / 5, CASES / 10, CASES / 20, CASES / 50);
    }

    @Test
    void whatTheClientReadsIsTheSameAfterTheProxysEdits() {
        Random random = new Random(SEED + 1);
        int compared = 0;
        int relayed = 0;
        for (int n = 0; n < CASES; n++) {
            boolean head = random.nextInt(5) == 0;
            boolean[] heads = {head, head};
            byte[] input = Corpus.valid(random, head);
            HttpVersion clientVersion = random.nextInt(4) == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
            boolean keepAlive = random.nextInt(4) != 0;
            HttpDecoderConfig config = ClientChannelInitializer.decoderConfig(SETTINGS);

            Reference netty = new Reference(config);
            List<Object> viaNetty = messages(new EmbeddedChannel(netty, new Answers(heads, netty)), input);
            BackendResponseDecoder decoder = new BackendResponseDecoder(config);
            List<Object> viaOurs = messages(new EmbeddedChannel(decoder, new Answers(heads, decoder)), input);
            try {
                if (viaNetty.stream().anyMatch(m -> m instanceof HttpResponse r && r.decoderResult().isFailure())) {
                    continue;
                }
                relayed += viaOurs.stream().anyMatch(m -> m instanceof HttpResponse r
                        && r.headers() instanceof RelayedHeaders) ? 1 : 0;
                List<String> expected = toClient(new EmbeddedChannel(new HttpServerCodec(config)), viaNetty, head,
                        clientVersion, keepAlive, n);
                List<String> actual = toClient(new EmbeddedChannel(ClientChannelInitializer.http1Codec(SETTINGS)),
                        viaOurs, head, clientVersion, keepAlive, n);
                assertThat(actual).as("case %d (HEAD %s, client %s, keep-alive %s): %s", n, head, clientVersion,
                        keepAlive, escape(new String(input, StandardCharsets.ISO_8859_1))).isEqualTo(expected);
                compared++;
            } finally {
                viaNetty.forEach(ReferenceCountUtil::release);
                viaOurs.forEach(ReferenceCountUtil::release);
            }
        }
        assertThat(compared).isGreaterThan(CASES / 2);
        assertThat(relayed).as("responses relayed from the received bytes").isGreaterThan(CASES / 3);
    }

    /** Netty's response decoder with the rule HEAD answers have no body: what the proxy used before. */
    private static final class Reference extends HttpResponseDecoder implements HeadAware {
        private boolean head;

        Reference(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        public void answering(boolean toHead) {
            head = toHead;
        }

        @Override
        public boolean leftOver() {
            return actualReadableBytes() > 0;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (head && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }

    /** The two decoders as the test drives them. */
    private interface HeadAware {
        void answering(boolean toHead);

        boolean leftOver();
    }

    /**
     * After the decoder: moves to the next exchange's request (a HEAD or not) at each response end,
     * as the proxy does, and notes whether bytes were left over then, as the pool asks.
     */
    private static final class Answers extends ChannelInboundHandlerAdapter {
        private final boolean[] heads;
        private final HeadAware decoder;
        private final ReadWays ways;
        private int exchange;

        Answers(boolean[] heads, HeadAware decoder) {
            this(heads, decoder, new ReadWays());
        }

        private Answers(boolean[] heads, HeadAware decoder, ReadWays ways) {
            this.heads = heads;
            this.decoder = decoder;
            this.ways = ways;
            decoder.answering(heads[0]);
        }

        Answers(boolean[] heads, BackendResponseDecoder decoder) {
            this(heads, decoder, new ReadWays());
        }

        /** @param ways told which way each head was read */
        Answers(boolean[] heads, BackendResponseDecoder decoder, ReadWays ways) {
            this(heads, new HeadAware() {
                @Override
                public void answering(boolean toHead) {
                    decoder.awaitResponse(toHead);
                }

                @Override
                public boolean leftOver() {
                    return decoder.holdsUnreadBytes();
                }
            }, ways);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ways.saw(msg);
            if (msg instanceof LastHttpContent last && last.decoderResult().isSuccess()) {
                ctx.fireChannelRead(msg);
                ctx.fireChannelRead("END leftover=" + decoder.leftOver());
                exchange++;
                decoder.answering(heads[Math.min(exchange, heads.length - 1)]);
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static List<Object> messages(EmbeddedChannel ch, byte[] input) {
        ch.writeInbound(Unpooled.wrappedBuffer(input));
        ch.finish();
        List<Object> all = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (!(msg instanceof String)) {
                all.add(msg);
            }
        }
        return all;
    }

    /**
     * What the client reads: the request answered goes through the client codec (which learns its
     * method), the decoded response is made fit for the client as {@code ClientResponseWriter} makes
     * it, encoded by the codec and read back by Netty's decoder.
     */
    private static List<String> toClient(EmbeddedChannel codec, List<Object> fromBackend, boolean head,
                                         HttpVersion clientVersion, boolean keepAlive, int n) {
        codec.writeInbound(Unpooled.copiedBuffer((head ? "HEAD" : "GET") + " / " + clientVersion + "\r\nHost: h\r\n\r\n",
                StandardCharsets.ISO_8859_1));
        Object in;
        while ((in = codec.readInbound()) != null) {
            ReferenceCountUtil.release(in);
        }
        boolean interimEnd = false;
        for (Object msg : fromBackend) {
            ReferenceCountUtil.retain(msg);
            if (msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                HopByHopHeaders.strip(r.headers(), false);
                codec.writeOutbound(new DefaultFullHttpResponse(r.protocolVersion(), r.status(), Unpooled.EMPTY_BUFFER,
                        r.headers(), EmptyHttpHeaders.INSTANCE));
                // Its end is still to come unless it came whole, as ClientResponseWriter tells them.
                interimEnd = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                continue;
            }
            if (interimEnd && msg instanceof LastHttpContent) {
                interimEnd = false;
                ReferenceCountUtil.release(msg);
                continue;
            }
            if (msg instanceof HttpResponse r) {
                int connection = HopByHopHeaders.connection(r.headers());
                ResponseHeads.prepareForClient(r, connection, clientVersion, keepAlive, head);
                if (n % 2 == 0) {
                    r.headers().add(HttpHeaderNames.SET_COOKIE, "mesos-lb-sticky=t1; Path=/; HttpOnly");
                }
                if (n % 3 == 0) {
                    r.headers().set("Strict-Transport-Security", "max-age=31536000");
                }
            }
            codec.writeOutbound(msg);
        }
        ByteBuf wire = Unpooled.buffer();
        Object out;
        while ((out = codec.readOutbound()) != null) {
            wire.writeBytes((ByteBuf) out);
            ((ByteBuf) out).release();
        }
        codec.finishAndReleaseAll();
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes);
        wire.release();
        Reference client = new Reference(new HttpDecoderConfig());
        client.answering(head);
        return MessageTranscript.of(new EmbeddedChannel(client), bytes, new int[0]);
    }

    /** Responses built from parts, most of them well-formed, many with one thing wrong. */
    static final class Corpus {
        private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0",
                "HTTP/1.2", "http/1.1", "HTTP/1.10", "HTTP/0.9", "ICY", ""};
        private static final String[] STATUSES = {"200 OK", "200 OK", "200 OK", "404 Not Found", "201 Created",
                "302 Found", "500 Internal Server Error", "200 Okay", "200 ", "299 Custom Thing", "503 Service Unavailable",
                "204 No Content", "304 Not Modified", "205 Reset Content", "404 not found", "200 O\u00e9K", "200 a\tb",
                // odd or malformed
                "200", "200  OK", "200 OK ", "200 OK\t", "200\tOK", "200 \tOK", "200 O\u0001K", "200 O\u007fK",
                "600 Odd", "099 Low", "000 Zero", "20 Short", "2000 Long", "abc Bad", "+200 Plus", "-200 Minus",
                "200 O\rK", "200 OK\u000b", " 200 OK"};
        private static final String[] INTERIM = {"100 Continue", "103 Early Hints", "102 Processing", "100 Whatever",
                "199 Odd"};
        private static final String[] SEPARATORS = {" ", " ", " ", " ", " ", "  ", "\t"};
        private static final String[] LINE_ENDS = {"\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r"};
        private static final String[] FIELDS = {
                "Content-Type: text/html; charset=utf-8", "Server: nginx/1.22.1", "Date: Mon, 07 Dec 2026 00:00:00 GMT",
                "Cache-Control: no-cache", "Set-Cookie: a=b; Path=/", "Set-Cookie: c=d", "ETag: \"abc\"",
                "Last-Modified: Mon, 07 Dec 2026 00:00:00 GMT", "Vary: Accept-Encoding", "Connection: keep-alive",
                "Connection: close", "Connection: close, X-Drop", "X-Drop: gone", "Keep-Alive: timeout=5",
                "Via: 1.0 other", "Location: /next", "Trailer: X-T", "X-Empty:", "X-Empty-Spaced:   ", "X-Tabs:\tv\t",
                "x-lower: v", "X-Latin: \u00ff\u00e9", "Upgrade: websocket", "Proxy-Connection: keep-alive",
                "Transfer_Encoding: chunked", "Content-Encoding: gzip", "Strict-Transport-Security: max-age=1",
                "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                // malformed, or read by Netty's own rules
                "Bad Name: v", "NoColon", ": no-name", "X-Space : v", "X-Tab\t: v", "X-Ctl: a\u0001b", "X-Del: a\u007fb",
                " folded-continuation", "\tfolded-tab", "X-CR: a\rb", "\rX: v", "\rContent-Length: 1", "X{Brace}: v",
        };
        private static final String[] LENGTHS = {"5", "5", "0", "05", "5, 5", "5,6", "-1", "", "abc", "+5",
                "99999999999999999999", " 5 ", "4", "6"};
        private static final String[] CHUNKED = {
                "5\r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", "2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n",
                "5\r\nhello\r\n0\r\nX-Trailer: t\r\nContent-Length: 9\r\n\r\n", "5;ext=1\r\nhello\r\n0\r\n\r\n",
                "5 ;ext\r\nhello\r\n0\r\n\r\n", "0\r\n\r\n", "A\r\n0123456789\r\n0\r\n\r\n",
                "0000005\r\nhello\r\n00\r\n\r\n", "3\r\nhel\r\n2\r\nlo\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n",
                "5\r\nhello\r\n0;last\r\n\r\n", "5\r\nhello\r\n0\r\nContent-Length: 5\r\nTrailer: X\r\n\r\n",
                // malformed, or cut short
                "5\r\nhelloXX0\r\n\r\n", "Z\r\nhello\r\n0\r\n\r\n", "5\nhello\n0\n\n", "-5\r\nhello\r\n0\r\n\r\n",
                "5\r\nhello\r\n0\r\nX-T: a\r\n folded\r\n\r\n", "5\r\nhello\r\n0\r\nBad Trailer\r\n\r\n",
                "ffffffffff\r\nhello\r\n0\r\n\r\n", "5;a=\"\u0001\"\r\nhello\r\n0\r\n\r\n",
                "5\r\nhello\n0\r\n\r\n", "5\r\nhello\r\n0\r\n\r", "5\r\nhello\r\n0\r\n", "5\r\nhel",
                "5\r\nhello\r", "5\r\nhello", "1234567\r\nabc", "12345678\r\nabc", "7fffffff\r\nabc",
                "80000000\r\nabc", "5\r\nhello\r\n\r\n0\r\n\r\n", "5\r\nhello\r\n0\r\n\n"};
        /** How many of {@link #CHUNKED} come first and are well-formed. */
        private static final int USUAL_CHUNKED = 12;

        /** Per exchange, whether its request was a HEAD (the last one holds for whatever follows). */
        static boolean[] heads(Random random) {
            boolean[] heads = new boolean[4];
            for (int i = 0; i < heads.length; i++) {
                heads[i] = random.nextInt(5) == 0;
            }
            return heads;
        }

        /** @param starts filled with where each response starts */
        static byte[] input(Random random, boolean[] heads, List<Integer> starts) {
            StringBuilder s = new StringBuilder();
            int responses = 1 + (random.nextBoolean() ? random.nextInt(3) : 0);
            for (int i = 0; i < responses; i++) {
                starts.add(s.length());
                response(random, s, random.nextInt(3) == 0, heads[Math.min(i, heads.length - 1)], true);
            }
            if (random.nextInt(8) == 0) {
                // cut short: the connection closes mid-response
                s.setLength(random.nextInt(s.length() + 1));
            }
            return s.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** One response, well-formed, possibly after a 1xx; not a 101, after which the bytes are no longer HTTP. */
        static byte[] valid(Random random, boolean head) {
            StringBuilder s = new StringBuilder();
            response(random, s, false, head, false);
            return s.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /**
         * @param wild   the head may be odd or malformed
         * @param oddity the body's framing may be odd or malformed whatever the head is, and the answer a 101
         */
        private static void response(Random random, StringBuilder s, boolean wild, boolean head, boolean oddity) {
            if (wild && random.nextInt(10) == 0) {
                s.append("\r\n");
            }
            String end = wild ? pick(random, LINE_ENDS) : "\r\n";
            String sp = wild ? pick(random, SEPARATORS) : " ";
            String version = wild ? pick(random, VERSIONS) : pick(random, VERSIONS, 4);
            if (random.nextInt(6) == 0) {
                // A 1xx first: the final answer to the same request follows.
                s.append(version).append(sp).append(pick(random, INTERIM)).append(end);
                if (random.nextBoolean()) {
                    s.append("Link: </style.css>; rel=preload").append(end);
                }
                if (random.nextInt(4) == 0) {
                    s.append("Content-Length: 5").append(end);
                }
                s.append(end);
            }
            if (oddity && random.nextInt(40) == 0) {
                switchingProtocols(random, s, version, end);
                return;
            }
            String status = wild ? pick(random, STATUSES) : pick(random, STATUSES, 17);
            if (wild && random.nextInt(30) == 0) {
                status = "200 " + "r".repeat(SETTINGS.maxInitialLineLength());
            }
            s.append(version).append(sp).append(status).append(end);
            CorpusParts.fieldLines(random, s, FIELDS, wild, end, SETTINGS.maxHeaderSize());
            String body = random.nextInt(4) == 0 ? "0123456789abcdefghijklmnopqrstuvwxyz" : "hello";
            // The body's framing goes wrong apart from the head, so that odd bodies follow heads read in place.
            boolean oddBody = oddity && random.nextInt(3) == 0;
            int framing = random.nextInt(oddBody ? 9 : 5);
            switch (framing) {
                case 1, 4 -> s.append("Content-Length: ").append(body.length()).append(end);
                case 2 -> s.append("Content-Length: 0").append(end);
                case 3 -> s.append("Transfer-Encoding: chunked").append(end);
                case 5 -> s.append("Content-Length: ").append(pick(random, LENGTHS)).append(end);
                case 6 -> s.append("Content-Length: 5").append(end).append("Content-Length: 5").append(end);
                case 7 -> s.append("Content-Length: 5").append(end).append("Transfer-Encoding: chunked").append(end);
                case 8 -> s.append("Transfer-Encoding: ")
                        .append(pick(random, new String[] {"gzip, chunked", "chunked, gzip", "identity", "chunked"}))
                        .append(end).append(random.nextBoolean() ? "Transfer-Encoding: chunked" + end : "");
                default -> {
                }
            }
            s.append(end);
            boolean bodyless = head || status.startsWith("204") || status.startsWith("304");
            // A body after a HEAD answer, 204, 304 or a length of 0 is bytes that belong to no response.
            boolean stray = oddBody && random.nextInt(3) == 0;
            if (framing == 3 || framing == 7 || framing == 8) {
                if (!bodyless || stray) {
                    s.append(oddBody ? pick(random, CHUNKED) : pick(random, CHUNKED, USUAL_CHUNKED));
                }
            } else if (framing == 2 ? stray : !bodyless || stray) {
                // With no length, delimited by the close: whatever follows is the body.
                s.append(body);
            }
        }

        /** A 101 to a WebSocket upgrade, then the new protocol's bytes. */
        private static void switchingProtocols(Random random, StringBuilder s, String version, String end) {
            s.append(version).append(" 101 Switching Protocols").append(end);
            switch (random.nextInt(4)) {
                case 0 -> s.append("Upgrade: TLS/1.0, HTTP/1.1").append(end);
                // Without Sec-WebSocket-Accept, Netty's decoder reads a Hixie-76 answer, with a body.
                case 1 -> s.append("Upgrade: websocket").append(end);
                default -> s.append("Upgrade: websocket").append(end)
                        .append("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=").append(end);
            }
            s.append("Connection: Upgrade").append(end);
            s.append(end);
            // The new protocol's bytes, which may look like a response: Netty's decoder says whether they are one.
            s.append(random.nextBoolean() ? "\u0081\u0005hello " : "").append("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
    }
}
