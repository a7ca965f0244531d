package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * What a decoder made of some bytes, as lines to compare between two decoders: each head (start
 * line, every field in order, or the failure), each body joined and how it ended (with its
 * trailers), raw bytes after a protocol switch, and any marker a test's handler put in between
 * (a {@code String}). Every message is released once described.
 */
public final class MessageTranscript {
    private final List<String> seen = new ArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    /** {@code input} fed in pieces ending at {@code splits}, then the close: what came out. */
    public static List<String> of(EmbeddedChannel ch, byte[] input, int[] splits) {
        return new MessageTranscript().feed(ch, input, splits).close(ch);
    }

    /** Feeds {@code input} in pieces ending at {@code splits}, describing what comes out after each. */
    public MessageTranscript feed(EmbeddedChannel ch, byte[] input, int[] splits) {
        int from = 0;
        for (int i = 0; i <= splits.length; i++) {
            int to = i < splits.length ? splits[i] : input.length;
            if (to > from) {
                ch.writeInbound(Unpooled.wrappedBuffer(input, from, to - from));
            }
            from = to;
            drain(ch);
        }
        return this;
    }

    /** Closes the connection; what came out, a body not ended included. */
    public List<String> close(EmbeddedChannel ch) {
        ch.finish();
        drain(ch);
        if (body.size() > 0) {
            seen.add("BODY (unended) " + body.toString(StandardCharsets.ISO_8859_1));
        }
        ch.finishAndReleaseAll();
        return seen;
    }

    /** Where to cut {@code length} bytes into reads: nowhere, or at a few random places. */
    public static int[] splits(Random random, int length) {
        return splits(random, length, List.of());
    }

    /** As {@link #splits(Random, int)}, and often at {@code starts} too (each message in a read of its own). */
    public static int[] splits(Random random, int length, List<Integer> starts) {
        if (length < 2 || random.nextInt(3) == 0) {
            return new int[0];
        }
        IntStream points = random.ints(1 + random.nextInt(4), 1, length);
        if (!starts.isEmpty() && random.nextBoolean()) {
            points = IntStream.concat(points, starts.stream().mapToInt(Integer::intValue).filter(p -> p > 0 && p < length));
        }
        return points.sorted().distinct().toArray();
    }

    public static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    private void drain(EmbeddedChannel ch) {
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            try {
                describe(msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private void describe(Object msg) {
        if (msg instanceof String marker) {
            seen.add(marker);
            return;
        }
        if (msg instanceof HttpMessage m) {
            seen.add(head(m));
        }
        if (msg instanceof HttpContent c) {
            append(c.content());
            if (c.decoderResult().isFailure()) {
                seen.add("BODY FAILED " + c.decoderResult().cause().getClass().getSimpleName());
            }
            if (msg instanceof LastHttpContent last) {
                ended(last.trailingHeaders());
            }
        } else if (msg instanceof BodilessRequest) {
            // Its end came with it: described as a head and an empty end, as Netty's decoder hands it on.
            ended(EmptyHttpHeaders.INSTANCE);
        } else if (msg instanceof ByteBuf raw) {
            // After a switch of protocols: the new protocol's bytes, as they came.
            append(raw);
        } else if (!(msg instanceof HttpMessage)) {
            seen.add("OTHER " + msg.getClass().getSimpleName());
        }
    }

    private void ended(HttpHeaders trailers) {
        StringBuilder s = new StringBuilder("BODY " + body.toString(StandardCharsets.ISO_8859_1) + " END");
        fields(s, trailers);
        seen.add(s.toString());
        body.reset();
    }

    private static String head(HttpMessage m) {
        String start = m instanceof HttpRequest r ? r.method() + " " + r.uri()
                : "[" + ((HttpResponse) m).status().code() + " " + ((HttpResponse) m).status().reasonPhrase() + "]";
        if (m.decoderResult().isFailure()) {
            return "FAILED " + m.decoderResult().cause().getClass().getSimpleName() + " " + start;
        }
        StringBuilder s = new StringBuilder(start + " " + m.protocolVersion());
        fields(s, m.headers());
        return s.toString();
    }

    private static void fields(StringBuilder s, Iterable<Map.Entry<String, String>> fields) {
        for (Map.Entry<String, String> e : fields) {
            s.append(" | ").append(e.getKey()).append('=').append(e.getValue());
        }
    }

    private void append(ByteBuf content) {
        byte[] bytes = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), bytes);
        body.writeBytes(bytes);
    }
}
