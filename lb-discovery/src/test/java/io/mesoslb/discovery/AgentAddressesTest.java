package io.mesoslb.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AgentAddressesTest {
    private static final Duration REFRESH = Duration.ofSeconds(60);

    private final AtomicLong now = new AtomicLong();
    private final Map<String, InetAddress> dns = new ConcurrentHashMap<>();
    private final List<String> asked = new ArrayList<>();
    private final AgentAddresses addresses = new AgentAddresses(host -> {
        asked.add(host);
        InetAddress a = dns.get(host);
        if (a == null) {
            throw new UnknownHostException(host + ": no such name");
        }
        return a;
    }, REFRESH, now::get);

    private static InetAddress ip(int last) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
    }

    private static Backend task(String host) {
        return new Backend(host, 31000, "web." + host, "/web");
    }

    @Test
    void ipLiteralsAreNotLookedUp() throws Exception {
        Backend literal = task("10.0.0.9");
        assertThat(addresses.resolve(literal)).isSameAs(literal);
        assertThat(asked).isEmpty();
    }

    @Test
    void aNameIsResolvedOnceAndAskedAgainOnlyAfterTheRefreshPeriod() throws Exception {
        dns.put("agent-1", ip(1));
        assertThat(addresses.resolve(task("agent-1")).ip()).isEqualTo(ip(1));
        assertThat(addresses.resolve(task("agent-1")).ip()).isEqualTo(ip(1));
        assertThat(asked).containsExactly("agent-1");

        dns.put("agent-1", ip(2));
        now.addAndGet(REFRESH.toNanos());
        assertThat(addresses.resolve(task("agent-1")).ip()).as("moved agent").isEqualTo(ip(2));
        assertThat(asked).containsExactly("agent-1", "agent-1");
    }

    @Test
    void aFailingLookupKeepsTheLastAnswer() throws Exception {
        dns.put("agent-1", ip(1));
        addresses.resolve(task("agent-1"));

        dns.clear();
        now.addAndGet(REFRESH.toNanos());
        assertThat(addresses.resolve(task("agent-1")).ip()).isEqualTo(ip(1));
    }

    @Test
    void aNameThatNeverResolvedStaysUnresolvedAndIsNotAskedOnEveryPublish() throws Exception {
        Backend unresolved = addresses.resolve(task("gone"));
        assertThat(unresolved.ip()).isNull();
        assertThat(unresolved).isEqualTo(task("gone"));
        addresses.resolve(task("gone"));
        assertThat(asked).containsExactly("gone");

        dns.put("gone", ip(3));
        now.addAndGet(REFRESH.toNanos());
        assertThat(addresses.resolve(task("gone")).ip()).as("tried again after the period").isEqualTo(ip(3));
    }
}
