package io.mesoslb.server.proxy.client;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayDeque;

/**
 * The methods of the requests read on a client connection and not answered yet, oldest first: a
 * response's framing depends on its request's (no body after HEAD), and requests may be read ahead
 * of their answers (pipelining). What {@code HttpServerCodec} keeps between its decoder and its
 * encoder, here shared by whichever decoder reads the connection and {@link ClientResponseEncoder}.
 */
public final class RequestMethods {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
    private final int maxDepth;

    /** @param maxDepth the most requests read ahead of their answers; beyond it the connection fails */
    public RequestMethods(int maxDepth) {
        this.maxDepth = maxDepth;
    }

    void add(HttpMethod method) {
        if (methods.size() >= maxDepth) {
            throw new IllegalStateException("maxPipelineDepth exceeded: " + maxDepth);
        }
        methods.addLast(method);
    }

    /** The method of the request a final response answers; GET when none is known. */
    HttpMethod next() {
        HttpMethod m = methods.pollFirst();
        return m == null ? HttpMethod.GET : m;
    }
}
