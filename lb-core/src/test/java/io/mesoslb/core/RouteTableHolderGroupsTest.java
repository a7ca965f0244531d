package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableHolderGroupsTest {
    private final RouteTableHolder holder = new RouteTableHolder(new VhostNaming("example.com"));

    @Test
    void aGroupReplacesOnlyItsOwnApps() {
        assertThat(holder.updateGroups(Map.of("/a", List.of(app("/a", 2), app("/a#1", 1, vhost("a1.example.com"))),
                "/b", List.of(app("/b", 1))))).isTrue();
        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/a", "/a#1", "/b");

        assertThat(holder.updateGroups(Map.of("/a", List.of(app("/a", 3))))).isTrue();
        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/a", "/b");
        assertThat(holder.current().lookup("a.example.com").size()).isEqualTo(3);
        assertThat(holder.current().lookup("a1.example.com")).isNull();
    }

    @Test
    void anEmptyListRemovesTheGroupAndAnUnchangedGroupDoesNotSwap() {
        holder.updateGroups(Map.of("/a", List.of(app("/a", 2)), "/b", List.of(app("/b", 1))));
        assertThat(holder.updateGroups(Map.of("/b", List.of(app("/b", 1))))).isFalse();
        assertThat(holder.updateGroups(Map.of("/b", List.of()))).isTrue();
        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/a");
        assertThat(holder.updateGroups(Map.of("/nothing", List.of()))).isFalse();
    }

    @Test
    void updateReplacesEveryGroup() {
        holder.updateGroups(Map.of("/a", List.of(app("/a", 2), app("/a#1", 1, vhost("a1.example.com")))));
        assertThat(holder.update(List.of(app("/c", 1)))).isTrue();
        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/c");
        assertThat(holder.updateGroups(Map.of("/d", List.of(app("/d", 1))))).isTrue();
        assertThat(holder.current().routes()).extracting(Route::appId).containsExactly("/c", "/d");
    }

    @Test
    void groupSelectionAppliesToGroups() {
        RouteTableHolder external = new RouteTableHolder(new VhostNaming("example.com"), AppGroups.of(List.of("external")));
        external.updateGroups(Map.of("/a", List.of(app("/a", 1, RouteSpec.DEFAULT.withGroups(Set.of("external"))),
                app("/a#1", 1, RouteSpec.DEFAULT.withGroups(Set.of("internal"))))));
        assertThat(external.current().routes()).extracting(Route::appId).containsExactly("/a");
    }
}
