package io.mesoslb.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most so many client connections at once, over all the proxy's listeners (HAProxy's
 * {@code maxconn}). At the limit the listeners stop accepting, and new clients wait in the kernel's
 * accept queue until connections close: refusing them would fail requests that a moment's wait
 * serves, and running into the process's file descriptor limit instead makes every accept fail.
 *
 * <p>Installed on the listening channels, where each message is an accepted connection.
 */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

    private final int max;
    private final String source;
    private final AtomicInteger open = new AtomicInteger();
    /** Every listening channel: one per service port too, so 10,000 of them: a set, not a copy-on-write list. */
    private final Set<Channel> listeners = ConcurrentHashMap.newKeySet();
    private final OncePer warning = new OncePer(Duration.ofMinutes(1));
    private final ChannelFutureListener onClose = f -> closed();

    /** @param limit the most client connections open at once, at least 1 */
    public ConnectionLimit(MaxConnections limit) {
        if (limit.max() < 1) {
            throw new IllegalArgumentException("max must be at least 1: " + limit.max());
        }
        this.max = limit.max();
        this.source = limit.source();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        listeners.add(ctx.channel());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        listeners.remove(ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel client = (Channel) msg;
        int now = open.incrementAndGet();
        client.closeFuture().addListener(onClose);
        if (now > max) {
            // Accepted in the same read batch as the one that reached the limit: it goes.
            client.close();
            return;
        }
        if (now == max) {
            stopAccepting();
        }
        ctx.fireChannelRead(client);
    }

    private void stopAccepting() {
        for (Channel l : listeners) {
            l.config().setAutoRead(false);
        }
        if (open.get() < max) {
            // A connection closed while we paused, and its resume may have come before our pause.
            resumeAccepting();
            return;
        }
        if (warning.due()) {
            log.warn("{} client connections open, the limit ({}): new clients wait in the accept queue until some"
                    + " close. To serve more at once, raise the open-file limit (ulimit -n, systemd LimitNOFILE) and"
                    + " max-connections, which unset follows it as (open-file limit - {}) / 2", max, source,
                    MaxConnections.RESERVED_DESCRIPTORS);
        }
    }

    private void closed() {
        if (open.decrementAndGet() < max) {
            resumeAccepting();
        }
    }

    private void resumeAccepting() {
        for (Channel l : listeners) {
            if (!l.config().isAutoRead()) {
                l.config().setAutoRead(true);
            }
        }
    }
}
