package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.http.RelayedHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Arrays;
import java.util.List;

/**
 * Reads requests off a client connection. A head of the usual strict shape (one space between the
 * parts of the request line, {@code HTTP/1.1} or {@code HTTP/1.0}, token names followed at once by
 * the colon, values of visible bytes, CRLF line ends, at most one plain {@code Content-Length}, no
 * {@code Transfer-Encoding}) is parsed in place into a request whose headers are the received bytes
 * ({@link RelayedHeaders}), and its body is sliced off the read buffer as it comes.
 *
 * <p>Anything else hands the connection, from that head on, to Netty's decoder
 * ({@link ClientRequestFallbackDecoder}): leading empty lines, obs-fold, bare LF, chunked bodies,
 * limits reached, odd versions, a close mid-head. So every head this class accepts is one Netty's
 * decoder reads the same way (a differential test holds it to that), and every verdict on the rest
 * stays Netty's and {@code RequestSyntax}'s, as the smuggling and limit tests pin them.
 *
 * <p>One per client connection, on its event loop.
 */
public final class ClientRequestDecoder extends ByteToMessageDecoder {
    /** The search for the end of a head has not found it yet. */
    private static final int MORE = -1;
    /** The head is not of the shape read here. */
    private static final int UNUSUAL = -2;

    private final HttpDecoderConfig config;
    private final RequestMethods methods;
    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private final int maxChunkSize;
    /** The most bytes a head of the shape read here can have. */
    private final int headLimit;
    /** Body bytes still to come of the current request; 0 between requests. */
    private long remaining;
    /** Field offsets while a head is parsed; each request keeps a copy of just its own. */
    private final int[] scratch = new int[RelayedHeaders.MAX_FIELDS * 5];
    /** How many bytes from the reader index the search for the end of the head has looked at. */
    private int searched;

    public ClientRequestDecoder(HttpDecoderConfig config, RequestMethods methods) {
        this.config = config;
        this.methods = methods;
        this.maxInitialLineLength = config.getMaxInitialLineLength();
        this.maxHeaderSize = config.getMaxHeaderSize();
        this.maxChunkSize = config.getMaxChunkSize();
        this.headLimit = maxInitialLineLength + 2 + maxHeaderSize + 2 * (RelayedHeaders.MAX_FIELDS + 1);
    }

    /** One step per call, as Netty's decoder: a piece of body, or one head; each is handed on before the next is read. */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (remaining > 0) {
            body(in, out);
            return;
        }
        int end = headEnd(in);
        if (end == MORE) {
            return;
        }
        HttpRequest request = end == UNUSUAL ? null : parse(in, end);
        if (request == null) {
            fallBack(ctx);
            return;
        }
        in.readerIndex(end);
        searched = 0;
        methods.add(request.method());
        out.add(request);
        if (remaining == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** A slice of the body, as much of it as has come; its end is followed by an empty last content. */
    private void body(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(in.readableBytes(), maxChunkSize), remaining);
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (remaining == 0 && in.isReadable()) {
            // Closed mid-head: Netty's decoder knows what to say about that.
            fallBack(ctx);
            return;
        }
        decode(ctx, in, out);
    }

    /** Netty's decoder reads the rest of the connection; what is buffered here goes to it. */
    private void fallBack(ChannelHandlerContext ctx) {
        ctx.pipeline().addAfter(ctx.name(), null, new ClientRequestFallbackDecoder(config, methods));
        // ByteToMessageDecoder hands the bytes it holds to the next handler as it leaves.
        ctx.pipeline().remove(this);
    }

    /**
     * Where the head ends (after its empty line), {@link #MORE} when it has not all come, or
     * {@link #UNUSUAL} for a line ending in a bare LF, or a head longer than any read here.
     */
    private int headEnd(ByteBuf in) {
        int start = in.readerIndex();
        int readable = in.readableBytes();
        int limit = start + Math.min(readable, headLimit);
        int i = start + searched;
        while (true) {
            int lf = in.indexOf(i, limit, (byte) '\n');
            if (lf < 0) {
                searched = limit - start;
                return readable >= headLimit ? UNUSUAL : MORE;
            }
            if (lf == start || in.getByte(lf - 1) != '\r') {
                return UNUSUAL;
            }
            if (lf + 2 >= start + readable) {
                // The next line's first bytes have not come yet: look at this line end again then.
                searched = lf - start;
                return readable >= headLimit ? UNUSUAL : MORE;
            }
            if (in.getByte(lf + 1) == '\r' && in.getByte(lf + 2) == '\n') {
                return lf + 3;
            }
            i = lf + 1;
        }
    }

    /** The request, or null when the head is not of the strict shape read here. */
    private HttpRequest parse(ByteBuf in, int end) {
        int start = in.readerIndex();
        byte[] head = new byte[end - start];
        in.getBytes(start, head);
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
        if (i + 1 >= n || head[i] != '\r' || head[i + 1] != '\n' || i > maxInitialLineLength) {
            return null;
        }
        i += 2;

        int[] fields = scratch;
        int count = 0;
        int headerBytes = 0;
        long contentLength = -1;
        // The empty line that ends the head is its last two bytes (headEnd found it); a CR anywhere
        // else at the start of a line is not a line end but a byte no name may have.
        while (i != n - 2) {
            if (count == RelayedHeaders.MAX_FIELDS) {
                return null;
            }
            int lineStart = i;
            while (HeadBytes.isTchar(head[i])) {
                i++;
            }
            int nameEnd = i;
            if (nameEnd == lineStart || head[i] != ':') {
                return null;
            }
            i++;
            while (head[i] == ' ' || head[i] == '\t') {
                i++;
            }
            int valueStart = i;
            while (HeadBytes.isFieldByte(head[i])) {
                i++;
            }
            if (head[i] != '\r' || head[i + 1] != '\n') {
                return null;
            }
            int valueEnd = i;
            while (valueEnd > valueStart && (head[valueEnd - 1] == ' ' || head[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            headerBytes += i - lineStart;
            if (headerBytes > maxHeaderSize) {
                return null;
            }
            switch (HeadBytes.framing(head, lineStart, nameEnd)) {
                case HeadBytes.CONTENT_LENGTH:
                    if (contentLength >= 0) {
                        return null;
                    }
                    contentLength = HeadBytes.digits(head, valueStart, valueEnd);
                    if (contentLength < 0) {
                        return null;
                    }
                    break;
                case HeadBytes.OTHER_FRAMING:
                    return null;
                default:
                    break;
            }
            int f = count * 5;
            fields[f] = lineStart;
            fields[f + 1] = nameEnd;
            fields[f + 2] = valueStart;
            fields[f + 3] = valueEnd;
            fields[f + 4] = i + 2;
            count++;
            i += 2;
        }
        HttpMethod method = HeadBytes.method(head, methodEnd);
        String uri = new String(head, 0, targetStart, targetEnd - targetStart);
        remaining = Math.max(contentLength, 0);
        return new DefaultHttpRequest(version, method, uri,
                new RelayedHeaders(head, Arrays.copyOf(fields, count * 5), count));
    }
}
