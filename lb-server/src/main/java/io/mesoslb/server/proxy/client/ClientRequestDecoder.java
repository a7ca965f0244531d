package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.http.BodilessRequest;
import io.mesoslb.server.proxy.http.FallbackDecoder;
import io.mesoslb.server.proxy.http.HeadBytes;
import io.mesoslb.server.proxy.http.InPlaceDecoder;
import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Reads requests off a client connection. A head of the usual strict shape (one space between the
 * parts of the request line, {@code HTTP/1.1} or {@code HTTP/1.0}, token names followed at once by
 * the colon, values of visible bytes, CRLF line ends, at most one plain {@code Content-Length} or,
 * in HTTP/1.1 and without a length, {@code Transfer-Encoding: chunked}) is parsed in place into a
 * request whose headers are the received bytes ({@link RelayedHeaders}), and its body is sliced off
 * the read buffer as it comes, chunk by chunk when chunked.
 *
 * <p>Any other request is read, from its first byte to its end, by Netty's decoder
 * ({@link ClientRequestFallbackDecoder}): leading empty lines, obs-fold, bare LF, limits reached,
 * odd versions, a close mid-head; so is the rest of a chunked body whose framing turns odd (an
 * extension, a trailer). So every head this class accepts is one Netty's decoder reads the same
 * way (a differential test holds it to that), and every verdict on the rest stays Netty's and
 * {@code RequestSyntax}'s, as the smuggling and limit tests pin them. The request after it is read
 * in place again; after a malformed one (whose answer ends the connection) Netty's decoder reads
 * the rest.
 *
 * <p>Records the method of each request it hands on in the {@link RequestMethods} it shares with
 * {@link ClientResponseEncoder}, as {@code HttpServerCodec}'s decoder does; a request beyond their
 * depth fails the connection, and what comes after it is dropped.
 *
 * <p>After the end of a request that asks to switch protocols it reads nothing more until the answer
 * ({@link #stopAfterUpgradeRequest}): the bytes behind it, in the same read or later ones, stay in its buffer,
 * undecoded, so that after a 101 they go on as they came (the decoder leaves the pipeline and hands them to the
 * tunnel) and after any other answer they are read as the next request ({@link #goOn}).
 *
 * <p>One per client connection, on its event loop.
 */
public final class ClientRequestDecoder extends InPlaceDecoder {
    private final HttpDecoderConfig config;
    private final RequestMethods methods;
    /** The pipeline depth was exceeded: the connection fails, and nothing more is decoded. */
    private boolean discard;
    /** An upgrade request's end went on and its answer has not come: nothing more is decoded for now. */
    private boolean stopped;
    private final Runnable decodeKept = this::decodeKept;
    private ChannelHandlerContext ctx;

    public ClientRequestDecoder(HttpDecoderConfig config, RequestMethods methods) {
        // A request's body goes on after its head: the exchange sends the head first, and may send it again.
        super(config, false);
        this.config = config;
        this.methods = methods;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    /**
     * The end of a request that asks to switch protocols was just handed on: what follows it is left as it came until
     * the answer. Called while it hands that end on, before it would decode what follows.
     */
    void stopAfterUpgradeRequest() {
        stopped = true;
    }

    /**
     * The upgrade was answered without a 101: what came after the request is read as requests again. What this
     * decoder kept is decoded in a task of its own, as a read would be, not in the middle of the exchange's ending.
     */
    void goOn() {
        stopped = false;
        if (internalBuffer().isReadable()) {
            ctx.executor().execute(decodeKept);
        }
    }

    private void decodeKept() {
        if (ctx.isRemoved()) {
            return;
        }
        try {
            // A read of nothing new: the kept bytes are decoded and handed on as a read's would be.
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (stopped) {
            return;
        }
        if (discard) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int first = out.size();
        super.decode(ctx, in, out);
        for (int i = first; i < out.size(); i++) {
            if (out.get(i) instanceof HttpRequest request) {
                record(request, out, i);
            }
        }
    }

    /** What Netty's decoder would have recorded, for the no-body-after-HEAD rule of the encoder. */
    private void record(HttpRequest request, List<Object> out, int at) {
        try {
            methods.add(request.method());
        } catch (IllegalStateException e) {
            discard = true;
            for (int k = at; k < out.size(); k++) {
                ReferenceCountUtil.release(out.get(k));
            }
            out.subList(at, out.size()).clear();
            throw e;
        }
    }

    /** A request without a body: {@link #read} made its head whole already. */
    @Override
    protected HttpMessage whole(HttpMessage head, ByteBuf body) {
        return head;
    }

    @Override
    protected FallbackDecoder newFallback() {
        return new ClientRequestFallbackDecoder(config);
    }

    /** The request, or null when the head is not of the strict shape read here. */
    @Override
    protected HttpRequest read(byte[] head) {
        int n = head.length;

        // request-line = method SP request-target SP HTTP-version CRLF, single spaces only
        int i = 0;
        while (i < n && HeadBytes.isTchar(head[i])) {
            i++;
        }
        int methodEnd = i;
        if (methodEnd == 0 || head[i] != ' ') {
            return null;
        }
        int targetStart = ++i;
        while (i < n && HeadBytes.isVisible(head[i])) {
            i++;
        }
        int targetEnd = i;
        if (targetEnd == targetStart || head[i] != ' ') {
            return null;
        }
        HttpVersion version = HeadBytes.version(head, i + 1);
        if (version == null) {
            return null;
        }
        i += 1 + HeadBytes.VERSION_LENGTH;
        if (!startLineEndsAt(head, i)) {
            return null;
        }
        i += 2;

        RelayedHeaders headers = fields(head, i);
        if (headers == null) {
            return null;
        }
        boolean chunked = chunked();
        long length = contentLength();
        if (chunked) {
            // A length beside chunked, and chunked in HTTP/1.0: Netty's decoder refuses them.
            if (length >= 0 || version != HttpVersion.HTTP_1_1) {
                return null;
            }
            expectChunkedBody(head);
        } else {
            expectBody(Math.max(length, 0));
        }
        HttpMethod method = HeadBytes.method(head, methodEnd);
        String uri = new String(head, 0, targetStart, targetEnd - targetStart);
        // Without a body the head is the whole request: one message, not a head and an empty end.
        return chunked || length > 0 ? new DefaultHttpRequest(version, method, uri, headers)
                : new BodilessRequest(version, method, uri, headers);
    }
}
