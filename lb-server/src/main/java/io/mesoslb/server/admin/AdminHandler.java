package io.mesoslb.server.admin;

import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.discovery.DiscoveryState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the admin endpoints. Runs on the admin server's own event loop, never the proxy's. */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final RouteTableHolder routes;
    private final Supplier<DiscoveryState> discovery;
    private final ReadinessState readiness;
    private final HealthCheckResponder health;
    private final PrometheusMeterRegistry registry;
    private final RoutesJson routesJson;
    private final StatsJson statsJson;
    private final VersionInfo version;
    private final byte[] statusPage;

    AdminHandler(RouteTableHolder routes, Supplier<DiscoveryState> discovery, ReadinessState readiness,
                 PrometheusMeterRegistry registry, RoutesJson routesJson, StatsJson statsJson, VersionInfo version,
                 byte[] statusPage) {
        super(true);
        this.routes = routes;
        this.discovery = discovery;
        this.readiness = readiness;
        this.health = new HealthCheckResponder(readiness);
        this.registry = registry;
        this.routesJson = routesJson;
        this.statsJson = statsJson;
        this.version = version;
        this.statusPage = statusPage;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
        HttpVersion v = req.protocolVersion();
        ByteBufAllocator alloc = ctx.alloc();
        if (!req.decoderResult().isSuccess()) {
            send(ctx, HttpResponses.text(alloc, v, HttpResponseStatus.BAD_REQUEST, "bad request\n", false), true);
            return;
        }
        boolean head = HttpMethod.HEAD.equals(req.method());
        if (!head && !HttpMethod.GET.equals(req.method())) {
            FullHttpResponse res = HttpResponses.text(alloc, v, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "only GET and HEAD\n", false);
            res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, res, false);
            return;
        }
        send(ctx, respond(alloc, v, path(req.uri()), head), false);
    }

    private FullHttpResponse respond(ByteBufAllocator alloc, HttpVersion v, String path, boolean head)
            throws Exception {
        HttpResponseStatus ok = HttpResponseStatus.OK;
        return switch (path) {
            // marathon-lb answers its ELB check on its stats port (9090, as this one): a check set up for it keeps working.
            case "/health", "/_haproxy_health_check" -> health.response(alloc, v, head);
            case "/metrics" -> HttpResponses.of(alloc, v, ok, PROMETHEUS_TEXT,
                    registry.scrape().getBytes(StandardCharsets.UTF_8), head);
            case "/routes" -> HttpResponses.of(v, ok, HttpResponses.JSON,
                    routesJson.render(alloc, routes.current(), discovery.get()), head);
            case "/stats.json" -> HttpResponses.of(v, ok, HttpResponses.JSON,
                    statsJson.render(alloc, routes.current(), discovery.get(), readiness.verdict()), head);
            case "/version" -> HttpResponses.of(alloc, v, ok, HttpResponses.JSON, version.json(), head);
            case "/", "/status" -> HttpResponses.of(alloc, v, ok, HttpResponses.HTML, statusPage, head);
            default -> HttpResponses.text(alloc, v, HttpResponseStatus.NOT_FOUND, "not found\n", head);
        };
    }

    /** The path of a request target, without query or fragment. */
    static String path(String uri) {
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return uri.substring(0, end);
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean close) {
        if (close) {
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(res);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
        if (ctx.channel().isActive()) {
            send(ctx, HttpResponses.text(ctx.alloc(), HttpVersion.HTTP_1_1, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal error\n", false), true);
        }
    }
}
