package io.mesoslb.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** How a {@link MarathonSimulator} listens, authenticates and paces task lifecycles. Immutable; use {@link #builder()}. */
public final class SimulatorOptions {
    private final String host;
    private final int port;
    private final String basicUser;
    private final String basicPassword;
    private final String token;
    private final String realm;
    private final boolean autoHealthy;
    private final Duration healthCheckDelay;
    private final Duration killGrace;
    private final Function<SimTask, CompletionStage<?>> killGate;
    private final Duration heartbeatInterval;
    private final int ioThreads;
    private final boolean warmTasks;

    private SimulatorOptions(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.basicUser = b.basicUser;
        this.basicPassword = b.basicPassword;
        this.token = b.token;
        this.realm = b.realm;
        this.autoHealthy = b.autoHealthy;
        this.healthCheckDelay = b.healthCheckDelay;
        this.killGrace = b.killGrace;
        this.killGate = b.killGate;
        this.heartbeatInterval = b.heartbeatInterval;
        this.ioThreads = b.ioThreads;
        this.warmTasks = b.warmTasks;
    }

    public static SimulatorOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.basicUser = basicUser;
        b.basicPassword = basicPassword;
        b.token = token;
        b.realm = realm;
        b.autoHealthy = autoHealthy;
        b.healthCheckDelay = healthCheckDelay;
        b.killGrace = killGrace;
        b.killGate = killGate;
        b.heartbeatInterval = heartbeatInterval;
        b.ioThreads = ioThreads;
        b.warmTasks = warmTasks;
        return b;
    }

    /** Address the API binds to; {@code 127.0.0.1} by default. Backends always bind {@code 127.0.0.1}. */
    public String host() {
        return host;
    }

    /** API port; 0 (the default) picks a free one. */
    public int port() {
        return port;
    }

    /** Basic-auth user, or {@code null} when basic auth is off. */
    public String basicUser() {
        return basicUser;
    }

    public String basicPassword() {
        return basicPassword;
    }

    /** Accepted token ({@code Authorization: token=<t>} as on DC/OS, or {@code Bearer <t>}), or {@code null}. */
    public String token() {
        return token;
    }

    /** Realm named in {@code WWW-Authenticate}; Marathon's default is {@code Mesosphere}. */
    public String realm() {
        return realm;
    }

    /** Whether tasks of apps with health checks report {@code alive=true} on their own after {@link #healthCheckDelay()}. */
    public boolean autoHealthy() {
        return autoHealthy;
    }

    /**
     * Time between a task start (or a leader change) and its first health result, like Marathon's first check run.
     */
    public Duration healthCheckDelay() {
        return healthCheckDelay;
    }

    /** How long a killed task stays {@code TASK_KILLING} with its backend still serving, before it is stopped. */
    public Duration killGrace() {
        return killGrace;
    }

    /** What ends a killed task's grace once {@link #killGrace()} is over, or null: nothing more. */
    public Function<SimTask, CompletionStage<?>> killGate() {
        return killGate;
    }

    /** Interval of the bare CRLF keep-alive on event streams; Jetty's default is 10 s. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** Netty I/O threads shared by the API servers and all backends of one simulator or cluster. */
    public int ioThreads() {
        return ioThreads;
    }

    /**
     * Whether a task's server answers like a warm one from its first connection (off by default): at start the
     * simulator serves {@value Marathon#WARM_UP_CONNECTIONS} connections of its own on a throwaway server, so its
     * servers' accept, read and write code is compiled as in a process that has served traffic, and each task's
     * server answers one request of its own ({@link LoopbackBackend#warmUp}) before the task's first event. Neither
     * is counted in {@link MarathonSimulator#requestsServedBy} or a server's connection counts.
     */
    public boolean warmTasks() {
        return warmTasks;
    }

    boolean authRequired() {
        return basicUser != null || token != null;
    }

    /** The complete {@code Authorization} header value basic auth expects, or {@code null}. */
    String basicAuthorization() {
        if (basicUser == null) {
            return null;
        }
        String raw = basicUser + ":" + basicPassword;
        return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String basicUser;
        private String basicPassword;
        private String token;
        private String realm = "Mesosphere";
        private boolean autoHealthy = true;
        private Duration healthCheckDelay = Duration.ofMillis(100);
        private Duration killGrace = Duration.ofSeconds(1);
        private Function<SimTask, CompletionStage<?>> killGate;
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private int ioThreads = 2;
        private boolean warmTasks;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        public Builder basicAuth(String user, String password) {
            this.basicUser = Objects.requireNonNull(user, "user");
            this.basicPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        public Builder token(String token) {
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /** Same as {@link #token(String)}. */
        public Builder bearerToken(String token) {
            return token(token);
        }

        public Builder realm(String realm) {
            this.realm = Objects.requireNonNull(realm, "realm");
            return this;
        }

        public Builder autoHealthy(boolean autoHealthy) {
            this.autoHealthy = autoHealthy;
            return this;
        }

        public Builder healthCheckDelay(Duration delay) {
            this.healthCheckDelay = nonNegative(delay, "healthCheckDelay");
            return this;
        }

        public Builder killGrace(Duration grace) {
            this.killGrace = nonNegative(grace, "killGrace");
            return this;
        }

        /**
         * Makes a killed task's backend serve on after {@link #killGrace(Duration)} until the stage {@code gate}
         * returns for it completes (however it completes): a test decides when a task has drained, not the machine's
         * speed. Called on the simulator's control thread, which it must not block.
         */
        public Builder killGate(Function<SimTask, CompletionStage<?>> gate) {
            this.killGate = Objects.requireNonNull(gate, "killGate");
            return this;
        }

        public Builder heartbeatInterval(Duration interval) {
            Objects.requireNonNull(interval, "heartbeatInterval");
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("heartbeatInterval must be positive: " + interval);
            }
            this.heartbeatInterval = interval;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            if (ioThreads < 1) {
                throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
            }
            this.ioThreads = ioThreads;
            return this;
        }

        public Builder warmTasks(boolean warmTasks) {
            this.warmTasks = warmTasks;
            return this;
        }

        public SimulatorOptions build() {
            return new SimulatorOptions(this);
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
        }
    }
}
