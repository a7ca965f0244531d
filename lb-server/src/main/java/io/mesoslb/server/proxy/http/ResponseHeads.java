package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Turns a backend's response head into the one the client gets. */
public final class ResponseHeads {
    private ResponseHeads() {
    }

    /**
     * Strips the backend's hop-by-hop headers, adds {@code Via}, and frames the response for the
     * client's HTTP version and keep-alive wish.
     *
     * @param connection what {@link HopByHopHeaders#connection} read from the response
     * @param keepAlive  false when the client connection is to close after this response anyway
     * @return true when the client connection must close after this response
     */
    public static boolean prepareForClient(HttpResponse response, int connection, HttpVersion clientVersion,
                                    boolean keepAlive, boolean headRequest) {
        HopByHopHeaders.strip(response.headers(), connection, false);
        ForwardedHeaders.applyToResponse(response, connection);
        int code = response.status().code();
        boolean bodyless = headRequest || code == 204 || code == 304;
        boolean chunked = (connection & HeaderScan.HAS_TRANSFER_ENCODING) != 0 && HttpUtil.isTransferEncodingChunked(response);
        boolean framed = bodyless || chunked
                || ((connection & HeaderScan.HAS_CONTENT_LENGTH) != 0 && HttpUtil.isContentLengthSet(response));
        boolean http10 = clientVersion.minorVersion() == 0;
        if (!http10) {
            // An intermediary sends its own version (RFC 9110 section 6.2), whatever the backend spoke.
            response.setProtocolVersion(HttpVersion.HTTP_1_1);
            if (!framed) {
                // Delimited by the backend's close (an HTTP/1.0 backend): chunked, the client keeps its connection.
                HttpUtil.setTransferEncodingChunked(response, true);
                framed = true;
            }
        } else {
            response.setProtocolVersion(HttpVersion.HTTP_1_0);
            if (chunked && !bodyless) {
                // HTTP/1.0 has no chunked coding: send the body raw and mark its end by closing.
                HttpUtil.setTransferEncodingChunked(response, false);
                framed = false;
            }
        }
        boolean close = !keepAlive || !framed;
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return close;
    }
}
