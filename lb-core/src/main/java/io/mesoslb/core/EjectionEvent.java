package io.mesoslb.core;

import java.time.Duration;
import java.util.Objects;

/**
 * One change of a backend's passive health.
 *
 * @param backend the backend
 * @param kind whether it left or came back into rotation
 * @param duration how long this ejection lasts ({@link Kind#EJECTED}) or lasted ({@link Kind#RETURNED})
 * @param ejections the ejection multiplier: how many times in a row it has been ejected
 * @param cause the failure that tipped it over; null for {@link Kind#RETURNED}
 */
public record EjectionEvent(Backend backend, Kind kind, Duration duration, int ejections, FailureKind cause) {
    public enum Kind {
        EJECTED,
        RETURNED
    }

    public EjectionEvent {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(duration, "duration");
    }
}
