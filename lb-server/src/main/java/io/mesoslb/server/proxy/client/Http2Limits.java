package io.mesoslb.server.proxy.client;

import io.mesoslb.server.proxy.Http2ClientSettings;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * What one HTTP/2 connection from a client is held to: the SETTINGS it is told (streams, window,
 * header list), and the floods Netty's codec refuses for us, each with a GOAWAY:
 * <ul>
 *   <li>streams: the client is told {@code http2-max-concurrent-streams}, and a stream past that plus
 *       a bounded slack ({@link #enforcedStreams}) is refused with REFUSED_STREAM;</li>
 *   <li>rapid reset (CVE-2023-44487): more than {@value #MAX_RST_PER_WINDOW} RST_STREAMs from the
 *       client in {@value #RST_WINDOW_SECONDS} s: ENHANCE_YOUR_CALM;</li>
 *   <li>CONTINUATION flood (CVE-2024-27316): a header block is counted as its frames arrive and the
 *       connection fails (PROTOCOL_ERROR) once it passes 1.25 times the header list limit, before it
 *       is decoded; more than {@value #MAX_SMALL_CONTINUATIONS} small CONTINUATION frames in one block
 *       fail it too;</li>
 *   <li>SETTINGS and PING floods: more than {@value #MAX_QUEUED_CONTROL_FRAMES} acknowledgements
 *       queued for a client that does not read them: ENHANCE_YOUR_CALM;</li>
 *   <li>HPACK bombs: a header list that decodes to more than the limit is not kept (the stream gets a
 *       431), and a dynamic table larger than the announced 4,096 bytes is a COMPRESSION_ERROR.</li>
 * </ul>
 */
final class Http2Limits {
    static final int MAX_RST_PER_WINDOW = 200;
    static final int RST_WINDOW_SECONDS = 30;
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    static final int MAX_SMALL_CONTINUATIONS = 16;
    static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;
    /** The least slack past the announced stream limit (for a limit of at least this many). */
    static final int MIN_STREAM_SLACK = 10;

    private Http2Limits() {
    }

    /** @param maxHeaderListSize the request header limit, the same as HTTP/1's */
    static Http2FrameCodec serverCodec(Http2ClientSettings h2, int maxHeaderListSize) {
        Http2Settings announced = Http2Settings.defaultSettings()
                .maxConcurrentStreams(h2.maxConcurrentStreams())
                .initialWindowSize(h2.initialWindowSize())
                .maxHeaderListSize(maxHeaderListSize);
        // No SETTINGS_ENABLE_CONNECT_PROTOCOL: WebSocket over HTTP/2 (RFC 8441) is not offered.
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(announced)
                .validateHeaders(true)
                .validateRequiredPseudoHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_PER_WINDOW, RST_WINDOW_SECONDS)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATIONS)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA_FRAMES)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                // Any close of the connection is immediate (after a GOAWAY): a drain waits for its
                // streams itself (Http2ConnectionKeeper), and the shutdown grace is the server's.
                .gracefulShutdownTimeoutMillis(0)
                .build();
        allowStreamSlack(codec, enforcedStreams(h2.maxConcurrentStreams()));
        return codec;
    }

    /**
     * The streams a client may really have open on one connection: the announced limit and a slack.
     * Netty counts a stream as open until the write of its last frame has completed; over TLS that
     * can be after the client has read the END_STREAM and, rightly, opened the next stream, so a
     * client keeping exactly the announced number open is now and then one or a few over in our
     * count (seen with h2load at 100 streams and 64 KiB bodies: REFUSED_STREAM, rarely). A client
     * can be over by at most the streams it has just seen end, which is never more than the limit,
     * and in practice a handful: a tenth of the limit, at least {@value #MIN_STREAM_SLACK}, at most
     * the limit itself. It keeps the protection bounded: at most 2 x the limit (and 1.1 x from 100
     * up) exchanges per connection, each held to its window and {@code write-buffer-high}, within the
     * connection window sized for the announced limit.
     */
    static int enforcedStreams(int announced) {
        return announced + Math.min(announced, Math.max(announced / 10, MIN_STREAM_SLACK));
    }

    /**
     * Holds the client's streams to {@code enforced} rather than the announced limit. The codec sets
     * the announced limit at build and again when the client acknowledges the SETTINGS; the
     * acknowledgement is handled whole, before the next frame is read, so setting it back right
     * after leaves no moment at which the announced limit refuses a stream.
     */
    private static void allowStreamSlack(Http2FrameCodec codec, int enforced) {
        Http2Connection.Endpoint<?> clientStreams = codec.connection().remote();
        clientStreams.maxActiveStreams(enforced);
        Http2FrameListener codecListener = codec.decoder().frameListener();
        codec.decoder().frameListener(new Http2FrameListenerDecorator(codecListener) {
            @Override
            public void onSettingsAckRead(ChannelHandlerContext ctx) throws Http2Exception {
                clientStreams.maxActiveStreams(enforced);
                super.onSettingsAckRead(ctx);
            }
        });
    }

    /**
     * The receive window the connection is to have: every stream's window, so that a stream whose
     * backend is slow keeps its unread body out of its own window only, never out of the others'.
     * (Every connection starts at 65,535 bytes; Netty opens it a little for a larger stream window.)
     */
    static int connectionWindow(Http2ClientSettings h2) {
        return (int) Math.min((long) h2.maxConcurrentStreams() * h2.initialWindowSize(), Http2CodecUtil.MAX_INITIAL_WINDOW_SIZE);
    }
}
