package io.mesoslb.server.auth;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a verification's decision over exactly once: to the caller of {@code check} if it completes
 * before check returns (a coalesced wait can), else to the caller's callback. So the callback runs only
 * after PENDING was returned, and never inside check on the caller's thread.
 */
final class PendingCallback {
    private static final Logger log = LoggerFactory.getLogger(PendingCallback.class);

    private static final int CHECKING = 0;
    private static final int RETURNED_PENDING = 1;
    private static final int DONE_DURING_CHECK = 2;

    private final AtomicInteger state = new AtomicInteger(CHECKING);
    private final Consumer<AuthDecision> callback;
    private volatile AuthDecision early;

    PendingCallback(Consumer<AuthDecision> callback) {
        this.callback = callback;
    }

    void complete(AuthDecision decision) {
        early = decision;
        if (state.compareAndSet(CHECKING, DONE_DURING_CHECK)) {
            return;
        }
        try {
            callback.accept(decision);
        } catch (RuntimeException e) {
            // The hashing thread serves every route: one caller's bug must not take it down.
            log.warn("basic auth callback failed", e);
        }
    }

    /** What check returns: PENDING, or the decision if it is already known. */
    AuthDecision returnFromCheck() {
        return state.compareAndSet(CHECKING, RETURNED_PENDING) ? AuthDecision.PENDING : early;
    }
}
