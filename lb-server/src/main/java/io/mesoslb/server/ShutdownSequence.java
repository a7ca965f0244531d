package io.mesoslb.server;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What SIGTERM (or SIGINT) does: drain the server (health 503, keep serving for the drain period,
 * close the listeners, finish in-flight requests), stop whatever else runs, flush the logs, and
 * exit with status 0, as a scheduler expects of a task it asked to stop. The JVM would otherwise
 * report a signal-initiated exit as 143.
 */
final class ShutdownSequence {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSequence.class);

    private ShutdownSequence() {
    }

    /** @param after closed once the server has stopped, in order (e.g. discovery, which keeps routes current while draining) */
    static void install(LbServer server, AutoCloseable... after) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> run(server, after), "mesos-lb-shutdown"));
    }

    private static void run(LbServer server, AutoCloseable[] after) {
        int status = 0;
        log.info("shutting down");
        try {
            server.drainAndClose();
        } catch (RuntimeException e) {
            log.error("graceful shutdown failed", e);
            status = 1;
        }
        for (AutoCloseable c : after) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed", c, e);
            }
        }
        log.info("mesos-lb stopped; exit status {}", status);
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            // Flushes the asynchronous access log; halt() below skips every other shutdown hook.
            context.stop();
        }
        Runtime.getRuntime().halt(status);
    }
}
