package io.mesoslb.discovery.marathon;

import io.mesoslb.discovery.AgentAddresses;
import io.mesoslb.discovery.labels.LabelProblems;
import io.mesoslb.discovery.labels.PortRoutes;
import io.mesoslb.core.App;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.discovery.DiscoveryState;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the routing table in step with Marathon through its event stream.
 *
 * <p>Three kinds of threads, none of them the proxy's event loops:
 * <ul>
 *   <li>the <em>stream</em> thread connects to {@code /v2/events} (trying each Marathon URL in turn,
 *       with backoff) and watches the open stream for its end and for silence; the event stream's HTTP client
 *       parses each chunk into SSE events on the thread that read it and hands them straight to the reducer;</li>
 *   <li>the <em>reducer</em> ({@link Reducer}) owns the {@link MarathonState}: its thread takes the snapshot and
 *       re-fetches apps; it applies the events in order and publishes the table: at once after a quiet spell, and
 *       at most once per coalescing window while events keep coming. Events that find it idle are applied, and
 *       published, on the event stream's thread that read them;</li>
 *   <li>the snapshot client's own small pool, and the event stream client's selector thread.</li>
 * </ul>
 *
 * <p>On every (re)connect the stream is opened first and the snapshot taken second, both handed to
 * the reducer in that order, so events that race the snapshot are applied after it and nothing
 * falls in between. While Marathon cannot be reached nothing is published: the last good table
 * keeps serving.
 */
public final class MarathonDiscovery implements DiscoverySource {
    private static final Logger log = LoggerFactory.getLogger(MarathonDiscovery.class);

    /** Above this many apps to re-fetch at once, one snapshot is cheaper. */
    private static final int MAX_REFETCH = 8;

    private final MarathonConfig config;
    /** Where the routes go: {@link RouteTableHolder#updateGroups}, or a test's recorder. */
    @FunctionalInterface
    interface GroupPublisher {
        /** @see RouteTableHolder#updateGroups */
        boolean updateGroups(Map<String, List<App>> changed);
    }

    private final GroupPublisher publisher;
    private final RoutingPolicy policy;
    /** The reducer's (its running task's). */
    private final RouteGroups groups;
    private final MarathonState state = new MarathonState();
    private final Backoff backoff;
    private final ExecutorService httpPool;
    private final MarathonClient client;
    private final Reducer reducer;
    private final Thread streamThread;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();

    // The reducer's (its running task's).
    private final Set<String> pendingRefetch = new LinkedHashSet<>();
    private boolean publishScheduled;
    /** When events last changed the table (System.nanoTime); snapshots do not count, they are not a burst. */
    private long lastEventPublication;
    private boolean refetchScheduled;
    private boolean resyncScheduled;

    // Status, written by the stream thread or the reducer, read by state().
    private volatile EventStream stream;
    private volatile URI currentUrl;
    private volatile Instant lastEvent;
    private volatile Instant lastSync;
    /** Anything read from the stream (heartbeats too) or a full sync. */
    private volatile Instant lastContact;
    private volatile String lastError;
    private final AtomicLong fullSyncs = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();

    public MarathonDiscovery(MarathonConfig config, RouteTableHolder holder) {
        this(config, holder, new HealthVerdicts());
    }

    /**
     * @throws IllegalArgumentException if the configured truststore cannot be loaded
     */
    public MarathonDiscovery(MarathonConfig config, RouteTableHolder holder, HealthVerdicts verdicts) {
        this(config, holder, verdicts, new PortRoutes(false, new LabelProblems()));
    }

    /**
     * @param labels how app labels become routes (strict mode, for one)
     * @throws IllegalArgumentException if the configured truststore cannot be loaded
     */
    public MarathonDiscovery(MarathonConfig config, RouteTableHolder holder, HealthVerdicts verdicts, PortRoutes labels) {
        this(config, Objects.requireNonNull(holder, "holder")::updateGroups, verdicts, labels);
    }

    /** @param publisher where each publication's changed groups go */
    MarathonDiscovery(MarathonConfig config, GroupPublisher publisher, HealthVerdicts verdicts, PortRoutes labels) {
        this.config = Objects.requireNonNull(config, "config");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.policy = new RoutingPolicy(verdicts, new AgentAddresses(), labels);
        this.groups = new RouteGroups(policy);
        this.backoff = new Backoff(config.backoffBase(), config.backoffMax(), () -> ThreadLocalRandom.current().nextDouble());
        this.httpPool = Executors.newCachedThreadPool(daemon("marathon-http"));
        this.client = new MarathonClient(config, httpPool);
        this.reducer = new Reducer(daemon("marathon-discovery"));
        this.lastEventPublication = System.nanoTime() - config.coalesce().toNanos();
        this.streamThread = daemon("marathon-events").newThread(this::streamLoop);
        this.currentUrl = config.urls().get(0);
    }

    @Override
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        long every = config.resyncInterval().toMillis();
        reducer.scheduleWithFixedDelay(this::periodicResync, every, every, TimeUnit.MILLISECONDS);
        streamThread.start();
    }

    @Override
    public DiscoveryState state() {
        EventStream s = stream;
        String detail;
        if (s != null) {
            detail = "streaming from " + s.base() + (s.leader() != null ? " (leader " + s.leader() + ")" : "")
                    + ", " + connects.get() + " connects" + (lastError != null ? "; last error: " + lastError : "");
        } else {
            detail = lastError != null ? lastError : started.get() ? "connecting" : "not started";
        }
        return new DiscoveryState(currentUrl.toString(), fullSyncs.get() > 0, s != null, lastSync, lastEvent,
                lastContact, fullSyncs.get(), events.get(), detail, policy.labelProblems(), policy.outOfRotation());
    }

    @Override
    public void close() {
        closed.countDown();
        EventStream s = stream;
        if (s != null) {
            s.close();
        }
        streamThread.interrupt();
        reducer.shutdownNow();
        try {
            streamThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        httpPool.shutdownNow();
    }

    /** @see Reducer#idle() */
    boolean reducerIdle() {
        return reducer.idle();
    }

    private boolean isClosed() {
        return closed.getCount() == 0;
    }

    // ---- stream thread ------------------------------------------------------------------------

    private void streamLoop() {
        List<URI> urls = config.urls();
        int index = 0;
        int failures = 0;
        while (!isClosed()) {
            URI url = urls.get(index);
            currentUrl = url;
            long openedAt = 0;
            String failure;
            try {
                EventStream opened = client.openEvents(url);
                openedAt = System.nanoTime();
                failure = read(opened);
            } catch (InterruptedException e) {
                break;
            } catch (IOException | RuntimeException e) {
                failure = url + ": " + describe(e);
            }
            if (isClosed()) {
                break;
            }
            lastError = failure;
            boolean stable = openedAt != 0 && System.nanoTime() - openedAt >= config.stableAfter().toNanos();
            if (stable) {
                // It worked for a good while: come back to it first, and soon.
                failures = 0;
            } else {
                index = (index + 1) % urls.size();
            }
            failures++;
            Duration delay = backoff.delay(failures);
            log.warn("Marathon event stream: {}; reconnecting to {} in {} ms", failure, urls.get(index),
                    delay.toMillis());
            try {
                if (closed.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                break;
            }
        }
    }

    /** Follows an open stream until it ends; returns why it ended. */
    private String read(EventStream opened) throws InterruptedException {
        stream = opened;
        currentUrl = opened.base();
        long connect = connects.incrementAndGet();
        log.info("Marathon event stream open at {}{}", opened.base(),
                opened.leader() != null ? " (leader " + opened.leader() + ")" : "");
        try {
            // The snapshot first: every event the stream delivers from here on is queued behind it.
            reducer.execute(() -> fullSync(opened));
            opened.deliverTo(events -> handOver(connect, events));
            opened.awaitEnd(config.readIdleTimeout());
            return "stream closed by " + opened.base();
        } catch (IOException | RuntimeException e) {
            return opened.base() + ": " + describe(e);
        } finally {
            stream = null;
            opened.close();
        }
    }

    /**
     * On the event stream's selector thread, once per chunk read: the chunk's events are applied (and a change after a
     * quiet spell published) right here when the reducer is idle, and queued for its thread, the only one woken, when
     * it is not. A chunk of a stream that a newer one has replaced is dropped: its delivery can outlast the stream's
     * end, and the newer stream's snapshot covers it.
     */
    private void handOver(long connect, List<SseEvent> read) {
        lastContact = Instant.now();
        if (!read.isEmpty()) {
            // One hand-off per read, not per event: a burst that came together is applied together and makes one
            // publication (see schedulePublish).
            reducer.runHereOrQueue(() -> {
                if (connect == connects.get() && !isClosed()) {
                    read.forEach(this::onEvent);
                }
            });
        }
    }

    // ---- the reducer: its thread, or in place on the event stream's ---------------------------------------

    private void onEvent(SseEvent sse) {
        MarathonEvent event;
        try {
            event = MarathonEvents.parse(sse);
        } catch (MarathonEvents.MalformedEventException e) {
            log.warn("{}; taking a full snapshot in case it mattered", e.getMessage());
            requestResync();
            return;
        }
        if (event instanceof MarathonEvent.Ignored) {
            log.debug("ignoring {}", sse.type());
            return;
        }
        events.incrementAndGet();
        lastEvent = Instant.now();
        MarathonState.Outcome outcome;
        try {
            outcome = state.apply(event);
        } catch (RuntimeException e) {
            // A bug must not stop discovery: the snapshot puts the state right whatever the event meant.
            log.error("applying {} failed; taking a full snapshot", event, e);
            requestResync();
            return;
        }
        switch (outcome.kind()) {
            case CHANGED -> schedulePublish();
            case REFETCH -> {
                pendingRefetch.addAll(outcome.appIds());
                if (!refetchScheduled) {
                    refetchScheduled = true;
                    reducer.schedule(this::refetch, config.coalesce().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
            case RESYNC -> requestResync();
            case UNCHANGED -> log.trace("{} changed nothing", event);
        }
    }

    /**
     * The window bounds how often events swap the table, not how late a change is routed: a change after
     * a quiet window is published at once, behind only the events already handed over (they join it);
     * a change within the window after an event's publication waits for the window's end, with every
     * change until then. So a burst makes at most two tables, a steady stream one per window, and a lone
     * event (a task up, a task killing) is routed without waiting.
     */
    private void schedulePublish() {
        if (publishScheduled) {
            return;
        }
        publishScheduled = true;
        Runnable publishing = () -> {
            publishScheduled = false;
            try {
                if (publish()) {
                    lastEventPublication = System.nanoTime();
                }
            } catch (RuntimeException e) {
                log.error("publishing the routing table failed; the previous one keeps serving", e);
            }
        };
        long wait = lastEventPublication + config.coalesce().toNanos() - System.nanoTime();
        if (wait <= 0) {
            reducer.then(publishing);
        } else {
            reducer.schedule(publishing, wait, TimeUnit.NANOSECONDS);
        }
    }

    /** Publishes the groups of the apps that changed since the last publication, those that differ. */
    private boolean publish() {
        return publishGroups(groups.changed(state, state.drainChanged()));
    }

    /** @return true if the table changed */
    private boolean publishGroups(Map<String, List<App>> changed) {
        return !changed.isEmpty() && publisher.updateGroups(changed);
    }

    private void requestResync() {
        if (!resyncScheduled) {
            resyncScheduled = true;
            reducer.schedule(() -> {
                resyncScheduled = false;
                EventStream s = stream;
                if (s != null) {
                    fullSync(s);
                }
            }, config.coalesce().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void periodicResync() {
        EventStream s = stream;
        if (s != null) {
            fullSync(s);
        }
    }

    /** Replaces the state with a snapshot from where the stream is; a failure drops the stream. */
    private void fullSync(EventStream from) {
        if (from != stream) {
            return;
        }
        try {
            long started = System.nanoTime();
            List<MarathonApp> apps = client.fetchApps(from.base());
            long read = System.nanoTime();
            state.replaceAll(apps);
            pendingRefetch.clear();
            // Every app read again (verdicts and agent addresses refreshed), only differences published.
            state.drainChanged();
            publishGroups(groups.all(state));
            fullSyncs.incrementAndGet();
            lastSync = Instant.now();
            lastContact = lastSync;
            log.info("snapshot of {} apps from {}: read in {} ms, published in {} ms", apps.size(), from.base(),
                    (read - started) / 1_000_000, (System.nanoTime() - read) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            failSync(from, "snapshot from " + from.base() + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void refetch() {
        refetchScheduled = false;
        EventStream from = stream;
        List<String> appIds = new ArrayList<>(pendingRefetch);
        pendingRefetch.clear();
        if (from == null || appIds.isEmpty()) {
            return; // the next connect takes a full snapshot anyway
        }
        if (appIds.size() > MAX_REFETCH) {
            fullSync(from);
            return;
        }
        try {
            for (String appId : appIds) {
                Optional<MarathonApp> app = client.fetchApp(from.base(), appId);
                if (app.isPresent()) {
                    state.replace(app.get());
                } else {
                    state.remove(appId);
                }
            }
            publish();
        } catch (IOException | RuntimeException e) {
            failSync(from, "re-fetching " + appIds + " from " + from.base() + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The state may now be behind: reconnect, which takes a fresh snapshot. */
    private void failSync(EventStream from, String message, Exception e) {
        lastError = message;
        log.warn("{}; reconnecting", message);
        log.debug("sync failure", e);
        from.abort(e instanceof IOException io ? io : new IOException(message, e));
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message != null ? ": " + message : "");
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
