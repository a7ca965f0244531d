package io.mesoslb.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaxConnectionsTest {
    @Test
    void leftUnsetItLeavesRoomForABackendConnectionPerClientAndTheRest() {
        assertThat(MaxConnections.fromDescriptorLimit(1024)).isEqualTo(384);
        assertThat(MaxConnections.fromDescriptorLimit(65_536)).isEqualTo(32_640);
        assertThat(MaxConnections.fromDescriptorLimit(1_048_576)).isEqualTo(524_160);
    }

    @Test
    void aTinyLimitStillServesSomeAndAHugeOneStaysInRange() {
        assertThat(MaxConnections.fromDescriptorLimit(300)).isEqualTo(MaxConnections.FLOOR);
        assertThat(MaxConnections.fromDescriptorLimit(Long.MAX_VALUE)).isEqualTo(MaxConnections.CEILING);
    }

    @Test
    void anUnknownDescriptorLimitMeansNoLimit() {
        assertThat(MaxConnections.fromDescriptorLimit(-1)).isZero();
        assertThat(MaxConnections.fromDescriptorLimit(0)).isZero();
        assertThat(MaxConnections.decide(0, -1).max()).isZero();
    }

    @Test
    void anExplicitSettingWinsAndMinusOneTurnsItOff() {
        assertThat(MaxConnections.decide(500, 1024)).isEqualTo(new MaxConnections(500, "max-connections=500"));
        assertThat(MaxConnections.decide(-1, 1024).max()).isZero();
        MaxConnections derived = MaxConnections.decide(0, 4096);
        assertThat(derived.max()).isEqualTo(1920);
        assertThat(derived.source()).contains("open-file limit of 4096");
    }

    @Test
    void thisProcessHasADescriptorLimitOnUnix() {
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertThat(MaxConnections.processDescriptorLimit()).isPositive();
        }
    }
}
