package io.mesoslb.server.proxy.exchange;

/**
 * User event: the server is shutting down; finish the current exchange, then close. A connection
 * between requests gets {@code idleLingerNanos} to send one more (answered with
 * {@code Connection: close}), so that a request already on its way is not cut off.
 */
public record Drain(long idleLingerNanos) {
}
