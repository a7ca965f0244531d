package io.mesoslb.server;

import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import io.mesoslb.core.BackendState;
import io.mesoslb.core.EjectionEvent;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Passive health wired into the proxy: failing backends leave the rotation and come back. */
class PassiveHealthTest extends OneAppProxyTest {

    private Backend refusing(String taskId) {
        return new Backend("127.0.0.1", use(LoopbackPort.refusing()).port(), taskId, APP);
    }

    private static BackendState state(ProxyFixture proxy, Backend backend) {
        return proxy.routes.current().routeForApp(APP).backends().stream()
                .filter(s -> s.backend().equals(backend)).findFirst().orElseThrow();
    }

    private static boolean ejected(ProxyFixture proxy, Backend backend) {
        return state(proxy, backend).isEjected(System.nanoTime());
    }

    private static HttpResponse<String> get(ProxyFixture proxy) {
        try {
            return proxy.get(HOST, "/");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends requests until {@code condition} holds; fails after {@code max} requests. */
    private static int sendUntil(ProxyFixture proxy, int max, java.util.function.BooleanSupplier condition) {
        for (int sent = 0; sent < max; sent++) {
            if (condition.getAsBoolean()) {
                return sent;
            }
            get(proxy);
        }
        throw new AssertionError("condition not met after " + max + " requests");
    }

    @Test
    void refusingBackendIsEjectedAfterTheConfiguredFailuresAndClientsSeeNoError() throws Exception {
        TestOrigin a = use(TestOrigin.marker("a"));
        TestOrigin b = use(TestOrigin.marker("b"));
        Backend down = refusing("down");
        ProxyFixture proxy = use(new ProxyFixture(c -> c.outlierConsecutiveFailures(3), recorder))
                .app(APP, a.backend(APP), down, b.backend(APP));

        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = proxy.get(HOST, "/");
            assertThat(r.statusCode()).as("request %d, retried on another backend", i).isEqualTo(200);
        }

        assertThat(recorder.failures(down)).as("connect failures before the ejection, none after").isEqualTo(3);
        assertThat(ejected(proxy, down)).isTrue();
        assertThat(proxy.server.ejections().ejections()).isEqualTo(1);
        assertThat(a.requests.get() + b.requests.get()).isEqualTo(30);
    }

    @Test
    void hangingBackendIsCutByTheResponseTimeoutAndEjected() throws Exception {
        TestOrigin silent = use(TestOrigin.silent());
        TestOrigin up = use(TestOrigin.marker("up"));
        // 2 s: "up" answers in milliseconds, far within it on a loaded machine too; only the silent backend reaches it.
        ProxyFixture proxy = use(new ProxyFixture(c -> c.responseTimeout("2s").outlierConsecutiveFailures(2)))
                .app(APP, silent, up);

        int timeouts = 0;
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = proxy.get(HOST, "/");
            if (r.statusCode() == 504) {
                timeouts++;
            } else {
                assertThat(r.statusCode()).isEqualTo(200);
            }
        }

        assertThat(timeouts).as("a timed-out request is not retried; two in a row eject").isEqualTo(2);
        assertThat(silent.requests.get()).isEqualTo(2);
        assertThat(ejected(proxy, silent.backend(APP))).isTrue();
        // Timed out exchanges close their backend connections rather than pool them.
        Await.until(WAIT, () -> silent.channels.stream().noneMatch(io.netty.channel.Channel::isActive),
                "connections to the hanging backend closed");
    }

    @Test
    void recoveredBackendGetsNoTrafficWhileEjectedAndItsShareBackAfterwards() throws Exception {
        AtomicInteger status = new AtomicInteger(503);
        TestOrigin flaky = use(TestOrigin.withStatus(status::get, "flaky"));
        TestOrigin steady = use(TestOrigin.marker("steady"));
        // The test's clock: the ejection lasts until the test moves it on, however slow the machine.
        AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
        Duration ejection = Duration.ofSeconds(1);
        ProxyFixture proxy = use(new ProxyFixture(c -> c.outlierConsecutiveFailures(2)
                .outlierBaseEjectionTime(ejection.toMillis() + "ms").outlierMaxEjectionTime("2s"), BackendOutcomes.NONE,
                now::get)).app(APP, flaky, steady);

        sendUntil(proxy, 20, () -> proxy.server.ejections().ejections() == 1);
        long ejectedUntil = state(proxy, flaky.backend(APP)).ejectedUntilNanos();
        assertThat(ejectedUntil - now.get()).as("ejected for the base ejection time").isEqualTo(ejection.toNanos());
        assertThat(flaky.requests.get()).as("two 503s in a row eject").isEqualTo(2);
        status.set(200);

        for (int i = 0; i < 5; i++) {
            assertThat(get(proxy).body()).isEqualTo("steady");
        }
        assertThat(flaky.requests.get()).as("requests at the backend while it is ejected").isEqualTo(2);

        now.set(ejectedUntil);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            bodies.add(get(proxy).body());
        }
        assertThat(bodies).as("back in the round robin, not merely probed").filteredOn("flaky"::equals)
                .hasSizeGreaterThanOrEqualTo(4);
        assertThat(proxy.server.ejections().returns()).isEqualTo(1);
        assertThat(state(proxy, flaky.backend(APP)).isEjected(now.get())).isFalse();
    }

    @Test
    void returningBackendThatStillFailsIsReEjectedAtItsFirstFailureForLonger() throws Exception {
        List<EjectionEvent> events = new CopyOnWriteArrayList<>();
        TestOrigin failing = use(TestOrigin.withStatus(() -> 502, "bad"));
        TestOrigin steady = use(TestOrigin.marker("steady"));
        ProxyFixture proxy = use(new ProxyFixture(c -> c.outlierConsecutiveFailures(3)
                .outlierBaseEjectionTime("200ms").outlierMaxEjectionTime("2s"))).app(APP, failing, steady);
        proxy.server.ejections().addListener(events::add);

        sendUntil(proxy, 30, () -> proxy.server.ejections().ejections() == 1);
        assertThat(failing.requests.get()).isEqualTo(3);
        // No traffic needed: the sweeper notices the end of the ejection.
        Await.until(WAIT, () -> proxy.server.ejections().returns() == 1, "return noticed by the sweeper");

        int before = failing.requests.get();
        sendUntil(proxy, 30, () -> failing.requests.get() == before + 1);
        assertThat(proxy.server.ejections().ejections()).as("on probation: one failure ejects again").isEqualTo(2);
        assertThat(events).extracting(EjectionEvent::kind).containsExactly(EjectionEvent.Kind.EJECTED,
                EjectionEvent.Kind.RETURNED, EjectionEvent.Kind.EJECTED);
        assertThat(events.get(0).duration()).isEqualTo(Duration.ofMillis(200));
        assertThat(events.get(2).duration()).as("second ejection in a row lasts twice as long")
                .isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void withAllBackendsFailingRequestsStillReachThemAndFailWith502() throws Exception {
        Backend one = refusing("one");
        Backend two = refusing("two");
        ProxyFixture proxy = use(new ProxyFixture(c -> c.outlierConsecutiveFailures(2), recorder))
                .app(APP, one, two);

        for (int i = 0; i < 10; i++) {
            assertThat(proxy.get(HOST, "/").statusCode()).isEqualTo(502);
        }
        assertThat(proxy.server.ejections().ejections()).as("at most half of an app's backends are ejected")
                .isEqualTo(1);
        Backend kept = ejected(proxy, one) ? two : one;
        long before = recorder.failures(kept);
        for (int i = 0; i < 5; i++) {
            assertThat(proxy.get(HOST, "/").statusCode()).isEqualTo(502);
        }
        assertThat(recorder.failures(kept)).as("the backend kept in rotation is still tried").isGreaterThanOrEqualTo(before + 5);
    }

    @Test
    void theOnlyBackendOfAnAppIsNeverEjected() throws Exception {
        Backend only = refusing("only");
        ProxyFixture proxy = use(new ProxyFixture(c -> c.outlierConsecutiveFailures(1), recorder)).app(APP, only);
        for (int i = 0; i < 5; i++) {
            assertThat(proxy.get(HOST, "/").statusCode()).isEqualTo(502);
        }
        assertThat(recorder.failures(only)).isEqualTo(5);
        assertThat(proxy.server.ejections().ejections()).isZero();
    }

    @Test
    void consecutive5xxEjectsOnlyWhenEnabled() throws Exception {
        TestOrigin erring = use(TestOrigin.withStatus(() -> 500, "oops"));
        TestOrigin steady = use(TestOrigin.marker("steady"));
        ProxyFixture defaults = use(new ProxyFixture(c -> c.outlierConsecutiveFailures(2))).app(APP, erring, steady);
        for (int i = 0; i < 10; i++) {
            defaults.get(HOST, "/");
        }
        assertThat(defaults.server.ejections().ejections()).as("500 is not a gateway failure").isZero();

        ProxyFixture strict = use(new ProxyFixture(c -> c.outlierConsecutive5xx(2))).app(APP, erring, steady);
        sendUntil(strict, 10, () -> strict.server.ejections().ejections() == 1);
        assertThat(ejected(strict, erring.backend(APP))).isTrue();
    }
}
