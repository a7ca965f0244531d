package io.mesoslb.server.proxy.client;

import io.mesoslb.server.observe.ExchangeObserver;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.exchange.ProxyExchange;
import io.mesoslb.server.transport.ClientAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import java.util.function.Function;

/**
 * The receiving end of HTTP/2 streams: each stream the client opens is one exchange, with the
 * handlers an HTTP/1 connection has for its requests (the {@link ClientRequestReceiver}, a
 * {@link ProxyExchange} and its {@link ExchangeObserver}), behind {@link Http2RequestCodec} and
 * {@link Http2StreamEnd}: {@code Http2RequestCodec -> Http2StreamEnd -> ClientRequestReceiver}.
 *
 * <p>A stream's channel runs on its connection's event loop, so the backend connection it borrows
 * does too. Its own flow control carries the backpressure: while the receiver stops reading it, the
 * stream's window is not given back and only this client's stream waits; while its write side is
 * full (the client's window, or the connection's socket), the backend of this stream stops reading.
 */
@ChannelHandler.Sharable
final class Http2StreamInitializer extends ChannelInitializer<Channel> {
    static final String PROTOCOL = "HTTP/2.0";

    private final Function<ExchangeObserver, ProxyExchange> exchanges;
    private final ProxyOps ops;
    private final WriteBufferWaterMark streamBuffer;

    /** @param exchanges a new exchange reporting to the observer given */
    Http2StreamInitializer(Function<ExchangeObserver, ProxyExchange> exchanges, ProxySettings settings, ProxyOps ops) {
        this.exchanges = exchanges;
        this.ops = ops;
        // What a stream's slow reader may have queued for it before its backend pauses: as on a connection.
        this.streamBuffer = new WriteBufferWaterMark(settings.writeBufferLow(), settings.writeBufferHigh());
    }

    @Override
    protected void initChannel(Channel stream) {
        stream.config().setWriteBufferWaterMark(streamBuffer);
        // Who the client is was read off the connection (a PROXY header): streams look at their own attributes.
        stream.attr(ClientAddress.ATTR).set(stream.parent().attr(ClientAddress.ATTR).get());
        ExchangeObserver observer = new ExchangeObserver(ops, PROTOCOL);
        stream.pipeline().addLast(Http2RequestCodec.INSTANCE, new Http2StreamEnd(),
                new ClientRequestReceiver(exchanges.apply(observer)));
    }
}
