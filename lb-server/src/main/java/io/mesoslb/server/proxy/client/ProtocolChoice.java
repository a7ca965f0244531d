package io.mesoslb.server.proxy.client;

import io.netty.channel.ChannelPipeline;

/**
 * What a client connection speaks, decided once by ALPN or by its first bytes: the handlers of that
 * protocol are added at the end of its pipeline, where the deciding handler is (it leaves after).
 */
interface ProtocolChoice {
    void http1(ChannelPipeline p);

    void http2(ChannelPipeline p);
}
