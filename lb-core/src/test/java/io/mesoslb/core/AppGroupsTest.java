package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AppGroupsTest {
    private final AppGroups external = AppGroups.of(List.of("external"));

    @Test
    void withoutGroupsEveryAppIsServed() {
        assertThat(AppGroups.of(List.of())).isSameAs(AppGroups.ALL);
        assertThat(AppGroups.of(List.of(" ", ""))).isSameAs(AppGroups.ALL);
        assertThat(AppGroups.of(List.of("external", "*"))).isSameAs(AppGroups.ALL);
        assertThat(AppGroups.ALL.serves(Set.of())).isTrue();
        assertThat(AppGroups.ALL.serves(Set.of("internal"))).isTrue();
    }

    @Test
    void anAppIsServedWhenOneOfItsGroupsIsOursAndWithoutOneOnlyByAll() {
        assertThat(external.serves(Set.of("external"))).isTrue();
        assertThat(external.serves(Set.of("internal", "external"))).isTrue();
        assertThat(external.serves(Set.of("internal"))).isFalse();
        assertThat(external.serves(Set.of("externally"))).isFalse();
        assertThat(external.serves(Set.of())).isFalse();
        assertThat(AppGroups.of(List.of(" External ")).serves(RouteSpec.DEFAULT.withGroups(Set.of("EXTERNAL")).groups()))
                .as("both sides in lower case").isTrue();
    }

    @Test
    void theHolderRoutesOnlyServedAppsButAlwaysItsStaticOnes() {
        RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"), external);
        holder.setStaticApps(List.of(app("/_admin/marathon", 1, Fixtures.vhost("marathon.admin.example.com"))));

        holder.update(List.of(app("/www", 2, RouteSpec.DEFAULT.withGroups(Set.of("external"))),
                app("/billing", 2, RouteSpec.DEFAULT.withGroups(Set.of("internal"))), app("/plain", 1)));

        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/_admin/marathon", "/www");
        assertThat(holder.current().lookup("billing.example.com")).isNull();
        assertThat(holder.current().routeForApp("/billing")).as("not even as a default app").isNull();
    }
}
