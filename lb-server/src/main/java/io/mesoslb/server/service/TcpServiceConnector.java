package io.mesoslb.server.service;

import io.mesoslb.core.BackendState;
import io.mesoslb.core.CidrList;
import io.mesoslb.core.Route;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.RetryKind;
import io.mesoslb.server.proxy.origin.BackendAttempts;
import io.mesoslb.server.proxy.tunnel.TunnelSwitch;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of one connection to a TCP service port, until its backend is connected: checks
 * the route's allowed networks, picks a backend by the route's balance mode, connects on the
 * client's event loop (another backend after a failed connect, while retries last; nothing has
 * been relayed yet), then hands both channels to a tunnel relay and leaves. The client is not read
 * until then ({@code autoRead} off at accept).
 */
final class TcpServiceConnector extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
    private static final Logger log = LoggerFactory.getLogger(TcpServiceConnector.class);

    private final int port;
    private final RouteTableHolder routes;
    private final Bootstrap origins;
    private final BackendOutcomes outcomes;
    private final BackendAttempts attempts;
    private final long idleNanos;
    private final TcpSession session;
    private ChannelHandlerContext ctx;
    private Route route;
    /** Read from the client before the backend was connected (a FIN makes the transport read once). */
    private final ArrayDeque<Object> held = new ArrayDeque<>(2);
    private boolean clientSentFin;

    /** @param origins how backend connections are made: options set, no group (the client's loop is used) */
    TcpServiceConnector(int port, RouteTableHolder routes, Bootstrap origins, BackendOutcomes outcomes,
                        int connectRetries, long idleNanos, TcpSession session) {
        this.port = port;
        this.routes = routes;
        this.origins = origins;
        this.outcomes = outcomes;
        this.attempts = new BackendAttempts(connectRetries);
        this.idleNanos = idleNanos;
        this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        route = routes.current().servicePortRoute(port);
        InetAddress client = clientAddress(ctx.channel());
        session.started(route == null ? null : route.appId(), client);
        if (route == null) {
            refuse("no app owns the port");
            return;
        }
        CidrList allowed = route.options().allowFrom();
        if (allowed != null && (client == null || !allowed.contains(client))) {
            refuse("client not in the app's allowed networks");
            return;
        }
        int clientHash = client == null ? 0 : client.hashCode();
        BackendState first = route.select(route.options().balance(), clientHash);
        if (first == null) {
            refuse("no backend available");
            return;
        }
        attempts.begin(route, clientHash, first);
        connect(first);
        ctx.fireChannelActive();
    }

    private static InetAddress clientAddress(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }

    private void refuse(String why) {
        log.debug("{}: service port {}: {}", ctx.channel(), port, why);
        session.refused(why);
        ctx.close();
    }

    private void connect(BackendState state) {
        attempts.moveTo(state);
        UnknownHostException unresolved = BackendAttempts.unresolved(state.backend());
        if (unresolved != null) {
            connectFailed(unresolved);
            return;
        }
        attempts.connecting(origins.clone(ctx.channel().eventLoop()).connect(state.backend().ip(),
                state.backend().port()), this);
    }

    @Override
    public void operationComplete(ChannelFuture f) {
        if (!attempts.finished(f)) {
            return;
        }
        if (f.isSuccess()) {
            connected(f.channel());
        } else {
            connectFailed(f.cause());
        }
    }

    private void connectFailed(Throwable cause) {
        if (attempts.closedUnderIt(cause)) {
            log.debug("{}: connect to {} closed before it was made; connecting again", ctx.channel(), attempts.target());
            connect(attempts.target());
            return;
        }
        log.debug("{}: connect to {} failed: {}", ctx.channel(), attempts.target(), cause.toString());
        outcomes.failed(attempts.target(), BackendAttempts.failureOf(cause));
        session.connectFailed();
        BackendState next = attempts.next();
        if (next != null) {
            outcomes.retried(next, RetryKind.CONNECT);
            connect(next);
            return;
        }
        session.ended("could not connect to a backend");
        attempts.clear();
        ctx.close();
    }

    private void connected(Channel origin) {
        BackendState target = attempts.target();
        outcomes.succeeded(target);
        BackendState counted = attempts.keepCount();
        session.connected(target);
        if (route.servicePort() != null && route.servicePort().sendProxy()) {
            origin.write(ProxyHeaderV1.of(ctx.channel(), origin, origin.alloc()), origin.voidPromise());
        }
        Channel client = ctx.channel();
        ctx.pipeline().remove(this);
        // The in-flight count stays with the backend for as long as the relay lasts.
        client.closeFuture().addListener(x -> {
            if (counted != null) {
                counted.released();
            }
        });
        TunnelSwitch.join(client, origin, held, clientSentFin, idleNanos, session);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            clientSentFin = true;
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        if (attempts.target() != null) {
            session.ended("client closed before the backend was connected");
        }
        attempts.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: service port {} client failed", ctx.channel(), port, cause);
        ctx.close();
    }
}
