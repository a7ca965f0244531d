package io.mesoslb.server.health;

import io.mesoslb.core.Backend;
import io.mesoslb.core.EjectionEvent;
import io.mesoslb.core.EjectionListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each ejection (WARN) and each return (INFO) once, counts them, and passes every event on
 * to the listeners added here (metrics bind through {@link #addListener}). Called on event loops
 * and on the health sweeper thread; events are rare, at most two per backend per ejection.
 */
public final class EjectionLog implements EjectionListener {
    private static final Logger log = LoggerFactory.getLogger(EjectionLog.class);

    private final LongAdder ejected = new LongAdder();
    private final LongAdder returned = new LongAdder();
    private final List<EjectionListener> listeners = new CopyOnWriteArrayList<>();

    /** Also tells {@code listener} of every later event; it must be quick and must not block. */
    public void addListener(EjectionListener listener) {
        listeners.add(listener);
    }

    /** Backends ejected so far. */
    public long ejections() {
        return ejected.sum();
    }

    /** Ejected backends noticed back in rotation so far. */
    public long returns() {
        return returned.sum();
    }

    @Override
    public void onEjectionEvent(EjectionEvent event) {
        Backend b = event.backend();
        if (event.kind() == EjectionEvent.Kind.EJECTED) {
            ejected.increment();
            log.warn("ejected backend {} of app {} at {}:{} for {} ms (ejection {} in a row, last failure {})",
                    b.taskId(), b.appId(), b.host(), b.port(), event.duration().toMillis(), event.ejections(),
                    event.cause());
        } else {
            returned.increment();
            log.info("backend {} of app {} at {}:{} back in rotation after {} ms", b.taskId(), b.appId(), b.host(),
                    b.port(), event.duration().toMillis());
        }
        for (EjectionListener l : listeners) {
            try {
                l.onEjectionEvent(event);
            } catch (RuntimeException e) {
                log.warn("ejection listener {} failed on {}", l, event, e);
            }
        }
    }
}
