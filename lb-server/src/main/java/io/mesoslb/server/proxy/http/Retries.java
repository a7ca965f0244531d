package io.mesoslb.server.proxy.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Which requests may be sent a second time after their connection broke before any response.
 *
 * <p>Only GET, HEAD and OPTIONS without a body: the backend may well have acted on the first copy
 * before it failed, which is harmless only for methods that change nothing, and bodies are
 * streamed, never kept, so a request with one could not be sent again anyway. Connect failures
 * are another matter: nothing was sent, so any request may go to another backend.
 */
public final class Retries {
    private Retries() {
    }

    public static boolean isReplayable(HttpRequest request, boolean hasBody) {
        if (hasBody) {
            return false;
        }
        HttpMethod m = request.method();
        return HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m) || HttpMethod.OPTIONS.equals(m);
    }
}
