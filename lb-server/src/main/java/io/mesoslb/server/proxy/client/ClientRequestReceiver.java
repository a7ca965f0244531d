package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.exchange.ClientSide;
import io.mesoslb.server.proxy.exchange.Drain;
import io.mesoslb.server.proxy.exchange.ProxyExchange;
import io.mesoslb.server.proxy.http.BodilessRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one client connection and hands what it reads to the connection's {@link ProxyExchange},
 * holding in order whatever the exchange cannot take yet.
 *
 * <p>The connection keeps reading (every {@code autoRead} switch costs an {@code epoll_ctl}); a
 * message that arrives before the exchange can use it is held here, in order, and only then does the
 * connection stop reading, until the exchange catches up. So pipelined requests wait, in order, here
 * and in the socket (what the codec decodes from a read after reads stop is held here too). The
 * exception is a little of the request body while the backend is being connected to (usually the
 * empty end of a body-less request, read with its head), which is held without stopping. While a
 * request is streamed the client stops once a message arrives that the backend cannot take.
 *
 * <p>Once the end of a request that asks to switch protocols is read, the client stops until the
 * backend's answer, and so does its {@link ClientRequestDecoder} (bytes that came in the same read
 * stay in it, undecoded): after a 101 its next bytes are the new protocol's, and reach the tunnel
 * undecoded; after any other answer they are read as the next request.
 */
public final class ClientRequestReceiver extends ChannelInboundHandlerAdapter implements ClientSide {
    private static final Logger log = LoggerFactory.getLogger(ClientRequestReceiver.class);
    /** Request body held while connecting, without suspending reads. */
    static final int CONNECTING_HOLD_BYTES = 16 * 1024;

    private final ProxyExchange exchange;
    private final Runnable resumeReading = this::resumeReading;
    /** Messages read before the exchange could take them, oldest first. */
    private final ArrayDeque<Object> held = new ArrayDeque<>(4);
    private int heldBytes;
    /** autoRead is off because of what is held. */
    private boolean readSuspended;
    private boolean resumeScheduled;
    private boolean readInBatch;
    private boolean active;
    private ChannelHandlerContext ctx;
    private RequestHeadTimer headTimer;
    /** The connection's decoder while it is stopped behind an upgrade request, until the answer; else null. */
    private ClientRequestDecoder stoppedDecoder;

    public ClientRequestReceiver(ProxyExchange exchange) {
        this.exchange = exchange;
    }

    /** True once the server asked this connection to finish; read it on the event loop. */
    public boolean isDraining() {
        return exchange.isDraining();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.headTimer = ctx.pipeline().get(RequestHeadTimer.class);
        exchange.bind(ctx, this);
        if (ctx.channel().isActive()) {
            // Added once the connection said which protocol it speaks (ALPN, an h2c preface), or to a stream.
            activate();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activate();
        ctx.fireChannelActive();
    }

    private void activate() {
        if (!active) {
            active = true;
            exchange.clientActive();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readInBatch = true;
        exchange.clock().batchStarted();
        if (exchange.isClosed()) {
            // Nothing more will be taken; a lingering close reads on and drops what comes.
            ReferenceCountUtil.release(msg);
            return;
        }
        boolean requestEnd = msg instanceof LastHttpContent || msg instanceof BodilessRequest;
        if (!held.isEmpty() || !exchange.canTake(msg)) {
            hold(msg);
        } else {
            take(msg);
        }
        if (requestEnd && exchange.upgradeInFlight()) {
            // Whether held or taken: after a 101 the client's next bytes are not HTTP, and must
            // reach the tunnel undecoded, those read already included.
            suspendReads();
            stopDecoding();
        }
    }

    private void stopDecoding() {
        // An HTTP/2 stream has none: none of its requests switches protocols.
        ClientRequestDecoder decoder = ctx.pipeline().get(ClientRequestDecoder.class);
        if (decoder != null) {
            decoder.stopAfterUpgradeRequest();
            stoppedDecoder = decoder;
        }
    }

    private void take(Object msg) {
        if (headTimer != null && msg instanceof HttpRequest && exchange.awaitingRequestHead()) {
            headTimer.headReceived();
        }
        exchange.take(msg);
    }

    private void hold(Object msg) {
        held.addLast(msg);
        heldBytes += heldSize(msg);
        boolean smallBodyWhileConnecting = exchange.isConnecting() && msg instanceof HttpContent
                && heldBytes <= CONNECTING_HOLD_BYTES;
        if (!smallBodyWhileConnecting) {
            suspendReads();
        }
    }

    private static int heldSize(Object msg) {
        if (msg instanceof HttpContent) {
            return ((HttpContent) msg).content().readableBytes();
        }
        return msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes() : 0;
    }

    private void suspendReads() {
        if (!readSuspended) {
            readSuspended = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * Hands on what is held while the exchange can take it, and reads again once nothing is left,
     * unless an upgrade request awaits its answer (reads resume once the exchange ends without a 101).
     * Taking a message may move the exchange on (a held request starts the next one).
     */
    @Override
    public void takeHeld() {
        Object msg;
        while ((msg = held.peekFirst()) != null) {
            if (!exchange.canTake(msg)) {
                return;
            }
            held.pollFirst();
            heldBytes -= heldSize(msg);
            take(msg);
        }
        if (readSuspended && !exchange.isClosed() && !exchange.awaitsUpgradeAnswer()) {
            readSuspended = false;
            ctx.channel().config().setAutoRead(true);
            if (stoppedDecoder != null) {
                stoppedDecoder.goOn();
                stoppedDecoder = null;
            }
        }
    }

    @Override
    public void takeHeldLater() {
        if ((readSuspended || !held.isEmpty()) && !resumeScheduled) {
            resumeScheduled = true;
            ctx.executor().execute(resumeReading);
        }
    }

    private void resumeReading() {
        resumeScheduled = false;
        if (!ctx.isRemoved()) {
            takeHeld();
        }
    }

    @Override
    public Queue<Object> leave() {
        ChannelPipeline p = ctx.pipeline();
        if (headTimer != null) {
            p.remove(headTimer);
        }
        p.remove(this);
        heldBytes = 0;
        // No read-complete reaches this handler any more to end a batch begun before the switch.
        exchange.clock().batchEnded();
        return held;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        boolean readSomething = readInBatch;
        readInBatch = false;
        exchange.clientReadComplete(readSomething);
        exchange.clock().batchEnded();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        exchange.clientWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == RequestHeadTimer.EXPIRED) {
            exchange.requestHeadTimedOut(headTimer.timeoutMillis());
        } else if (evt instanceof Drain drain) {
            exchange.drain(drain);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.clientClosed();
        Object msg;
        while ((msg = held.pollFirst()) != null) {
            ReferenceCountUtil.release(msg);
        }
        heldBytes = 0;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: client connection failed", ctx.channel(), cause);
        ctx.close();
    }
}
