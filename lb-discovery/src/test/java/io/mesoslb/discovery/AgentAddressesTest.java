package io.mesoslb.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.Backend;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
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
    }, REFRESH, now::get, Runnable::run);

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
        now.addAndGet(REFRESH.toNanos() + 1);
        // Refreshed on the executor: in production a background thread, while the stale answer serves.
        assertThat(addresses.resolve(task("agent-1")).ip()).as("moved agent").isEqualTo(ip(2));
        assertThat(asked).containsExactly("agent-1", "agent-1");
    }

    @Test
    void aRefreshRunsInTheBackgroundWhileTheLastAnswerServes() throws Exception {
        Queue<Runnable> background = new ArrayDeque<>();
        AgentAddresses async = new AgentAddresses(host -> {
            asked.add(host);
            return dns.get(host);
        }, REFRESH, now::get, background::add);
        dns.put("agent-1", ip(1));
        assertThat(async.resolve(task("agent-1")).ip()).isEqualTo(ip(1));

        dns.put("agent-1", ip(2));
        now.addAndGet(REFRESH.toNanos() + 1);
        // A slow or dead DNS would hold up the refresh, not discovery's publication.
        assertThat(async.resolve(task("agent-1")).ip()).isEqualTo(ip(1));
        assertThat(asked).containsExactly("agent-1");

        while (!background.isEmpty()) {
            background.poll().run();
        }
        assertThat(async.resolve(task("agent-1")).ip()).isEqualTo(ip(2));
    }

    @Test
    void aFailingLookupKeepsTheLastAnswer() throws Exception {
        dns.put("agent-1", ip(1));
        addresses.resolve(task("agent-1"));

        dns.clear();
        now.addAndGet(REFRESH.toNanos() + 1);
        addresses.resolve(task("agent-1"));
        assertThat(addresses.resolve(task("agent-1")).ip()).isEqualTo(ip(1));
        assertThat(asked).as("the failed refresh was made").containsExactly("agent-1", "agent-1");
    }

    @Test
    void aNameThatNeverResolvedStaysUnresolvedAndIsNotAskedOnEveryPublish() throws Exception {
        Backend unresolved = addresses.resolve(task("gone"));
        assertThat(unresolved.ip()).isNull();
        assertThat(unresolved).isEqualTo(task("gone"));
        addresses.resolve(task("gone"));
        assertThat(asked).containsExactly("gone");

        dns.put("gone", ip(3));
        now.addAndGet(REFRESH.toNanos() + 1);
        addresses.resolve(task("gone"));
        assertThat(addresses.resolve(task("gone")).ip()).as("tried again after the period").isEqualTo(ip(3));
    }
}
