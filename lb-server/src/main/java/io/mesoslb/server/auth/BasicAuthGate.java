package io.mesoslb.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.mesoslb.core.CryptFamily;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a request's {@code Authorization} header satisfies a route's basic-auth rule
 * (marathon-lb's {@code HAPROXY_n_AUTH = realm:user:hash}), without hashing on the caller's thread.
 *
 * <p>A slow hash (bcrypt, yescrypt) is the point of those formats, and would stall every connection
 * of an event loop; so a credential is hashed once on the {@link HashingExecutor} and the verdict
 * cached: a match for {@link #DEFAULT_ALLOW_TTL}, a mismatch for {@link #DEFAULT_DENY_TTL}, so a
 * client repeating the same wrong password costs one hash a minute, not one a request. Concurrent
 * requests with the same uncached credential share one hash. Neither cache holds a credential: see
 * {@link CredentialKey}.
 */
public final class BasicAuthGate implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BasicAuthGate.class);

    public static final Duration DEFAULT_ALLOW_TTL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_DENY_TTL = Duration.ofMinutes(1);
    private static final long CACHE_SIZE = 10_000;
    private static final long QUEUE_FULL_LOG_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

    private final CryptVerifier verifier;
    private final ExecutorService hashing;
    private final Cache<CredentialKey, Boolean> allowed;
    /** Mismatches, and hashes that cannot be verified here, each with the decision to repeat. */
    private final Cache<CredentialKey, AuthDecision> refused;
    private final ConcurrentHashMap<CredentialKey, CompletableFuture<AuthDecision>> inFlight =
            new ConcurrentHashMap<>();
    private final Set<CryptFamily> unverifiableLogged = ConcurrentHashMap.newKeySet();
    private final AtomicLong queueFull = new AtomicLong();
    private final AtomicLong lastQueueFullLog = new AtomicLong(System.nanoTime() - QUEUE_FULL_LOG_INTERVAL_NANOS);

    /** The system's verifier on a default {@link HashingExecutor}, which {@link #close()} shuts down. */
    public static BasicAuthGate create() {
        return new BasicAuthGate(CryptVerifier.system(), HashingExecutor.createDefault());
    }

    /** @param hashing where hashes run; shut down by {@link #close()}. Must not run tasks on the caller. */
    public BasicAuthGate(CryptVerifier verifier, ExecutorService hashing) {
        this(verifier, hashing, Ticker.systemTicker(), DEFAULT_ALLOW_TTL, DEFAULT_DENY_TTL);
    }

    BasicAuthGate(CryptVerifier verifier, ExecutorService hashing, Ticker ticker, Duration allowTtl,
            Duration denyTtl) {
        this.verifier = Objects.requireNonNull(verifier);
        this.hashing = Objects.requireNonNull(hashing);
        this.allowed = Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(allowTtl)
                .ticker(ticker).build();
        this.refused = Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(denyTtl)
                .ticker(ticker).build();
    }

    /**
     * Safe to call on an event loop: it never hashes, and never runs {@code onPending} itself.
     *
     * @param user the route's user
     * @param hash the route's crypt(3) hash
     * @param authorization the request's {@code Authorization} value, null when there is none
     * @param onPending called exactly once, on a hashing thread, with ALLOW, DENY or UNAVAILABLE, if and
     *     only if this returns PENDING; the caller hops back onto its event loop from there
     * @return ALLOW, DENY or UNAVAILABLE when known now (cached, malformed, wrong user, queue full), or
     *     PENDING
     */
    public AuthDecision check(String user, String hash, CharSequence authorization,
            Consumer<AuthDecision> onPending) {
        Objects.requireNonNull(user);
        Objects.requireNonNull(onPending);
        if (hash == null || CryptFamily.of(hash) == CryptFamily.UNKNOWN) {
            return AuthDecision.UNAVAILABLE;
        }
        BasicCredentials credentials = BasicCredentials.parse(authorization);
        if (credentials == null) {
            return AuthDecision.DENY;
        }
        if (!MessageDigest.isEqual(credentials.user, user.getBytes(StandardCharsets.UTF_8))) {
            credentials.wipe();
            return AuthDecision.DENY;
        }
        CredentialKey key = CredentialKey.of(authorization, hash);
        AuthDecision known = cached(key);
        if (known != null) {
            credentials.wipe();
            return known;
        }
        CompletableFuture<AuthDecision> mine = new CompletableFuture<>();
        CompletableFuture<AuthDecision> running = inFlight.putIfAbsent(key, mine);
        if (running == null) {
            running = mine;
            if (!submit(key, credentials, hash, mine)) {
                return AuthDecision.UNAVAILABLE;
            }
        } else {
            credentials.wipe();
        }
        PendingCallback pending = new PendingCallback(onPending);
        running.thenAccept(pending::complete);
        return pending.returnFromCheck();
    }

    /** How many checks were answered UNAVAILABLE because the hashing queue was full. */
    public long queueFullCount() {
        return queueFull.get();
    }

    /** Stops the hashing threads; requests still waiting get UNAVAILABLE, later ones too. */
    @Override
    public void close() {
        hashing.shutdownNow();
        inFlight.forEach((key, future) -> future.complete(AuthDecision.UNAVAILABLE));
    }

    private AuthDecision cached(CredentialKey key) {
        if (allowed.getIfPresent(key) != null) {
            return AuthDecision.ALLOW;
        }
        return refused.getIfPresent(key);
    }

    private boolean submit(CredentialKey key, BasicCredentials credentials, String hash,
            CompletableFuture<AuthDecision> result) {
        try {
            hashing.execute(() -> {
                AuthDecision decision = AuthDecision.UNAVAILABLE;
                try {
                    decision = verify(key, credentials, hash);
                } finally {
                    // Even on an Error: a future left open would hold its requests forever.
                    inFlight.remove(key, result);
                    result.complete(decision);
                }
            });
            return true;
        } catch (RejectedExecutionException full) {
            credentials.wipe();
            inFlight.remove(key, result);
            // Anyone who joined in the meantime gets the same answer.
            result.complete(AuthDecision.UNAVAILABLE);
            if (!hashing.isShutdown()) {
                noteQueueFull();
            }
            return false;
        }
    }

    private AuthDecision verify(CredentialKey key, BasicCredentials credentials, String hash) {
        AuthDecision decision;
        try {
            decision = decide(verifier.verify(credentials.password, hash), hash);
        } catch (RuntimeException | LinkageError e) {
            // The exception's message is not logged: a verifier may have put its input there.
            log.warn("basic auth verification of a {} hash failed: {}", CryptFamily.of(hash).displayName(),
                    e.getClass().getName());
            decision = AuthDecision.UNAVAILABLE;
        } finally {
            credentials.wipe();
        }
        // Filled before the in-flight entry goes, so a request arriving meanwhile finds one or the other.
        if (decision == AuthDecision.ALLOW) {
            allowed.put(key, Boolean.TRUE);
        } else {
            refused.put(key, decision);
        }
        return decision;
    }

    private AuthDecision decide(Verification verification, String hash) {
        switch (verification) {
            case MATCH:
                return AuthDecision.ALLOW;
            case MISMATCH:
                return AuthDecision.DENY;
            default:
                CryptFamily family = CryptFamily.of(hash);
                // Once per family: each new credential would otherwise log it again.
                if (unverifiableLogged.add(family)) {
                    log.warn("a route's basic auth hash ({}) cannot be verified in this process: its "
                            + "requests are answered 503", family.displayName());
                }
                return AuthDecision.UNAVAILABLE;
        }
    }

    private void noteQueueFull() {
        queueFull.incrementAndGet();
        long now = System.nanoTime();
        long last = lastQueueFullLog.get();
        if (now - last >= QUEUE_FULL_LOG_INTERVAL_NANOS && lastQueueFullLog.compareAndSet(last, now)) {
            log.warn("basic auth hashing queue full: new credentials answered 503 ({} so far)", queueFull.get());
        }
    }
}
