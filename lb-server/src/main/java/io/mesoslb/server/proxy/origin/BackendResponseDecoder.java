package io.mesoslb.server.proxy.origin;

import io.mesoslb.server.proxy.http.FallbackDecoder;
import io.mesoslb.server.proxy.http.HeadBytes;
import io.mesoslb.server.proxy.http.HeadReader;
import io.mesoslb.server.proxy.http.InPlaceDecoder;
import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the responses of one backend connection. A response of the usual strict shape (status line
 * {@code HTTP/1.1} or {@code HTTP/1.0}, one space, three digits, one space, a reason phrase; fields
 * as {@link HeadReader} reads them; framed by one plain {@code Content-Length}, by
 * {@code Transfer-Encoding: chunked} in HTTP/1.1 ({@code ChunkedBody}), or with no body at all) is
 * parsed in place: its headers are the received bytes ({@link RelayedHeaders}) and its body is
 * sliced off the read buffer. Any other response (delimited by the close, a 101, obs-fold, anything
 * malformed or cut short) is read, from its first byte to its end, by Netty's decoder
 * ({@link BackendResponseFallbackDecoder}), so that every verdict on odd input stays Netty's; so is
 * the rest of a chunked body once its framing is not of the shape read here (an extension, a
 * trailer, a malformed line). The next response is read in place again. After a failure or a 101,
 * Netty's decoder reads the rest of the connection.
 *
 * <p>It can also tell whether anything of the backend's is left over once a response has ended. A
 * backend that sends a body on a HEAD, 204 or 304 answer, or more than its {@code Content-Length},
 * leaves bytes that belong to no response; without a line break they would sit in this decoder and
 * be read as the start of the next client's response (a 502 for it, or a header glued onto its
 * head). Such a connection is closed, not reused.
 *
 * <p>Replaces {@code HttpClientCodec}'s decoder, whose queue of request methods did two things:
 * HEAD answers have no body, which {@link #awaitResponse} is told instead (one request at a time
 * per connection, so a flag is the queue); and a 200 to CONNECT turns the connection into a
 * tunnel, which mesos-lb never needs, as it answers CONNECT itself (501).
 *
 * <p>One per backend connection, on its event loop.
 */
final class BackendResponseDecoder extends InPlaceDecoder {
    private static final Logger log = LoggerFactory.getLogger(BackendResponseDecoder.class);
    /** {@code HTTP/1.1 200 } : where the reason phrase starts. */
    private static final int REASON_START = HeadBytes.VERSION_LENGTH + 5;

    private final HttpDecoderConfig config;

    /** A request is out on this connection and its response may come. */
    private boolean awaiting;
    private boolean headRequest;

    BackendResponseDecoder(HttpDecoderConfig config) {
        super(config, true);
        this.config = config;
    }

    /** A request goes out on this connection: the response to it comes next. */
    void awaitResponse(boolean toHead) {
        awaiting = true;
        headRequest = toHead;
    }

    /** The connection is between requests: nothing may arrive until the next one is sent. */
    void betweenRequests() {
        awaiting = false;
    }

    /**
     * True when bytes read past the end of the response are still undecoded. Asked as the end of
     * the response is handed on, so whatever came with it in the same read is counted, line break or not.
     */
    boolean holdsUnreadBytes() {
        return actualReadableBytes() > 0;
    }

    /**
     * A final response to HEAD, which has no body whatever its length says (RFC 9110 9.3.2), as
     * {@code HttpClientCodec} decides it. A 1xx is not that response: the final one is still to come.
     */
    boolean answersHead(int code) {
        return headRequest && (code < 100 || code >= 200);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!awaiting && msg instanceof ByteBuf) {
            // Not an answer to anything: bytes on an idle pooled connection. Decoded, even partly,
            // they would become part of the next client's response.
            ((ByteBuf) msg).release();
            log.debug("{}: unexpected data on idle backend connection", ctx.channel());
            ctx.close();
            return;
        }
        super.channelRead(ctx, msg);
    }

    /**
     * A response without a body (a 204, an answer to HEAD), or one whose body came with its head (a
     * small answer): one message to the client's encoder, which writes a small body in the head's buffer.
     */
    @Override
    protected HttpMessage whole(HttpMessage head, ByteBuf body) {
        HttpResponse r = (HttpResponse) head;
        return new DefaultFullHttpResponse(r.protocolVersion(), r.status(), body, r.headers(), EmptyHttpHeaders.INSTANCE);
    }

    @Override
    protected FallbackDecoder newFallback() {
        return new BackendResponseFallbackDecoder(config, this);
    }

    /** The response, or null when its head is not of the strict shape or framing read here. */
    @Override
    protected HttpResponse read(byte[] head) {
        // status-line = HTTP-version SP 3DIGIT SP reason-phrase CRLF, single spaces only
        if (head.length < REASON_START + 4) {
            return null;
        }
        HttpVersion version = HeadBytes.version(head, 0);
        int code = statusCode(head, HeadBytes.VERSION_LENGTH + 1);
        // A 101 switches protocols, which Netty's decoder follows.
        if (version == null || head[HeadBytes.VERSION_LENGTH] != ' ' || code < 0 || code == 101
                || head[REASON_START - 1] != ' ') {
            return null;
        }
        int i = HeadBytes.fieldBytesEnd(head, REASON_START);
        int reasonEnd = i;
        if (!startLineEndsAt(head, i)
                || reasonEnd > REASON_START && (isOws(head[REASON_START]) || isOws(head[reasonEnd - 1]))) {
            // Netty's decoder trims spaces around the reason phrase: left to it.
            return null;
        }
        RelayedHeaders headers = fields(head, i + 2);
        if (headers == null) {
            return null;
        }
        long length = contentLength();
        boolean bodyless = code < 200 || code == 204 || code == 304 || answersHead(code);
        if (chunked()) {
            // Netty's decoder refuses chunked with a length, or in HTTP/1.0, and takes the coding
            // off a bodyless answer's head: those are its to read.
            if (bodyless || length >= 0 || version != HttpVersion.HTTP_1_1) {
                return null;
            }
            expectChunkedBody(head);
        } else if (bodyless) {
            // What HttpObjectDecoder.isContentAlwaysEmpty says (and the HEAD rule): no body, whatever the length.
            expectBody(0);
        } else if (length >= 0) {
            expectBody(length);
        } else {
            // Delimited by the close: Netty's decoder reads those.
            return null;
        }
        return new DefaultHttpResponse(version, status(code, head, reasonEnd), headers);
    }

    /** The three digits at {@code at}, 100 to 599; -1 for anything else. */
    private static int statusCode(byte[] head, int at) {
        int hundreds = head[at] - '0';
        int tens = head[at + 1] - '0';
        int ones = head[at + 2] - '0';
        if (hundreds < 1 || hundreds > 5 || tens < 0 || tens > 9 || ones < 0 || ones > 9) {
            return -1;
        }
        return hundreds * 100 + tens * 10 + ones;
    }

    /**
     * What {@code HttpResponseStatus.valueOf(code, reasonPhrase)} gives for the reason phrase in
     * {@code head[REASON_START .. reasonEnd)}, as Netty's decoder makes it: the constant when the
     * phrase is the standard one (read off the bytes, without a string), else a new status.
     */
    private static HttpResponseStatus status(int code, byte[] head, int reasonEnd) {
        HttpResponseStatus known = HttpResponseStatus.valueOf(code);
        String phrase = known.reasonPhrase();
        int length = reasonEnd - REASON_START;
        if (phrase.length() == length) {
            int k = 0;
            while (k < length && phrase.charAt(k) == (head[REASON_START + k] & 0xFF)) {
                k++;
            }
            if (k == length) {
                return known;
            }
        }
        return HttpResponseStatus.valueOf(code, new String(head, 0, REASON_START, length));
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }
}
