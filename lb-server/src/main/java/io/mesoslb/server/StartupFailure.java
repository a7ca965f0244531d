package io.mesoslb.server;

import java.net.BindException;

/**
 * The one line an operator needs when mesos-lb cannot start for a common reason, instead of a
 * stack trace: today, a port that something else already holds (a second demo, nginx on 8080).
 */
final class StartupFailure {
    private StartupFailure() {
    }

    /** A short explanation of {@code failure}, or null when it is not one of the common causes. */
    static String explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Netty's native transports report EADDRINUSE as an IOException, not a BindException.
            String message = t.getMessage();
            if (t instanceof BindException || (message != null && message.contains("Address already in use"))) {
                return failure.getMessage() + ": the address is already in use; choose another port with"
                        + " --listen-port, --admin-port, --https-port or --app-id-port (0 picks a free one)";
            }
        }
        return null;
    }
}
