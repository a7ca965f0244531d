package io.mesoslb.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mesoslb.core.Backend;
import io.mesoslb.core.EjectionEvent;
import io.mesoslb.core.FailureKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class EjectionLogTest {
    private static final Backend BACKEND = new Backend("10.0.0.7", 31005, "web.1234", "/team/web");

    private final Logger logger = (Logger) LoggerFactory.getLogger(EjectionLog.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final EjectionLog log = new EjectionLog();

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
    }

    @Test
    void logsEachEjectionAndReturnOnceWithAppTaskAddressAndDuration() {
        log.onEjectionEvent(new EjectionEvent(BACKEND, EjectionEvent.Kind.EJECTED, Duration.ofSeconds(60), 2,
                FailureKind.CONNECT_FAILURE));
        log.onEjectionEvent(new EjectionEvent(BACKEND, EjectionEvent.Kind.RETURNED, Duration.ofSeconds(60), 2, null));

        assertThat(appender.list).hasSize(2);
        ILoggingEvent ejected = appender.list.get(0);
        assertThat(ejected.getLevel()).isEqualTo(Level.WARN);
        assertThat(ejected.getFormattedMessage()).contains("web.1234", "/team/web", "10.0.0.7:31005", "60000 ms",
                "ejection 2 in a row", "CONNECT_FAILURE");
        ILoggingEvent returned = appender.list.get(1);
        assertThat(returned.getLevel()).isEqualTo(Level.INFO);
        assertThat(returned.getFormattedMessage()).contains("web.1234", "/team/web", "10.0.0.7:31005", "60000 ms");
        assertThat(log.ejections()).isEqualTo(1);
        assertThat(log.returns()).isEqualTo(1);
    }

    @Test
    void passesEventsOnEvenWhenAListenerFails() {
        List<EjectionEvent> seen = new ArrayList<>();
        log.addListener(e -> {
            throw new IllegalStateException("broken metrics");
        });
        log.addListener(seen::add);
        EjectionEvent event = new EjectionEvent(BACKEND, EjectionEvent.Kind.EJECTED, Duration.ofSeconds(30), 1,
                FailureKind.RESET);

        log.onEjectionEvent(event);

        assertThat(seen).containsExactly(event);
        assertThat(log.ejections()).isEqualTo(1);
    }
}
