package io.mesoslb.server;

import io.netty.util.ResourceLeakDetector;
import java.util.Properties;

/**
 * Netty samples one buffer in 128 for leak tracking by default, with a stack trace each: a cost on
 * every connection for a check that belongs in tests (which run it at paranoid). Production turns
 * it off unless the level was asked for explicitly.
 */
final class LeakDetection {
    /** Netty's property, and the older name it still reads. */
    static final String LEVEL = "io.netty.leakDetection.level";
    static final String LEGACY_LEVEL = "io.netty.leakDetectionLevel";

    private LeakDetection() {
    }

    /** Turns leak detection off unless {@code properties} set a level; true when it did. */
    static boolean productionDefault(Properties properties) {
        if (properties.getProperty(LEVEL) != null || properties.getProperty(LEGACY_LEVEL) != null) {
            return false;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        return true;
    }
}
