package io.mesoslb.bench;

import io.mesoslb.server.transport.Buffers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive client connection, as an embedded channel, that sends whole requests and reads
 * whole responses: the fixed cost every measured exchange carries, whatever answers it. A request
 * is copied from its template into a pooled direct buffer (as a socket read fills one) and fired
 * into the pipeline as one read; then the loop's tasks run until none is left (the backend's
 * answer is read in such a task) and everything written to the client is counted and released.
 * Apart from the pooled buffer it allocates nothing per exchange.
 */
final class ExchangeDriver implements AutoCloseable {
    /** The proxy's own listener address, and a client's: the proxy writes them into X-Forwarded-*. */
    static final InetSocketAddress LISTENER = new InetSocketAddress("127.0.0.1", 80);
    static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 51234);

    private final EmbeddedChannel client = new EmbeddedChannel() {
        @Override
        protected SocketAddress localAddress0() {
            return LISTENER;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return CLIENT;
        }
    };
    private final ByteBuf request;
    /** Everything written to the client, while a check wants it; null otherwise. */
    StringBuilder captured;

    ExchangeDriver(CannedExchange exchange) {
        this.request = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(exchange.request).asReadOnly());
        client.config().setAllocator(Buffers.ALLOCATOR);
    }

    /** The loop the client connection, and whatever serves it, runs on: a group of one. */
    EventLoop loop() {
        return client.eventLoop();
    }

    EmbeddedChannel client() {
        return client;
    }

    /**
     * Puts the handlers of the connection in and tells them it is open. The embedded channel went
     * active before they were there: what serves it (the proxy's pools) needs its loop first.
     */
    void start(ChannelHandler handler) {
        client.pipeline().addLast(handler);
        client.pipeline().fireChannelActive();
        runTasks();
    }

    /** @return the bytes written to the client for the request */
    int exchange() {
        int n = request.readableBytes();
        ByteBuf in = client.alloc().directBuffer(n);
        in.writeBytes(request, request.readerIndex(), n);
        ChannelPipeline p = client.pipeline();
        p.fireChannelRead(in);
        p.fireChannelReadComplete();
        runTasks();
        int received = 0;
        Object msg;
        while ((msg = client.readOutbound()) != null) {
            ByteBuf out = (ByteBuf) msg;
            received += out.readableBytes();
            if (captured != null) {
                captured.append(out.toString(StandardCharsets.ISO_8859_1));
            }
            out.release();
        }
        client.checkException();
        return received;
    }

    void runTasks() {
        do {
            client.runPendingTasks();
        } while (client.hasPendingTasks());
    }

    @Override
    public void close() {
        client.close();
        runTasks();
        client.finishAndReleaseAll();
    }
}
