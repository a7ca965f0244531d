package io.mesoslb.discovery.file;

import io.mesoslb.discovery.AgentAddresses;
import io.mesoslb.discovery.labels.LabelProblems;
import io.mesoslb.discovery.labels.PortRoutes;
import io.mesoslb.core.App;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.discovery.DiscoverySource;
import io.mesoslb.discovery.DiscoveryState;
import io.mesoslb.discovery.marathon.HealthVerdicts;
import io.mesoslb.discovery.marathon.MarathonApp;
import io.mesoslb.discovery.marathon.MarathonJson;
import io.mesoslb.discovery.marathon.RoutingPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes from a file in the format of Marathon's {@code GET /v2/apps?embed=apps.tasks}, re-read
 * whenever it changes.
 *
 * <p>{@link #start()} reads the file before returning so the proxy has its routes at once (or
 * publishes what {@link #prepare()} read, if the file is still that one); a daemon thread then polls
 * the file's modification time, size and identity (an atomic rename changes the identity even within
 * one timestamp tick). A file that cannot be read or parsed is
 * logged and reported by {@link #state()}, and the last good table keeps serving.
 */
public final class FileDiscovery implements DiscoverySource {
    private static final Logger log = LoggerFactory.getLogger(FileDiscovery.class);

    private final Path file;
    private final RouteTableHolder holder;
    private final Duration pollInterval;
    private final RoutingPolicy policy;
    private final ScheduledExecutorService poller;
    private final AtomicBoolean started = new AtomicBoolean();

    // Written by the thread that loads the file (start() or the poller, never both at once).
    private volatile DiscoveryState state;
    private Stamp loaded;
    /** What prepare() read, until the first poll publishes it (or reads again); the poller's thread only. */
    private Read ahead;

    public FileDiscovery(Path file, RouteTableHolder holder, Duration pollInterval) {
        this(file, holder, pollInterval, new PortRoutes(false, new LabelProblems()));
    }

    /** @param labels how app labels become routes (strict mode, for one) */
    public FileDiscovery(Path file, RouteTableHolder holder, Duration pollInterval, PortRoutes labels) {
        this.policy = new RoutingPolicy(new HealthVerdicts(), new AgentAddresses(), labels);
        this.file = Objects.requireNonNull(file, "file");
        this.holder = Objects.requireNonNull(holder, "holder");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive: " + pollInterval);
        }
        this.state = new DiscoveryState(file.toString(), false, false, null, null, 0, 0, "not started");
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "file-discovery");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reads, parses and routes the file on the poller's thread while the caller goes on (a start's server),
     * and publishes nothing: {@link #start()} publishes it if the file is still the one read. A file that
     * cannot be read here is left to {@code start()}, which reads it again and reports what fails.
     */
    @Override
    public CompletableFuture<Void> prepare() {
        return CompletableFuture.runAsync(() -> {
            try {
                Stamp stamp = Stamp.of(file);
                ahead = read(stamp);
            } catch (IOException | RuntimeException e) {
                log.debug("reading {} ahead failed; start() reads it again", file, e);
            }
        }, poller);
    }

    @Override
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        try {
            poller.submit(this::poll).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.error("reading {} failed", file, e.getCause());
        }
        long period = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::poll, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public DiscoveryState state() {
        return state.withLabelProblems(policy.labelProblems()).withOutOfRotation(policy.outOfRotation());
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }

    private void poll() {
        Stamp stamp;
        try {
            stamp = Stamp.of(file);
        } catch (IOException e) {
            fail("cannot read " + file + ": " + e, e);
            return;
        }
        if (stamp.equals(loaded)) {
            DiscoveryState s = state;
            if (s.connected()) {
                // Unchanged and readable: the routes are current, however long ago they were loaded.
                state = s.withContact(Instant.now());
            }
            return;
        }
        Read early = ahead;
        ahead = null;
        try {
            // The file may have been replaced since prepare() read it.
            Read read = early != null && early.stamp().equals(stamp) ? early : read(stamp);
            boolean swapped = holder.update(read.routes());
            loaded = stamp;
            Instant now = Instant.now();
            DiscoveryState s = state;
            state = new DiscoveryState(file.toString(), true, true, now, now, s.fullSyncs() + 1, s.events(),
                    read.apps() + " apps");
            log.info("loaded {} apps from {}{}", read.apps(), file, swapped ? "" : " (routing unchanged)");
        } catch (IOException | RuntimeException e) {
            // Remember the stamp so a broken file is reported once, not on every poll.
            loaded = stamp;
            fail("cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file of {@code stamp} read, parsed and routed, not published. */
    private Read read(Stamp stamp) throws IOException {
        List<MarathonApp> apps;
        // Streamed, as Marathon's snapshot is: a file of 10,000 apps is tens of MB, and its whole tree
        // several times that in heap at once.
        try (InputStream in = Files.newInputStream(file)) {
            apps = MarathonJson.streamApps(in);
        }
        return new Read(stamp, apps.size(), policy.apps(apps));
    }

    /** One version of the file, read and routed: its stamp, how many apps it holds, their routes. */
    private record Read(Stamp stamp, int apps, List<App> routes) {
    }

    private void fail(String detail, Exception e) {
        DiscoveryState s = state;
        if (!detail.equals(s.detail())) {
            log.warn("{}; the last good routing table keeps serving", detail);
            log.debug("{} failure", file, e);
        }
        state = new DiscoveryState(s.source(), s.synced(), false, s.lastSync(), s.lastEvent(), s.lastContact(),
                s.fullSyncs(), s.events(), detail);
    }

    /** What identifies one version of the file without reading it. */
    private record Stamp(Object key, FileTime modified, long size) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.lastModifiedTime(), a.size());
        }
    }
}
