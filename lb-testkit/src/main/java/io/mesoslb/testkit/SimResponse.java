package io.mesoslb.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A complete API response, built on the control thread and written by the Netty handler. */
record SimResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";

    static SimResponse json(HttpResponseStatus status, JsonNode body) {
        return new SimResponse(status, JSON, MarathonJson.write(body).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static SimResponse json(HttpResponseStatus status, JsonNode body, Map<String, String> headers) {
        return new SimResponse(status, JSON, MarathonJson.write(body).getBytes(StandardCharsets.UTF_8), headers);
    }

    static SimResponse message(HttpResponseStatus status, String message) {
        return json(status, MarathonJson.message(message));
    }

    static SimResponse text(HttpResponseStatus status, String contentType, String body) {
        return new SimResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
