package io.mesoslb.discovery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mesoslb.core.Backend;
import io.mesoslb.core.Ticker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the agent host names Marathon reports, on discovery's thread, so that the proxy's event
 * loops never wait for DNS (see {@link Backend}). A name is looked up again once its answer is
 * older than the refresh period; if that lookup fails the last answer stays (a DNS outage must
 * not unroute a cluster whose agents have not moved), and a name that never resolved is tried
 * again no more often than the refresh period either, so a dead DNS does not hold up every publish.
 */
public final class AgentAddresses {
    /** Looks a name up; the JDK's resolver unless a test gives its own. */
    @FunctionalInterface
    public interface Lookup {
        InetAddress byName(String host) throws UnknownHostException;
    }

    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(AgentAddresses.class);

    /** The last answer for a name (null address: never resolved) and when it was last asked. */
    private record Answer(InetAddress address, long askedNanos) {
    }

    private final Lookup lookup;
    private final long refreshNanos;
    private final Ticker ticker;
    private final Cache<String, Answer> answers;

    public AgentAddresses() {
        this(InetAddress::getByName, DEFAULT_REFRESH, Ticker.SYSTEM);
    }

    public AgentAddresses(Lookup lookup, Duration refresh, Ticker ticker) {
        this.lookup = lookup;
        this.refreshNanos = refresh.toNanos();
        this.ticker = ticker;
        // Agents come and go over months: names unused for a while are forgotten.
        this.answers = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(30)).ticker(ticker::nanos)
                .executor(Runnable::run).build();
    }

    /** The backend with its address: as it is for an IP literal; unresolved if its name has never resolved. */
    public Backend resolve(Backend backend) {
        if (backend.hasIpLiteral() || backend.ip() != null) {
            return backend;
        }
        InetAddress address = addressOf(backend.host());
        return address == null ? backend : backend.withIp(address);
    }

    private InetAddress addressOf(String host) {
        long now = ticker.nanos();
        Answer last = answers.getIfPresent(host);
        if (last != null && now - last.askedNanos() < refreshNanos) {
            return last.address();
        }
        InetAddress fresh;
        try {
            fresh = lookup.byName(host);
        } catch (UnknownHostException | SecurityException e) {
            if (last == null) {
                log.warn("cannot resolve agent {} ({}): its tasks get no traffic until it does", host, e.getMessage());
            } else if (last.address() != null) {
                log.warn("cannot resolve agent {} ({}): keeping {}", host, e.getMessage(), last.address().getHostAddress());
            }
            fresh = last == null ? null : last.address();
        }
        answers.put(host, new Answer(fresh, now));
        return fresh;
    }
}
