package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A chunked body (a request's or a response's) read in place: chunk-size lines of hex digits, each chunk's data sliced
 * off the read buffer (no copy) in pieces of at most the decoder's chunk size, as Netty's decoder
 * cuts them, and a last chunk with an empty trailer, which ends in an empty last content. Anything
 * else in the framing (a chunk extension, a trailer, a line or delimiter of another shape, a size
 * too large for the shape) and a close mid-body is Netty's decoder's to read from where this left
 * off: {@link #resumeAt} says where that is.
 *
 * <p>One per connection and direction, on its event loop.
 */
final class ChunkedBody {
    /** Seven hex digits: no chunk of this shape can overflow Netty's int chunk size. */
    private static final int MAX_SIZE_DIGITS = 7;
    private static final int IDLE = 0;
    private static final int SIZE = 1;
    private static final int DATA = 2;
    private static final int DELIMITER = 3;
    private static final byte[] CRLF = {'\r', '\n'};
    /** A chunk of one byte, its delimiter not read: what puts Netty's decoder before a delimiter. */
    private static final byte[] BEFORE_DELIMITER = "1\r\nx".getBytes(StandardCharsets.US_ASCII);

    private final int maxChunkSize;
    private final int maxSizeDigits;
    private int state = IDLE;
    /** Bytes of the current chunk's data still to come. */
    private long remaining;
    private byte[] head;

    /** @param maxLineLength the longest chunk-size line Netty's decoder takes */
    ChunkedBody(int maxChunkSize, int maxLineLength) {
        this.maxChunkSize = maxChunkSize;
        this.maxSizeDigits = Math.min(MAX_SIZE_DIGITS, maxLineLength);
    }

    /** The message whose head is {@code head} has a chunked body: it comes next. */
    void start(byte[] head) {
        this.head = head;
        state = SIZE;
    }

    /** A chunked body is being read. */
    boolean reading() {
        return state != IDLE;
    }

    /**
     * One step of the body, as much of it as has come: a chunk-size line, a piece of data, a
     * delimiter, or the last chunk.
     *
     * @return false when what comes is not of the shape read here: Netty's decoder goes on from {@link #resumeAt}
     */
    boolean read(ByteBuf in, List<Object> out) {
        switch (state) {
            case SIZE:
                return sizeLine(in, out);
            case DATA:
                return data(in, out);
            default:
                return delimiter(in);
        }
    }

    /**
     * The bytes that bring Netty's decoder to where this reader is, its head read and its
     * state the one this reader is in: the head, then (in a chunk) the size line of what is left of
     * it, or (before a delimiter) a chunk of one byte. Netty's decoder reads on from there. This
     * reader is done with the body.
     */
    byte[] resumeAt() {
        byte[] tail = switch (state) {
            case DATA -> (Long.toHexString(remaining) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            case DELIMITER -> BEFORE_DELIMITER;
            default -> new byte[0];
        };
        byte[] primer = new byte[head.length + tail.length];
        System.arraycopy(head, 0, primer, 0, head.length);
        System.arraycopy(tail, 0, primer, head.length, tail.length);
        state = IDLE;
        head = null;
        return primer;
    }

    /** chunk-size CRLF, hex digits only; a last chunk only with an empty trailer. */
    private boolean sizeLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        long size = 0;
        int i = start;
        while (i < end) {
            int digit = Character.digit(in.getByte(i), 16);
            if (digit < 0) {
                break;
            }
            if (i - start == maxSizeDigits) {
                return false;
            }
            size = size * 16 + digit;
            i++;
        }
        if (i == end) {
            return true;
        }
        if (i == start || in.getByte(i) != '\r') {
            return false;
        }
        if (i + 1 == end) {
            return true;
        }
        if (in.getByte(i + 1) != '\n') {
            return false;
        }
        if (size > 0) {
            in.readerIndex(i + 2);
            remaining = size;
            state = DATA;
            return true;
        }
        // The last chunk: ended here only when no trailer field follows.
        if (i + 3 >= end) {
            return true;
        }
        if (in.getByte(i + 2) != '\r' || in.getByte(i + 3) != '\n') {
            return false;
        }
        in.readerIndex(i + 4);
        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        state = IDLE;
        head = null;
        return true;
    }

    private boolean data(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(in.readableBytes(), maxChunkSize), remaining);
        if (n == 0) {
            return true;
        }
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) {
            state = DELIMITER;
        }
        return true;
    }

    private boolean delimiter(ByteBuf in) {
        if (in.readableBytes() < CRLF.length) {
            return true;
        }
        int at = in.readerIndex();
        if (in.getByte(at) != CRLF[0] || in.getByte(at + 1) != CRLF[1]) {
            return false;
        }
        in.skipBytes(CRLF.length);
        state = SIZE;
        return true;
    }
}
