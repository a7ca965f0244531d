package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppGroupsTest {
    private final AppGroups external = AppGroups.of(List.of("external"));

    @Test
    void withoutGroupsEveryAppIsServed() {
        assertThat(AppGroups.of(List.of())).isSameAs(AppGroups.ALL);
        assertThat(AppGroups.of(List.of(" ", ""))).isSameAs(AppGroups.ALL);
        assertThat(AppGroups.of(List.of("external", "*"))).isSameAs(AppGroups.ALL);
        assertThat(AppGroups.ALL.serves(Map.of())).isTrue();
        assertThat(AppGroups.ALL.serves(Map.of("HAPROXY_GROUP", "internal"))).isTrue();
    }

    @Test
    void anAppIsServedWhenOneOfItsGroupsIsOurs() {
        assertThat(external.serves(Map.of("MESOS_LB_GROUP", "external"))).isTrue();
        assertThat(external.serves(Map.of("MESOS_LB_GROUP", "internal, External"))).isTrue();
        assertThat(external.serves(Map.of("MESOS_LB_GROUP", "internal"))).isFalse();
        assertThat(external.serves(Map.of("MESOS_LB_GROUP", "externally"))).isFalse();
    }

    @Test
    void marathonLbsLabelCountsWhenOursIsAbsent() {
        assertThat(external.serves(Map.of("HAPROXY_GROUP", "external"))).isTrue();
        assertThat(external.serves(Map.of("HAPROXY_GROUP", "internal"))).isFalse();
        assertThat(external.serves(Map.of("MESOS_LB_GROUP", "internal", "HAPROXY_GROUP", "external")))
                .as("ours wins").isFalse();
        assertThat(external.serves(Map.of("MESOS_LB_GROUP", " ", "HAPROXY_GROUP", "external"))).isTrue();
    }

    @Test
    void anAppWithoutAGroupIsLeftOutOnceGroupsAreSet() {
        assertThat(external.serves(Map.of())).isFalse();
        assertThat(external.serves(Map.of("MESOS_LB_VHOST", "x.example.com"))).isFalse();
    }

    @Test
    void theHolderRoutesOnlyServedAppsButAlwaysItsStaticOnes() {
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), external);
        holder.setStaticApps(List.of(app("/_admin/marathon", 1, Fixtures.vhost("marathon.admin.example.com"))));

        holder.update(List.of(app("/www", 2, Map.of("HAPROXY_GROUP", "external")),
                app("/billing", 2, Map.of("HAPROXY_GROUP", "internal")), app("/plain", 1)));

        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/_admin/marathon", "/www");
        assertThat(holder.current().lookup("billing.example.com")).isNull();
        assertThat(holder.current().routeForApp("/billing")).as("not even as a default app").isNull();
    }
}
