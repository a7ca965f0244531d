package io.mesoslb.server;

import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TestOrigin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Sticky routes (marathon-lb's HAPROXY_0_STICKY) keep a client on one backend by cookie. */
class StickySessionTest extends OneAppProxyTest {
    private static final Map<String, String> STICKY = Map.of("HAPROXY_0_STICKY", "true");

    private static String get(String cookie) {
        return "GET / HTTP/1.1\r\nHost: " + HOST + "\r\n" + (cookie == null ? "" : "Cookie: " + cookie + "\r\n") + "\r\n";
    }

    @Test
    void aClientKeepsTheBackendItsCookieNamesUntilThatBackendLeaves() throws Exception {
        TestOrigin a = use(TestOrigin.marker("a"));
        TestOrigin b = use(TestOrigin.marker("b"));
        TestOrigin c = use(TestOrigin.marker("c"));
        ProxyFixture proxy = use(new ProxyFixture()).app(APP, STICKY, a.backend(APP), b.backend(APP), c.backend(APP));

        try (RawHttp client = new RawHttp(proxy.port())) {
            RawHttp.Response first = client.send(get(null)).read();
            String setCookie = first.header("set-cookie");
            assertThat(setCookie).startsWith("mesos_lb_server=").endsWith("; Path=/; HttpOnly");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));

            for (int i = 0; i < 10; i++) {
                RawHttp.Response again = client.send(get("theme=dark; " + cookie)).read();
                assertThat(again.text()).as("request %d", i).isEqualTo(first.text());
                assertThat(again.header("set-cookie")).as("no new cookie while it holds").isNull();
            }

            // The backend leaves (its task was killed): the client goes elsewhere and is told so.
            TestOrigin served = first.text().equals("a") ? a : first.text().equals("b") ? b : c;
            TestOrigin[] rest = Stream.of(a, b, c).filter(o -> o != served).toArray(TestOrigin[]::new);
            proxy.app(APP, STICKY, rest[0].backend(APP), rest[1].backend(APP));
            RawHttp.Response moved = client.send(get(cookie)).read();
            assertThat(moved.text()).isNotEqualTo(first.text());
            assertThat(moved.header("set-cookie")).startsWith("mesos_lb_server=").isNotEqualTo(setCookie);
        }
    }

    @Test
    void withoutACookieRequestsStillGoRoundRobinAndPlainAppsSetNoCookie() throws Exception {
        TestOrigin a = use(TestOrigin.marker("a"));
        TestOrigin b = use(TestOrigin.marker("b"));
        ProxyFixture proxy = use(new ProxyFixture()).app(APP, STICKY, a.backend(APP), b.backend(APP))
                .app("/plain", a.backend("/plain"));
        Set<String> answers = new HashSet<>();
        try (RawHttp client = new RawHttp(proxy.port())) {
            for (int i = 0; i < 4; i++) {
                answers.add(client.send(get(null)).read().text());
            }
            RawHttp.Response plain = client.send("GET / HTTP/1.1\r\nHost: plain.test.local\r\n\r\n").read();
            assertThat(plain.header("set-cookie")).isNull();
        }
        assertThat(answers).containsExactlyInAnyOrder("a", "b");
    }
}
