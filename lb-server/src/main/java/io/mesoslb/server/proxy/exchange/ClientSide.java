package io.mesoslb.server.proxy.exchange;

import java.util.Queue;

/** What the exchange asks of the client connection's reader, which holds what the exchange cannot take yet. */
public interface ClientSide {
    /**
     * Hands on what is held while the exchange can take it; reads again once nothing is left, unless
     * an upgrade request awaits its answer ({@link ProxyExchange#awaitsUpgradeAnswer()}).
     */
    void takeHeld();

    /** Like {@link #takeHeld()}, after the current call stack (which may be the backend's) unwinds. */
    void takeHeldLater();

    /**
     * Takes the client's HTTP handlers out of its pipeline, for a tunnel to take their place.
     *
     * @return what was read and not taken, for the tunnel to hand on
     */
    Queue<Object> leave();
}
