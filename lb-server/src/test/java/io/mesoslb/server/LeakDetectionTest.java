package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {
    private ResourceLeakDetector.Level before;

    @BeforeEach
    void remember() {
        before = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @AfterEach
    void restore() {
        ResourceLeakDetector.setLevel(before);
    }

    @Test
    void turnsDetectionOffWhenNoLevelIsSet() {
        assertThat(LeakDetection.productionDefault(new Properties())).isTrue();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    }

    @Test
    void keepsALevelSetUnderEitherName() {
        for (String name : new String[] {LeakDetection.LEVEL, LeakDetection.LEGACY_LEVEL}) {
            Properties p = new Properties();
            p.setProperty(name, "advanced");
            assertThat(LeakDetection.productionDefault(p)).as(name).isFalse();
            assertThat(ResourceLeakDetector.getLevel()).as(name).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        }
    }

    @Test
    void theTestsThemselvesRunWithAnExplicitLevel() {
        // The surefire argLine sets it; Main's default must leave it alone there.
        assertThat(System.getProperty(LeakDetection.LEVEL)).isNotNull();
        assertThat(LeakDetection.productionDefault(System.getProperties())).isFalse();
    }
}
