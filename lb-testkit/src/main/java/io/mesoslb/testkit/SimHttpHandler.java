package io.mesoslb.testkit;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API connection of a simulator instance: availability and auth first, then the leader filter, then either the
 * event stream or a REST call answered on the control thread. Never blocks the event loop.
 */
final class SimHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(SimHttpHandler.class);
    static final String EVENTS = "/v2/events";
    static final String EVENT_STREAM = "text/event-stream";
    static final String LEADER_HEADER = "X-Marathon-Leader";
    /**
     * What a Marathon (Jetty) started without its event stream answers on /v2/events: a 405 whose
     * HTML names the reason in Jetty's words, which clients show. Written here, not copied in.
     */
    private static final byte[] JETTY_405 = ("<html><head><title>Error 405</title></head><body>\n"
            + "<h2>HTTP ERROR 405</h2>\n<p>Problem accessing " + EVENTS + ". Reason: HTTP method GET is not supported"
            + " by this URL</p>\n</body></html>\n").getBytes(StandardCharsets.ISO_8859_1);

    private final MarathonSimulator sim;
    private final ApiRouter router;
    /** Set once this connection became an event stream; it then carries no more requests. */
    private boolean streaming;

    SimHttpHandler(MarathonSimulator sim, ApiRouter router) {
        this.sim = sim;
        this.router = router;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (streaming) {
            return;
        }
        if (!req.decoderResult().isSuccess()) {
            write(ctx, SimResponse.message(HttpResponseStatus.BAD_REQUEST, "Bad Request"), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!sim.isAvailable()) {
            write(ctx, SimResponse.message(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "Could not determine the current leader"), keepAlive);
            return;
        }
        if (!Auth.allowed(req.headers(), sim.options())) {
            write(ctx, Auth.challenge(sim.options()), keepAlive);
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        if (query.path().equals(EVENTS) && req.method().equals(HttpMethod.GET)) {
            events(ctx, req, query);
            return;
        }
        ApiRequest request = new ApiRequest(req.method(), query.path(), req.uri(), query.parameters(),
                req.content().toString(StandardCharsets.UTF_8));
        CompletableFuture<SimResponse> answer = sim.cluster().async(() -> router.route(request)).thenCompose(a -> a);
        answer.whenComplete((response, error) -> {
            if (error != null && !ctx.channel().isActive()) {
                return; // the simulator closed while this request waited; nobody is left to answer
            }
            if (error != null) {
                LOG.warn("simulator failed on {} {}", request.method(), request.uri(), error);
                response = SimResponse.message(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(error));
            }
            write(ctx, response, keepAlive);
        });
    }

    private void events(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder query) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        MarathonSimulator leader = sim.cluster().leader();
        if (leader != sim && leader != null) {
            // Marathon 1.7+: a standby redirects the stream to the leader instead of proxying it.
            String location = leader.uri() + EVENTS + (query.rawQuery().isEmpty() ? "" : "?" + query.rawQuery());
            write(ctx, new SimResponse(HttpResponseStatus.FOUND, SimResponse.JSON, new byte[0],
                    Map.of(HttpHeaderNames.LOCATION.toString(), location)), keepAlive);
            return;
        }
        // Jetty's EventSourceServlet compares each Accept value with equals(); anything else falls through to 405.
        if (!req.headers().getAll(HttpHeaderNames.ACCEPT).contains(EVENT_STREAM)) {
            write(ctx, new SimResponse(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/html;charset=ISO-8859-1",
                    JETTY_405, Map.of()), keepAlive);
            return;
        }
        streaming = true;
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream;charset=UTF-8")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store, must-revalidate")
                .set(HttpHeaderNames.PRAGMA, "no-cache")
                .set(HttpHeaderNames.EXPIRES, "0");
        leaderHeader(head.headers());
        ctx.writeAndFlush(head);
        EventStream stream = new EventStream(ctx.channel(), new LinkedHashSet<>(query.parameters()
                .getOrDefault("event_type", List.of())));
        stream.startHeartbeat(sim.options().heartbeatInterval(), sim.streams()::stalled);
        String remote = remoteAddress(ctx);
        Cluster cluster = sim.cluster();
        cluster.async(() -> {
            if (cluster.leader() != sim || !sim.isAvailable()) {
                stream.close(); // leadership or availability changed while the head was on its way
                return null;
            }
            sim.streams().attach(stream);
            cluster.publish("event_stream_attached", MarathonJson.write(EventBodies.streamAttached(remote)));
            return null;
        });
        ctx.channel().closeFuture().addListener(f -> cluster.async(() -> {
            if (cluster.leader() == sim) {
                cluster.emit(EventBodies.streamDetached(remote));
            }
            return null;
        }));
    }

    private void write(ChannelHandlerContext ctx, SimResponse r, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                Unpooled.wrappedBuffer(r.body()));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        leaderHeader(h);
        r.headers().forEach(h::set);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void leaderHeader(HttpHeaders h) {
        MarathonSimulator leader = sim.cluster().leader();
        if (leader != null) {
            h.set(LEADER_HEADER, leader.uri().toString());
        }
    }

    private static String remoteAddress(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("simulator connection failed", cause);
        ctx.close();
    }
}
