package io.mesoslb.server.proxy.exchange;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after an error response without losing the response.
 *
 * <p>Closing a socket with unread input makes the kernel send a reset, and a client still
 * sending (the rest of an oversized body or header block) may then see the reset instead of the
 * 413 or 431 before it. So, as nginx's lingering close does: end the output, read and drop what
 * still comes, and close when the client does or after a short grace.
 */
public final class LingeringClose {
    static final long LINGER_MILLIS = 2_000;

    private LingeringClose() {
    }

    /** Once {@code written} (the error response) is out, ends the output and closes within the grace. */
    public static void after(ChannelFuture written) {
        written.addListener(f -> {
            Channel ch = written.channel();
            if (!f.isSuccess() || !(ch instanceof DuplexChannel) || !ch.isActive()) {
                ch.close();
                return;
            }
            ((DuplexChannel) ch).shutdownOutput();
            ch.config().setAutoRead(true);
            ch.eventLoop().schedule(() -> {
                ch.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }
}
