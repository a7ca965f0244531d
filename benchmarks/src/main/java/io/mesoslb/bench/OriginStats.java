package io.mesoslb.bench;

/**
 * What the in-VM origins of one benchmark saw, over all their connections (one thread touches
 * them: the event loop everything runs on).
 */
final class OriginStats {
    int connections;
    int closed;
    int requests;
    /** Every byte the origins received, while a check wants them; null otherwise. */
    StringBuilder captured;
}
