package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Reads HTTP/1 messages of the usual strict shape in place, one step per call as Netty's decoder
 * takes them: a head, whose fields are the received bytes ({@link RelayedHeaders}, read by a
 * {@link HeadReader}), or a piece of a body whose length the head gave, sliced off the read buffer
 * (no copy) in pieces of at most the decoder's chunk size, the last of them a last content. Each is
 * handed on before the next is read. A subclass reads the start line of its direction (a
 * request's, a response's) and says what becomes of a head it does not read: Netty's decoder reads it.
 *
 * <p>One per connection and direction, on its event loop.
 */
public abstract class InPlaceDecoder extends ByteToMessageDecoder {
    /** For {@link #expectBody}: the body is the subclass's to read. */
    protected static final long FRAMED_ELSEWHERE = -1;
    private final HeadReader reader;
    private final int maxInitialLineLength;
    private final int maxChunkSize;
    /** Body bytes still to come of the current message; 0 between messages. */
    private long remaining;

    protected InPlaceDecoder(HttpDecoderConfig config) {
        this.reader = new HeadReader(config.getMaxInitialLineLength(), config.getMaxHeaderSize());
        this.maxInitialLineLength = config.getMaxInitialLineLength();
        this.maxChunkSize = config.getMaxChunkSize();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
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
            unusual(ctx, in, out);
            return;
        }
        in.readerIndex(end);
        out.add(message);
        if (remaining == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /**
     * The message whose head (the empty line that ends it included) is {@code head}, or null when
     * it is not of the strict shape read here. It reads the start line, then {@link #fields}, and
     * says with {@link #expectBody} how long the body is.
     */
    protected abstract HttpMessage read(byte[] head);

    /** A head this class does not read starts at the reader index of {@code in}: Netty's decoder reads it. */
    protected abstract void unusual(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception;

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

    /**
     * The message read has a body of {@code length} bytes (0 for none): they come next. Or, for
     * {@link #FRAMED_ELSEWHERE}, the subclass reads the body itself, and the head goes on alone.
     */
    protected final void expectBody(long length) {
        remaining = length;
    }

    /** Bytes of a body are still to come. */
    protected final boolean inBody() {
        return remaining > 0;
    }

    /** The connection closed before the end of the body: what came goes on, and the body stays unended, as Netty's decoder leaves it. */
    protected final void closedInBody(ByteBuf in, List<Object> out) {
        readBody(in, out);
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
