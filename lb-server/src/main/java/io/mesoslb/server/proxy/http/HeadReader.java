package io.mesoslb.server.proxy.http;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * What reading a head in place takes in either direction, a request's or a response's: finding
 * where the head ends in the read buffer, and reading its field lines, when they are of the strict
 * shape, into {@link RelayedHeaders}. The shape is one Netty's decoder reads the same way: token
 * names followed at once by the colon, values of visible bytes, spaces and tabs, CRLF line ends,
 * within the header limit, at most {@link RelayedHeaders#MAX_FIELDS} fields, at most one plain
 * {@code Content-Length}, at most one {@code Transfer-Encoding}, which says {@code chunked}, and no
 * other header that frames a body. Anything else is the caller's to hand to Netty's decoder, whose
 * verdicts on odd input stay the ones the tests pin down.
 *
 * <p>One per connection and direction, on its event loop: it remembers how far the search for the
 * end of a head has looked, so that bytes arriving one read at a time are looked at once.
 */
public final class HeadReader {
    /** The search for the end of a head has not found it yet. */
    public static final int MORE = -1;
    /** The head is not of the shape read here. */
    public static final int UNUSUAL = -2;

    private final int maxHeaderSize;
    /** The most bytes a head of the shape read here can have. */
    private final int headLimit;
    private final int[] scratch = new int[RelayedHeaders.MAX_FIELDS * RelayedHeaders.SLOTS];
    /** How many bytes from the reader index the search for the end of the head has looked at. */
    private int searched;
    private long contentLength;
    private boolean chunked;

    public HeadReader(int maxInitialLineLength, int maxHeaderSize) {
        this.maxHeaderSize = maxHeaderSize;
        this.headLimit = maxInitialLineLength + 2 + maxHeaderSize + 2 * (RelayedHeaders.MAX_FIELDS + 1);
    }

    /**
     * Where the head starting at the reader index ends (after its empty line), {@link #MORE} when it
     * has not all come, or {@link #UNUSUAL} for a line ending in a bare LF, or a head longer than any
     * read here.
     */
    public int end(ByteBuf in) {
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

    /** The head the search was for is read (or handed on): the next search starts afresh. */
    public void restart() {
        searched = 0;
    }

    /**
     * The field lines of {@code head} from {@code i} to its end, which is the empty line
     * {@link #end} found; null when they are not of the strict shape read here.
     */
    public RelayedHeaders fields(byte[] head, int i) {
        int n = head.length;
        int[] fields = scratch;
        int count = 0;
        int headerBytes = 0;
        contentLength = -1;
        chunked = false;
        // The empty line that ends the head is its last two bytes (end() found it); a CR anywhere
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
            i = HeadBytes.fieldBytesEnd(head, i);
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
                case HeadBytes.TRANSFER_ENCODING:
                    if (chunked || !HeadBytes.isChunked(head, valueStart, valueEnd)) {
                        return null;
                    }
                    chunked = true;
                    break;
                case HeadBytes.OTHER_FRAMING:
                    return null;
                default:
                    break;
            }
            int f = count * RelayedHeaders.SLOTS;
            fields[f] = lineStart;
            fields[f + 1] = nameEnd;
            fields[f + 2] = valueStart;
            fields[f + 3] = valueEnd;
            fields[f + 4] = i + 2;
            count++;
            i += 2;
        }
        return new RelayedHeaders(head, Arrays.copyOf(fields, count * RelayedHeaders.SLOTS), count);
    }

    /** The {@code Content-Length} of the head {@link #fields} last read; -1 when it had none. */
    public long contentLength() {
        return contentLength;
    }

    /** The head {@link #fields} last read said {@code Transfer-Encoding: chunked}. */
    public boolean chunked() {
        return chunked;
    }
}
