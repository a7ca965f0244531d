package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteOptionsTest {
    private final RouteTableBuilder builder = new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM);

    @Test
    void switchesAreOursElseMarathonLbs() {
        assertThat(RouteOptions.fromLabels(Map.of())).isSameAs(RouteOptions.NONE);
        assertThat(RouteOptions.fromLabels(Map.of("HAPROXY_0_REDIRECT_TO_HTTPS", "true")).httpsOnly()).isTrue();
        assertThat(RouteOptions.fromLabels(Map.of("MESOS_LB_REDIRECT_TO_HTTPS", " TRUE ")).httpsOnly()).isTrue();
        assertThat(RouteOptions.fromLabels(Map.of("MESOS_LB_REDIRECT_TO_HTTPS", "false", "HAPROXY_0_REDIRECT_TO_HTTPS", "true"))
                .httpsOnly()).as("ours wins").isFalse();
        assertThat(RouteOptions.fromLabels(Map.of("HAPROXY_0_REDIRECT_TO_HTTPS", "yes")).httpsOnly()).isFalse();
        assertThat(RouteOptions.fromLabels(Map.of("HAPROXY_0_STICKY", "true"))).isEqualTo(new RouteOptions(false, true));
    }

    @Test
    void turningOneOnIsATableChange() {
        RouteTable plain = builder.build(List.of(app("/www", 2)), RouteTable.EMPTY, 1);
        RouteTable https = builder.build(List.of(app("/www", 2, Map.of("MESOS_LB_REDIRECT_TO_HTTPS", "true"))), plain, 2);
        assertThat(https.routeForApp("/www").httpsOnly()).isTrue();
        assertThat(https.sameContent(plain)).isFalse();
    }

    @Test
    void aStickyTokenFindsItsBackendWhileItIsRoutedAndNotEjected() {
        RouteTable table = builder.build(List.of(app("/www", 3, Map.of("MESOS_LB_STICKY", "true"))), RouteTable.EMPTY, 1);
        Route route = table.routeForApp("/www");
        BackendState second = route.backends().get(1);
        String token = second.backend().stickyToken();

        assertThat(route.sticky()).isTrue();
        assertThat(route.selectSticky(token)).isSameAs(second);
        assertThat(route.selectSticky("0")).isNull();
        assertThat(route.selectSticky(null)).isNull();
        // The same on every balancer: it depends on the task, not on this process.
        assertThat(token).isEqualTo(Fixtures.backend("/www", 1).stickyToken());
        assertThat(route.backends()).extracting(s -> s.backend().stickyToken()).doesNotHaveDuplicates();
    }
}
