package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import java.util.List;

/**
 * Reads HTTP/1 messages of the usual strict shape in place, one step per call as Netty's decoder
 * takes them: a head, whose fields are the received bytes ({@link RelayedHeaders}, read by a
 * {@link HeadReader}), or a piece of a body whose length the head gave, sliced off the read buffer
 * (no copy) in pieces of at most the decoder's chunk size, the last of them a last content, or a
 * piece of a chunked body ({@link ChunkedBody}). Each is handed on before the next is read. A
 * message without a body is handed on whole, as one message ({@link #whole}), and so, where the
 * direction asks for it, is one whose body came with its head. A subclass reads the start line of
 * its direction (a request's, a response's).
 *
 * <p>Any other message (a head not of the shape read here, a close mid-head) is read, from its
 * first byte to its end, by Netty's decoder of the direction ({@link FallbackDecoder}, through a
 * {@link FallbackReader}), so that every verdict on odd input stays Netty's; so is the rest of a
 * chunked body once its framing is not of the shape read here (an extension, a trailer, a
 * malformed line). The message after it is read in place again. After a failure or a 101, Netty's
 * decoder reads the rest of the connection.
 *
 * <p>One per connection and direction, on its event loop.
 */
public abstract class InPlaceDecoder extends ByteToMessageDecoder {
    private final HeadReader reader;
    private final ChunkedBody chunks;
    private final int maxInitialLineLength;
    private final int maxChunkSize;
    private final boolean bodyWithHead;
    /** Body bytes still to come of the current message, framed by its length; 0 between messages. */
    private long remaining;
    /** Made at the first message not read in place. */
    private FallbackReader fallback;

    /**
     * @param bodyWithHead whether a message whose whole body came with its head is handed on as one
     *                     message ({@link #whole}); else the body follows the head, as it does when
     *                     it comes in later reads
     */
    protected InPlaceDecoder(HttpDecoderConfig config, boolean bodyWithHead) {
        this.bodyWithHead = bodyWithHead;
        this.reader = new HeadReader(config.getMaxInitialLineLength(), config.getMaxHeaderSize());
        this.chunks = new ChunkedBody(config.getMaxChunkSize(), config.getMaxInitialLineLength());
        this.maxInitialLineLength = config.getMaxInitialLineLength();
        this.maxChunkSize = config.getMaxChunkSize();
    }

    /** While Netty's decoder reads a message, the bytes are its own; between messages, a head is read here first. */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (fallback != null && fallback.reading()) {
            fallback.read(ctx, in, out);
            return;
        }
        if (chunks.reading()) {
            if (!chunks.read(in, out)) {
                fallback().takeOver(ctx, chunks.resumeAt());
                fallback.read(ctx, in, out);
            }
            return;
        }
        if (remaining > 0) {
            readBody(in, out);
            return;
        }
        int end = reader.end(in);
        if (end == HeadReader.MORE) {
            return;
        }
        reader.restart();
        HttpMessage message = null;
        if (end != HeadReader.UNUSUAL) {
            int start = in.readerIndex();
            byte[] head = new byte[end - start];
            in.getBytes(start, head);
            message = read(head);
        }
        if (message == null) {
            fallback().read(ctx, in, out);
            return;
        }
        in.readerIndex(end);
        if (chunks.reading()) {
            out.add(message);
        } else if (remaining == 0) {
            out.add(whole(message, Unpooled.EMPTY_BUFFER));
        } else if (bodyWithHead && remaining <= Math.min(in.readableBytes(), maxChunkSize)) {
            // The whole body came with the head: one message, one trip through the pipelines.
            ByteBuf body = in.readRetainedSlice((int) remaining);
            remaining = 0;
            out.add(whole(message, body));
        } else {
            out.add(message);
        }
    }

    @Override
    protected final void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (chunks.reading()) {
            // Closed mid-body: Netty's decoder says whether and how it ends.
            fallback().takeOver(ctx, chunks.resumeAt());
            fallback.readLast(ctx, in, out);
        } else if (remaining > 0) {
            // What came goes on, and the body stays unended, as Netty's decoder leaves it.
            readBody(in, out);
            remaining = 0;
        } else if (fallback != null && fallback.reading() || in.isReadable()) {
            // Closed mid-head: Netty's decoder reads what came, and says what is wrong with it.
            fallback().readLast(ctx, in, out);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (fallback != null) {
            fallback.release(ctx);
        }
    }

    /**
     * True unless Netty's decoder is in the middle of a message (or reads the rest of the
     * connection): what comes next is read here first.
     */
    public final boolean readsInPlace() {
        return fallback == null || !fallback.reading();
    }

    private FallbackReader fallback() {
        if (fallback == null) {
            fallback = new FallbackReader(newFallback());
        }
        return fallback;
    }

    /**
     * The message whose head (the empty line that ends it included) is {@code head}, or null when
     * it is not of the strict shape read here. It reads the start line, then {@link #fields}, and
     * says with {@link #expectBody} or {@link #expectChunkedBody} what body follows.
     */
    protected abstract HttpMessage read(byte[] head);

    /**
     * The message {@code head} and its whole body, {@code body}, in one (its end included): for a
     * message without a body ({@code body} empty), and, where the subclass asked for it, for one whose
     * body came with its head. Owns {@code body}.
     */
    protected abstract HttpMessage whole(HttpMessage head, ByteBuf body);

    /** Netty's decoder of this direction, for the messages not read here. */
    protected abstract FallbackDecoder newFallback();

    /**
     * The start line of {@code head} ends at {@code i} with CRLF, within the line limit (longer ones
     * are Netty's decoder's to refuse); its fields start at {@code i + 2}.
     */
    protected final boolean startLineEndsAt(byte[] head, int i) {
        return i + 1 < head.length && head[i] == '\r' && head[i + 1] == '\n' && i <= maxInitialLineLength;
    }

    /** The field lines of {@code head} from {@code i} on, or null when they are not of the strict shape. */
    protected final RelayedHeaders fields(byte[] head, int i) {
        return reader.fields(head, i);
    }

    /** The {@code Content-Length} of the head {@link #fields} last read; -1 when it had none. */
    protected final long contentLength() {
        return reader.contentLength();
    }

    /** The head {@link #fields} last read said {@code Transfer-Encoding: chunked}. */
    protected final boolean chunked() {
        return reader.chunked();
    }

    /** The message read has a body of {@code length} bytes (0 for none): they come next. */
    protected final void expectBody(long length) {
        remaining = length;
    }

    /** The message read, whose head is {@code head}, has a chunked body: it comes next, and the head goes on alone. */
    protected final void expectChunkedBody(byte[] head) {
        chunks.start(head);
        remaining = 0;
    }

    private void readBody(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(in.readableBytes(), maxChunkSize), remaining);
        if (n == 0) {
            return;
        }
        ByteBuf piece = in.readRetainedSlice(n);
        remaining -= n;
        // The last piece ends the message itself, as Netty's decoder ends it: one message less to
        // hand on (and, to an HTTP/2 client, one frame less). Its trailer is empty and stays so.
        out.add(remaining > 0 ? new DefaultHttpContent(piece)
                : new DefaultLastHttpContent(piece, EmptyHttpHeaders.INSTANCE));
    }
}
