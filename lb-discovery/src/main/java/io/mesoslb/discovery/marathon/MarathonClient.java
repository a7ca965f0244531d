package io.mesoslb.discovery.marathon;

import io.mesoslb.discovery.UrlCredentials;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Flow;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The few Marathon calls discovery makes, over the JDK HTTP client: snapshots and apps on discovery's own executor,
 * the event stream on a client of its own that does the stream's work on the thread that read it.
 *
 * <p>Redirects are followed here rather than by the client, which would drop the
 * {@code Authorization} header on the way: a standby Marathon (1.7+) answers {@code /v2/events} with
 * {@code 302} to the leader, and the credentials must go along (REFERENCE.md section 5).
 */
final class MarathonClient {
    static final String LEADER_HEADER = "X-Marathon-Leader";
    private static final String EVENTS_PATH = "/v2/events";

    /** An HTTP status Marathon answered with instead of the expected one. */
    static final class StatusException extends IOException {
        private final int status;

        StatusException(URI uri, int status, String body) {
            // Without the query (the event filters would drown the message) and any userinfo a redirect brought.
            super("GET " + base(UrlCredentials.strip(uri)) + uri.getRawPath() + " answered " + status
                    + (body == null || body.isBlank() ? "" : ": " + abbreviate(body.strip())));
            this.status = status;
        }

        int status() {
            return status;
        }

        private static String abbreviate(String s) {
            return s.length() <= 200 ? s : s.substring(0, 200) + "...";
        }
    }

    /** What a response body becomes: the live stream on 200, the text of anything else. */
    private record Body<T>(T value, String text) {
    }

    private final MarathonConfig config;
    private final HttpClient http;
    private final HttpClient events;
    private final String authorization;
    private final String eventsQuery;

    /** @param executor where snapshot and app bodies are read (the parsing blocks on the body as it arrives) */
    MarathonClient(MarathonConfig config, Executor executor) {
        this.config = config;
        SSLContext tls = config.truststore() == null ? null : sslContext(config);
        this.http = httpClient(config, tls, executor);
        // The event stream's work, cutting chunks into events and handing them over (EventStream), never blocks:
        // its own client runs it on its selector thread, which read the chunk, instead of waking another thread.
        this.events = httpClient(config, tls, Runnable::run);
        this.authorization = authorization(config);
        StringBuilder query = new StringBuilder("?plan-format=light");
        for (String type : config.eventTypes()) {
            query.append("&event_type=").append(URLEncoder.encode(type, StandardCharsets.UTF_8));
        }
        this.eventsQuery = query.toString();
    }

    /** Opens the event stream: returns once Marathon answered 200 with the stream's headers. */
    EventStream openEvents(URI base) throws IOException, InterruptedException {
        HttpResponse<Body<Flow.Publisher<List<ByteBuffer>>>> response = get(events,
                URI.create(base + EVENTS_PATH + eventsQuery), "text/event-stream", BodySubscribers::ofPublisher);
        URI at = response.request().uri();
        String path = at.getRawPath();
        // Base and leader are logged and shown: never with userinfo, even one Marathon sent back.
        URI leaderBase = URI.create(base(UrlCredentials.strip(at))
                + (path.endsWith(EVENTS_PATH) ? path.substring(0, path.length() - EVENTS_PATH.length()) : ""));
        EventStream stream = new EventStream(leaderBase,
                response.headers().firstValue(LEADER_HEADER).map(UrlCredentials::redact).orElse(null));
        response.body().value().subscribe(stream);
        return stream;
    }

    /** {@code GET /v2/apps?embed=apps.tasks}: every app with its tasks. */
    List<MarathonApp> fetchApps(URI base) throws IOException, InterruptedException {
        // Parsed as it arrives (MarathonJson.streamApps), on the HTTP client's pool, inside the request
        // timeout; a timeout closes the body so the parsing thread does not wait for it.
        AtomicReference<InputStream> body = new AtomicReference<>();
        try {
            return get(http, URI.create(base + "/v2/apps?embed=apps.tasks"), "application/json",
                    () -> BodySubscribers.mapping(BodySubscribers.ofInputStream(), in -> {
                        body.set(in);
                        try (InputStream json = in) {
                            return MarathonJson.streamApps(json);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })).body().value();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            InputStream in = body.get();
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // closing only to let go of the connection
                }
            }
        }
    }

    /** {@code GET /v2/apps/{id}?embed=app.tasks}; empty when Marathon no longer has the app. */
    Optional<MarathonApp> fetchApp(URI base, String appId) throws IOException, InterruptedException {
        URI uri = URI.create(base + "/v2/apps" + MarathonJson.absoluteId(appId) + "?embed=app.tasks");
        try {
            List<MarathonApp> apps = MarathonJson.parseApps(get(http, uri, "application/json",
                    BodySubscribers::ofByteArray).body().value());
            return apps.stream().filter(a -> a.id().equals(MarathonJson.absoluteId(appId))).findFirst();
        } catch (StatusException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private <T> HttpResponse<Body<T>> get(HttpClient client, URI uri, String accept,
                                          Supplier<HttpResponse.BodySubscriber<T>> onOk)
            throws IOException, InterruptedException {
        URI target = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(target).GET().timeout(config.requestTimeout())
                    .header("Accept", accept);
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<Body<T>> response = send(client, request.build(), info -> info.statusCode() == 200
                    ? BodySubscribers.mapping(onOk.get(), value -> new Body<>(value, null))
                    : BodySubscribers.mapping(BodySubscribers.ofString(StandardCharsets.UTF_8),
                    text -> new Body<T>(null, text)));
            int status = response.statusCode();
            if (status == 200) {
                return response;
            }
            URI next = isRedirect(status) ? redirectTarget(target, response) : null;
            if (next == null || hop >= config.maxRedirects()) {
                throw new StatusException(target, status, response.body().text());
            }
            String refused = refusedRedirect(target, next, authorization != null);
            if (refused != null) {
                throw new StatusException(target, status, refused);
            }
            target = next;
        }
    }

    /**
     * The request timeout bounds the whole exchange, body included: the client's own timeout stops
     * at the response headers, and a Marathon that sends the headers of {@code /v2/apps} and then
     * stalls would hold discovery's only thread for good. (A stream's body is live: its future
     * completes at the headers, and its silence is the read-idle timeout's business.)
     */
    private <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<T>> exchange = client.sendAsync(request, handler);
        try {
            return exchange.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new HttpTimeoutException("GET " + request.uri().getRawPath() + ": no complete response within "
                    + config.requestTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }

    private static HttpClient httpClient(MarathonConfig config, SSLContext tls, Executor executor) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.connectTimeout())
                .executor(executor);
        if (tls != null) {
            builder.sslContext(tls);
        }
        return builder.build();
    }

    /** {@code scheme://authority}. */
    private static String base(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /**
     * Why a redirect is not followed, or null when it may be. The credentials go along on a redirect
     * (a standby sends the client to the leader), so never to a scheme other than http(s), and never
     * from https down to http, where they would cross the network in clear.
     */
    static String refusedRedirect(URI from, URI to, boolean withCredentials) {
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "redirect to a " + (scheme.isEmpty() ? "relative" : scheme) + " URL not followed";
        }
        if (withCredentials && "https".equalsIgnoreCase(from.getScheme()) && scheme.equals("http")) {
            return "redirect from https to http not followed: the credentials would travel in clear";
        }
        return null;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** The {@code Location}, or failing that the same request to the {@code X-Marathon-Leader}. */
    private static URI redirectTarget(URI from, HttpResponse<?> response) {
        Optional<String> location = response.headers().firstValue("Location");
        if (location.isPresent()) {
            return from.resolve(location.get());
        }
        return response.headers().firstValue(LEADER_HEADER)
                .map(leader -> URI.create(leader.replaceAll("/+$", "") + from.getRawPath()
                        + (from.getRawQuery() == null ? "" : "?" + from.getRawQuery())))
                .orElse(null);
    }

    private static String authorization(MarathonConfig config) {
        if (config.username() != null) {
            String credentials = config.username() + ":" + config.password();
            return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        }
        if (config.token() != null) {
            return config.tokenScheme() == MarathonConfig.TokenScheme.DCOS ? "token=" + config.token()
                    : "Bearer " + config.token();
        }
        return null;
    }

    private static SSLContext sslContext(MarathonConfig config) {
        try (InputStream in = Files.newInputStream(config.truststore())) {
            KeyStore store = KeyStore.getInstance(config.truststoreType());
            String password = config.truststorePassword();
            store.load(in, password == null ? null : password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load the Marathon truststore " + config.truststore() + ": " + e, e);
        }
    }
}
