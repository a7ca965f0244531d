package io.mesoslb.server.auth;

import io.mesoslb.server.testing.LogCapture;

import static io.mesoslb.server.auth.KnownHashes.PASSWORD;
import static io.mesoslb.server.auth.KnownHashes.WRONG_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.github.benmanes.caffeine.cache.Ticker;
import io.mesoslb.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class BasicAuthGateTest {
    private static final String USER = "alice";

    @RegisterExtension
    final LogCapture logs = LogCapture.everything();

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private BasicAuthGate gate;

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private BasicAuthGate gate(CryptVerifier verifier, ExecutorService executor) {
        gate = new BasicAuthGate(verifier, executor, ticker, Duration.ofMinutes(10), Duration.ofMinutes(1));
        return gate;
    }

    private BasicAuthGate gate(CryptVerifier verifier) {
        return gate(verifier, HashingExecutor.create(1, 8));
    }

    /** Checks and, when PENDING, waits for the callback's decision. */
    private static AuthDecision decide(BasicAuthGate gate, String hash, String authorization) throws Exception {
        CompletableFuture<AuthDecision> later = new CompletableFuture<>();
        AuthDecision now = gate.check(USER, hash, authorization, later::complete);
        return now == AuthDecision.PENDING ? later.get(10, TimeUnit.SECONDS) : now;
    }

    @Test
    void theRightPasswordIsAllowedAfterOneHashAndThenFromTheCache() throws Exception {
        CountingVerifier hasher = CountingVerifier.of(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher);
        String header = basic(USER, PASSWORD);

        CompletableFuture<AuthDecision> later = new CompletableFuture<>();
        assertThat(gate.check(USER, KnownHashes.YESCRYPT, header, later::complete)).isEqualTo(AuthDecision.PENDING);
        assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(AuthDecision.ALLOW);

        assertThat(gate.check(USER, KnownHashes.YESCRYPT, header, d -> {
            throw new AssertionError("a cached answer needs no callback");
        })).isEqualTo(AuthDecision.ALLOW);
        assertThat(hasher.calls()).isEqualTo(1);
    }

    @Test
    void aWrongPasswordIsDeniedAndItsRepeatsCostNoHash() throws Exception {
        CountingVerifier hasher = CountingVerifier.of(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher);
        String header = basic(USER, WRONG_PASSWORD);

        assertThat(decide(gate, KnownHashes.BCRYPT, header)).isEqualTo(AuthDecision.DENY);
        for (int i = 0; i < 5; i++) {
            assertThat(gate.check(USER, KnownHashes.BCRYPT, header, d -> { })).isEqualTo(AuthDecision.DENY);
        }
        assertThat(hasher.calls()).isEqualTo(1);

        // A mismatch is not an allow later, and the right password is not held back by it.
        assertThat(decide(gate, KnownHashes.BCRYPT, basic(USER, PASSWORD))).isEqualTo(AuthDecision.ALLOW);
        assertThat(hasher.calls()).isEqualTo(2);
    }

    @Test
    void verdictsExpire() throws Exception {
        CountingVerifier hasher = CountingVerifier.of(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher);
        String right = basic(USER, PASSWORD);
        String wrong = basic(USER, WRONG_PASSWORD);
        assertThat(decide(gate, KnownHashes.MD5, right)).isEqualTo(AuthDecision.ALLOW);
        assertThat(decide(gate, KnownHashes.MD5, wrong)).isEqualTo(AuthDecision.DENY);

        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        assertThat(gate.check(USER, KnownHashes.MD5, right, d -> { })).isEqualTo(AuthDecision.ALLOW);
        assertThat(decide(gate, KnownHashes.MD5, wrong)).isEqualTo(AuthDecision.DENY);
        assertThat(hasher.calls()).isEqualTo(3);

        nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(decide(gate, KnownHashes.MD5, right)).isEqualTo(AuthDecision.ALLOW);
        assertThat(hasher.calls()).isEqualTo(4);
    }

    @Test
    void aChangedHashIsVerifiedAfresh() throws Exception {
        CountingVerifier hasher = CountingVerifier.of(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher);
        String header = basic(USER, PASSWORD);
        assertThat(decide(gate, KnownHashes.SHA512, header)).isEqualTo(AuthDecision.ALLOW);
        // The label now holds another user's password hash: the cached allow must not carry over.
        assertThat(decide(gate, KnownHashes.SHA512_OF_COLON_PASSWORD, header)).isEqualTo(AuthDecision.DENY);
        assertThat(hasher.calls()).isEqualTo(2);
    }

    @Test
    void hashingAndCallbacksNeverRunOnTheCallingThread() throws Exception {
        CountingVerifier hasher = CountingVerifier.of(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher, HashingExecutor.createDefault());
        CompletableFuture<Thread> callbackThread = new CompletableFuture<>();

        AuthDecision now = gate.check(USER, KnownHashes.SHA512, basic(USER, PASSWORD),
                d -> callbackThread.complete(Thread.currentThread()));

        assertThat(now).isEqualTo(AuthDecision.PENDING);
        Thread caller = Thread.currentThread();
        assertThat(callbackThread.get(10, TimeUnit.SECONDS)).isNotSameAs(caller)
                .satisfies(t -> assertThat(t.getName()).startsWith("mesos-lb-auth-"))
                .satisfies(t -> assertThat(t.isDaemon()).isTrue());
        assertThat(hasher.threads()).singleElement().isNotSameAs(caller);
    }

    @Test
    void concurrentRequestsWithOneCredentialShareOneHash() throws Exception {
        CountingVerifier hasher = CountingVerifier.held(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher);
        String header = basic(USER, PASSWORD);
        CompletableFuture<AuthDecision> first = new CompletableFuture<>();
        CompletableFuture<AuthDecision> second = new CompletableFuture<>();

        assertThat(gate.check(USER, KnownHashes.SHA512, header, first::complete)).isEqualTo(AuthDecision.PENDING);
        Await.until(() -> hasher.waiting() == 1);
        assertThat(gate.check(USER, KnownHashes.SHA512, header, second::complete)).isEqualTo(AuthDecision.PENDING);
        hasher.release();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(AuthDecision.ALLOW);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(AuthDecision.ALLOW);
        assertThat(hasher.calls()).isEqualTo(1);
    }

    @Test
    void aFullQueueIsAnsweredUnavailableAtOnce() throws Exception {
        CountingVerifier hasher = CountingVerifier.held(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher, HashingExecutor.create(1, 1));
        CompletableFuture<AuthDecision> running = new CompletableFuture<>();
        CompletableFuture<AuthDecision> queued = new CompletableFuture<>();

        assertThat(gate.check(USER, KnownHashes.SHA512, basic(USER, PASSWORD), running::complete))
                .isEqualTo(AuthDecision.PENDING);
        Await.until(() -> hasher.waiting() == 1);
        assertThat(gate.check(USER, KnownHashes.SHA512, basic(USER, "guess-1"), queued::complete))
                .isEqualTo(AuthDecision.PENDING);
        assertThat(gate.check(USER, KnownHashes.SHA512, basic(USER, "guess-2"), d -> {
            throw new AssertionError("refused at once, no callback");
        })).isEqualTo(AuthDecision.UNAVAILABLE);
        assertThat(gate.queueFullCount()).isEqualTo(1);

        hasher.release();
        assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo(AuthDecision.ALLOW);
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo(AuthDecision.DENY);
        // Refusal is not remembered: once there is room the same credential is hashed.
        assertThat(decide(gate, KnownHashes.SHA512, basic(USER, "guess-2"))).isEqualTo(AuthDecision.DENY);
        assertThat(logs.messages()).anySatisfy(m -> assertThat(m).contains("queue full"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Basic", "Basic ", "Bearer YWxpY2U6czNjcmV0LVBhNTU=", "Basic!YWxpY2U6czNjcmV0LVBhNTU=",
        "BasicYWxpY2U6czNjcmV0LVBhNTU=", "Basic YWxpY2U6czNjcmV0LVBhNTU=!", "Basic YWxp Y2U6czNjcmV0LVBhNTU=",
        "Basic YWxpY2U6czNjcmV0LVBhNTU=\u00e9", "Basic ####", "Basic YWxpY2U=", "Basic YWxpY2U6czNjcmV0LVBhNTU===",
        "Digest username=\"alice\""})
    void malformedHeadersAreDeniedWithoutHashing(String header) {
        CountingVerifier hasher = CountingVerifier.of(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher);
        assertThat(gate.check(USER, KnownHashes.SHA512, header, d -> {
            throw new AssertionError("no callback for an immediate answer");
        })).isEqualTo(AuthDecision.DENY);
        assertThat(hasher.calls()).isZero();
    }

    @Test
    void anotherUserIsDeniedWithoutHashing() {
        CountingVerifier hasher = CountingVerifier.of(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher);
        assertThat(gate.check(USER, KnownHashes.SHA512, basic("mallory", PASSWORD), d -> { }))
                .isEqualTo(AuthDecision.DENY);
        assertThat(gate.check(USER, KnownHashes.SHA512, basic("alicex", PASSWORD), d -> { }))
                .isEqualTo(AuthDecision.DENY);
        assertThat(hasher.calls()).isZero();
    }

    @Test
    void theSchemeIsCaseInsensitiveAndSpacesAroundTheTokenAreAllowed() throws Exception {
        BasicAuthGate gate = gate(CryptVerifier.system());
        String token = basic(USER, PASSWORD).substring("Basic ".length());
        assertThat(decide(gate, KnownHashes.MD5, "basic " + token)).isEqualTo(AuthDecision.ALLOW);
        assertThat(decide(gate, KnownHashes.MD5, "  BASIC   " + token + " ")).isEqualTo(AuthDecision.ALLOW);
        // Unpadded base64, as some clients send it.
        assertThat(decide(gate, KnownHashes.MD5, "Basic " + token.replace("=", ""))).isEqualTo(AuthDecision.ALLOW);
    }

    @Test
    void aPasswordMayHoldColonsAndNonAsciiCharacters() throws Exception {
        BasicAuthGate gate = gate(CryptVerifier.system());
        assertThat(decide(gate, KnownHashes.SHA512_OF_COLON_PASSWORD, basic(USER, "pa:ss"))).isEqualTo(AuthDecision.ALLOW);
        assertThat(decide(gate, KnownHashes.YESCRYPT_OF_UTF8, basic(USER, KnownHashes.UTF8_PASSWORD)))
                .isEqualTo(AuthDecision.ALLOW);
    }

    @Test
    void anUnknownFamilyIsUnavailableWithoutHashing() {
        CountingVerifier hasher = CountingVerifier.of(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher);
        for (String hash : new String[] {"$9$abc$def", "!", "", "plaintext"}) {
            assertThat(gate.check(USER, hash, basic(USER, PASSWORD), d -> { })).isEqualTo(AuthDecision.UNAVAILABLE);
        }
        assertThat(gate.check(USER, null, basic(USER, PASSWORD), d -> { })).isEqualTo(AuthDecision.UNAVAILABLE);
        assertThat(hasher.calls()).isZero();
    }

    @Test
    void aFamilyThisProcessCannotVerifyIsUnavailableNeverAllowedOrDenied() throws Exception {
        // The fallback verifier: yescrypt is a known family it cannot check.
        CountingVerifier hasher = CountingVerifier.of(SystemCryptVerifier.choose(Optional.empty()));
        BasicAuthGate gate = gate(hasher);
        assertThat(decide(gate, KnownHashes.YESCRYPT, basic(USER, PASSWORD))).isEqualTo(AuthDecision.UNAVAILABLE);
        assertThat(decide(gate, KnownHashes.YESCRYPT, basic(USER, WRONG_PASSWORD))).isEqualTo(AuthDecision.UNAVAILABLE);
        assertThat(gate.check(USER, KnownHashes.YESCRYPT, basic(USER, PASSWORD), d -> { }))
                .isEqualTo(AuthDecision.UNAVAILABLE);
        assertThat(hasher.calls()).isEqualTo(2);
        assertThat(logs.messages()).filteredOn(m -> m.contains("cannot be verified")).singleElement()
                .satisfies(m -> assertThat(m).contains("yescrypt"));
    }

    @Test
    void aFailingVerifierFailsClosedAndItsMessageIsNotLogged() throws Exception {
        CryptVerifier broken = new CryptVerifier() {
            @Override
            public Verification verify(byte[] password, String hash) {
                throw new IllegalStateException("boom " + new String(password, StandardCharsets.UTF_8));
            }

            @Override
            public boolean canVerify(String hash) {
                return true;
            }
        };
        BasicAuthGate gate = gate(broken);
        String header = basic(USER, PASSWORD);
        assertThat(decide(gate, KnownHashes.SHA512, header)).isEqualTo(AuthDecision.UNAVAILABLE);
        assertThat(logs.lines()).isNotEmpty().allSatisfy(line -> assertThat(line)
                .doesNotContain(PASSWORD).doesNotContain(header.substring(6)));
    }

    @Test
    void credentialsNeverReachTheLog() throws Exception {
        logs.messages();
        BasicAuthGate gate = gate(CountingVerifier.of(SystemCryptVerifier.choose(Optional.empty())),
                HashingExecutor.create(1, 1));
        String right = basic(USER, PASSWORD);
        String wrong = basic(USER, WRONG_PASSWORD);
        decide(gate, KnownHashes.SHA512, right);
        decide(gate, KnownHashes.SHA512, wrong);
        decide(gate, KnownHashes.YESCRYPT, right);
        gate.check(USER, KnownHashes.SHA512, "Basic !!" + PASSWORD, d -> { });
        assertThat(logs.lines()).allSatisfy(line -> assertThat(line).doesNotContain(PASSWORD)
                .doesNotContain(WRONG_PASSWORD).doesNotContain(right.substring(6)).doesNotContain(wrong.substring(6))
                .doesNotContain(KnownHashes.SHA512));
    }

    @Test
    void closingAnswersWaitingRequests() throws Exception {
        CountingVerifier hasher = CountingVerifier.held(CryptVerifier.system());
        BasicAuthGate gate = gate(hasher, HashingExecutor.create(1, 4));
        CompletableFuture<AuthDecision> running = new CompletableFuture<>();
        CompletableFuture<AuthDecision> queued = new CompletableFuture<>();
        gate.check(USER, KnownHashes.SHA512, basic(USER, PASSWORD), running::complete);
        Await.until(() -> hasher.waiting() == 1);
        gate.check(USER, KnownHashes.SHA512, basic(USER, "other"), queued::complete);

        gate.close();
        assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo(AuthDecision.UNAVAILABLE);
        assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo(AuthDecision.UNAVAILABLE);
        assertThat(gate.check(USER, KnownHashes.SHA512, basic(USER, "third"), d -> { }))
                .isEqualTo(AuthDecision.UNAVAILABLE);
        hasher.release();
    }
}
