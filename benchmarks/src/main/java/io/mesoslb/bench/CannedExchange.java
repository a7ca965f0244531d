package io.mesoslb.bench;

import java.nio.charset.StandardCharsets;

/**
 * The exchanges {@link ExchangeAllocationBenchmark} drives: a request as a browser or an API client
 * sends it, and the answer of the origin, both as bytes on the wire.
 */
public enum CannedExchange {
    /** A page view: no body, the headers a browser sends, a small {@code Content-Length} answer. */
    GET(get("/products/42?ref=home", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), 0,
            response("200 OK", "text/html; charset=utf-8", filler(612))),
    /** An API call with a 4 KiB JSON body ({@code Content-Length}), answered with a short JSON. */
    POST4K(post("/api/orders", 4096), 4096,
            response("201 Created", "application/json", "{\"id\":\"ord-7f3a9c\",\"status\":\"accepted\"}")),
    /** A page view answered with {@code Transfer-Encoding: chunked}: four chunks of 1 KiB. */
    CHUNKED(get("/feed", "application/json"), 0, chunkedResponse(4, 1024)),
    /**
     * An upload streamed with {@code Transfer-Encoding: chunked} (curl -T, gRPC-web, Java's HttpClient
     * with a body publisher of unknown length): four chunks of 1 KiB, answered with a short JSON.
     */
    CHUNKED_POST(chunkedPost("/api/uploads", 4, 1024), chunkedBody(4, 1024).length(),
            response("201 Created", "application/json", "{\"id\":\"upl-2b81e0\",\"status\":\"stored\"}"));

    static final String APP_ID = "/shop";
    static final String DOMAIN = "bench.local";
    static final String HOST = "shop." + DOMAIN;

    private static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    final byte[] request;
    /** Bytes of body after the request's head, as the origin must see them. */
    final int requestBodyLength;
    final byte[] response;

    CannedExchange(String request, int requestBodyLength, String response) {
        this.request = request.getBytes(StandardCharsets.ISO_8859_1);
        this.requestBodyLength = requestBodyLength;
        this.response = response.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String get(String target, String accept) {
        return "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + HOST + "\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n"
                + "Accept: " + accept + "\r\n"
                + "Accept-Language: en-US,en;q=0.5\r\n"
                + "Accept-Encoding: gzip, deflate, br\r\n"
                + "Referer: https://" + HOST + "/\r\n"
                + "Cookie: session=4f9c2a7d1e8b44c0; theme=dark\r\n"
                + "Connection: keep-alive\r\n"
                + "Upgrade-Insecure-Requests: 1\r\n"
                + "\r\n";
    }

    private static String post(String target, int bodyLength) {
        return "POST " + target + " HTTP/1.1\r\n"
                + "Host: " + HOST + "\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n"
                + "Accept: application/json\r\n"
                + "Accept-Language: en-US,en;q=0.5\r\n"
                + "Accept-Encoding: gzip, deflate, br\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + bodyLength + "\r\n"
                + "Cookie: session=4f9c2a7d1e8b44c0; theme=dark\r\n"
                + "Connection: keep-alive\r\n"
                + "\r\n"
                + jsonBody(bodyLength);
    }

    private static String chunkedPost(String target, int chunks, int chunkLength) {
        return "POST " + target + " HTTP/1.1\r\n"
                + "Host: " + HOST + "\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n"
                + "Accept: application/json\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "Connection: keep-alive\r\n"
                + "\r\n"
                + chunkedBody(chunks, chunkLength);
    }

    private static String response(String status, String contentType, String body) {
        return head(status, contentType) + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String chunkedResponse(int chunks, int chunkLength) {
        return head("200 OK", "application/json") + "Transfer-Encoding: chunked\r\n\r\n" + chunkedBody(chunks, chunkLength);
    }

    /** {@code chunks} chunks of {@code chunkLength} bytes and the last chunk, as a body goes on the wire. */
    private static String chunkedBody(int chunks, int chunkLength) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < chunks; i++) {
            r.append(Integer.toHexString(chunkLength)).append("\r\n").append(filler(chunkLength)).append("\r\n");
        }
        return r.append("0\r\n\r\n").toString();
    }

    private static String head(String status, String contentType) {
        return "HTTP/1.1 " + status + "\r\n"
                + "Server: origin/1.0\r\n"
                + "Date: Mon, 07 Dec 2026 00:00:00 GMT\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Cache-Control: private, max-age=0\r\n"
                + "ETag: \"5f3a-1c2b\"\r\n";
    }

    private static String jsonBody(int length) {
        String open = "{\"items\":\"";
        String close = "\"}";
        return open + filler(length - open.length() - close.length()) + close;
    }

    private static String filler(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + i % 26));
        }
        return s.toString();
    }
}
