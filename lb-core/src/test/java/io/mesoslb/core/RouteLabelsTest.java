package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteLabelsTest {
    @Test
    void redirectToHttpsIsOursElseMarathonLbs() {
        assertThat(RouteLabels.httpsOnly(Map.of())).isFalse();
        assertThat(RouteLabels.httpsOnly(Map.of("HAPROXY_0_REDIRECT_TO_HTTPS", "true"))).isTrue();
        assertThat(RouteLabels.httpsOnly(Map.of("MESOS_LB_REDIRECT_TO_HTTPS", " TRUE "))).isTrue();
        assertThat(RouteLabels.httpsOnly(Map.of("MESOS_LB_REDIRECT_TO_HTTPS", "false", "HAPROXY_0_REDIRECT_TO_HTTPS", "true")))
                .as("ours wins").isFalse();
        assertThat(RouteLabels.httpsOnly(Map.of("HAPROXY_0_REDIRECT_TO_HTTPS", "yes"))).isFalse();
    }

    @Test
    void turningItOnIsATableChange() {
        RouteTableBuilder builder = new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM);
        RouteTable plain = builder.build(List.of(app("/www", 2)), RouteTable.EMPTY, 1);
        RouteTable https = builder.build(List.of(app("/www", 2, Map.of("MESOS_LB_REDIRECT_TO_HTTPS", "true"))), plain, 2);
        assertThat(https.routeForApp("/www").httpsOnly()).isTrue();
        assertThat(https.sameContent(plain)).isFalse();
    }
}
