package io.mesoslb.testkit;

/** A Marathon deployment in progress on one app (the light plan format names one action on one app). */
final class Deployment {
    final String id;
    final String action;
    final String version;
    /** Old-version tasks a rolling restart has replaced so far. */
    int oldKilled;

    Deployment(String id, String action, String version) {
        this.id = id;
        this.action = action;
        this.version = version;
    }
}
