package io.mesoslb.server.testing;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

/** What an origin saw of one request. */
public record RecordedRequest(String method, String uri, String version, HttpHeaders headers, int connectionId) {
    static RecordedRequest of(HttpRequest req, int connectionId) {
        return new RecordedRequest(req.method().name(), req.uri(), req.protocolVersion().text(),
                req.headers().copy(), connectionId);
    }
}
