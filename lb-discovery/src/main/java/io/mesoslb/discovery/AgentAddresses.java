package io.mesoslb.discovery;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.mesoslb.core.Backend;
import io.mesoslb.core.Ticker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the agent host names Marathon reports, off the proxy's event loops, so that they never
 * wait for DNS (see {@link Backend}). A name seen for the first time is looked up on the caller's
 * (discovery's) thread: its tasks cannot be routed without it. After that its answer is refreshed
 * in the background once it is older than the refresh period, and a failed refresh keeps the last
 * answer, so neither a slow nor a dead DNS holds up discovery or unroutes agents that have not
 * moved. A name that does not resolve is asked again after the refresh period, in the background.
 */
public final class AgentAddresses {
    /** Looks a name up; the JDK's resolver unless a test gives its own. */
    @FunctionalInterface
    public interface Lookup {
        InetAddress byName(String host) throws UnknownHostException;
    }

    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(AgentAddresses.class);
    private static final Executor BACKGROUND = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "agent-dns");
        t.setDaemon(true);
        return t;
    });

    /** A name's last answer; null address when it never resolved. */
    private record Answer(InetAddress address) {
    }

    private final LoadingCache<String, Answer> answers;

    public AgentAddresses() {
        this(InetAddress::getByName, DEFAULT_REFRESH, Ticker.SYSTEM, BACKGROUND);
    }

    /** @param background where refreshes run; {@code Runnable::run} makes them synchronous, for tests */
    public AgentAddresses(Lookup lookup, Duration refresh, Ticker ticker, Executor background) {
        this.answers = Caffeine.newBuilder()
                .refreshAfterWrite(refresh)
                // Agents come and go over months: names unused for a while are forgotten.
                .expireAfterAccess(Duration.ofMinutes(30))
                .ticker(ticker::nanos)
                .executor(background)
                .build(new CacheLoader<String, Answer>() {
                    @Override
                    public Answer load(String host) {
                        try {
                            return new Answer(lookup.byName(host));
                        } catch (UnknownHostException | SecurityException e) {
                            log.warn("cannot resolve agent {} ({}): its tasks get no traffic until it does", host,
                                    e.getMessage());
                            return new Answer(null);
                        }
                    }

                    @Override
                    public Answer reload(String host, Answer last) {
                        try {
                            return new Answer(lookup.byName(host));
                        } catch (UnknownHostException | SecurityException e) {
                            if (last.address() != null) {
                                log.warn("cannot resolve agent {} ({}): keeping {}", host, e.getMessage(),
                                        last.address().getHostAddress());
                            }
                            return last;
                        }
                    }
                });
    }

    /** The backend with its address: as it is for an IP literal; unresolved if its name has never resolved. */
    public Backend resolve(Backend backend) {
        if (backend.hasIpLiteral() || backend.ip() != null) {
            return backend;
        }
        InetAddress address = answers.get(backend.host()).address();
        return address == null ? backend : backend.withIp(address);
    }
}
