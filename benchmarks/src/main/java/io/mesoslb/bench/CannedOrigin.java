package io.mesoslb.bench;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * The origin's end of one in-VM backend connection: it reads requests (a head up to its blank line,
 * then the body length it was told to expect) and answers each whole one with the same canned
 * response bytes, copied into a pooled buffer as a socket read would fill one. Nothing is allocated
 * per request but that buffer.
 */
final class CannedOrigin implements InVmSocketChannel.Peer, ByteProcessor {
    private static final int BLANK_LINE = ('\r' << 24) | ('\n' << 16) | ('\r' << 8) | '\n';

    private final InVmSocketChannel channel;
    private final ByteBuf response;
    private final int bodyLength;
    private final OriginStats stats;
    private boolean inHead = true;
    /** The last four bytes of the head seen, to find its end across buffers. */
    private int lastFour;
    private int bodyLeft;

    /** @param response read-only, shared: only its bytes are copied */
    CannedOrigin(InVmSocketChannel channel, ByteBuf response, int bodyLength, OriginStats stats) {
        this.channel = channel;
        this.response = response;
        this.bodyLength = bodyLength;
        this.stats = stats;
        stats.connections++;
    }

    @Override
    public void received(ByteBuf bytes) {
        if (stats.captured != null) {
            stats.captured.append(bytes.toString(StandardCharsets.ISO_8859_1));
        }
        int i = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (i < end) {
            if (inHead) {
                int at = bytes.forEachByte(i, end - i, this);
                if (at < 0) {
                    return;
                }
                i = at + 1;
                inHead = false;
                lastFour = 0;
                bodyLeft = bodyLength;
            } else {
                int n = Math.min(bodyLeft, end - i);
                bodyLeft -= n;
                i += n;
            }
            if (!inHead && bodyLeft == 0) {
                inHead = true;
                answer();
            }
        }
    }

    @Override
    public boolean process(byte value) {
        lastFour = (lastFour << 8) | (value & 0xff);
        return lastFour != BLANK_LINE;
    }

    private void answer() {
        stats.requests++;
        int n = response.readableBytes();
        ByteBuf out = channel.alloc().directBuffer(n);
        out.writeBytes(response, response.readerIndex(), n);
        channel.deliver(out);
    }

    @Override
    public void closed() {
        stats.closed++;
    }
}
