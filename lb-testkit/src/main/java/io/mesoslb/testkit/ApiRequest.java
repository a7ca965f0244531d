package io.mesoslb.testkit;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/** The parts of an API request the router needs, copied off the Netty request so it can cross threads. */
record ApiRequest(HttpMethod method, String path, String uri, Map<String, List<String>> params, String body) {
    List<String> param(String name) {
        return params.getOrDefault(name, List.of());
    }

    String first(String name) {
        List<String> values = param(name);
        return values.isEmpty() ? null : values.get(0);
    }
}
