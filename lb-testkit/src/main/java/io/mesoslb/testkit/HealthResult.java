package io.mesoslb.testkit;

/** What Marathon remembers of a task's health checks; mutable, touched only on the cluster's control thread. */
final class HealthResult {
    boolean alive;
    int consecutiveFailures;
    String firstSuccess;
    String lastSuccess;
    String lastFailure;
    String lastFailureCause;

    /** Records one check outcome; returns whether {@code alive} changed. */
    boolean record(boolean nowAlive, String at) {
        boolean changed = alive != nowAlive;
        alive = nowAlive;
        if (nowAlive) {
            consecutiveFailures = 0;
            if (firstSuccess == null) {
                firstSuccess = at;
            }
            lastSuccess = at;
        } else {
            consecutiveFailures++;
            lastFailure = at;
            lastFailureCause = "ConnectException: Connection refused";
        }
        return changed;
    }
}
