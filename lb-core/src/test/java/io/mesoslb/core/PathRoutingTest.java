package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PathRoutingTest {
    private final RouteTableBuilder builder = new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM);

    private final RouteTable table = builder.build(List.of(
            app("/web", 2, vhost("shop.example.com")),
            app("/api", 1, vhost("shop.example.com").withPaths(List.of("/api", "/v2"))),
            app("/api-admin", 1, vhost("shop.example.com").withPaths(List.of("/api/admin"))),
            app("/docs", 1, vhost("bücher.example").withPaths(List.of("/docs", "/manual")))), RouteTable.EMPTY, 1);

    private String appFor(String host, String target) {
        Route r = table.lookup(host, target);
        return r == null ? null : r.appId();
    }

    @Test
    void theLongestPrefixWinsAndTheRestGoesToTheHostsAppForEveryPath() {
        assertThat(appFor("shop.example.com", "/api/orders?x=1")).isEqualTo("/api");
        assertThat(appFor("Shop.Example.com:8080", "/v2")).isEqualTo("/api");
        assertThat(appFor("shop.example.com", "/api/admin/users")).isEqualTo("/api-admin");
        assertThat(appFor("shop.example.com", "/apix")).as("a plain prefix, as HAProxy's path_beg").isEqualTo("/api");
        assertThat(appFor("shop.example.com", "/")).isEqualTo("/web");
        assertThat(appFor("shop.example.com", "/ap")).isEqualTo("/web");
        assertThat(table.lookup("shop.example.com")).as("without a path: the app for every path").isSameAs(table.routeForApp("/web"));
    }

    @Test
    void aHostWithOnlyPathRoutesAnswersNothingElse() {
        assertThat(appFor("bücher.example", "/manual/ch1")).isEqualTo("/docs");
        assertThat(appFor("xn--bcher-kva.example", "/docs")).isEqualTo("/docs");
        assertThat(appFor("bücher.example", "/")).isNull();
        assertThat(table.lookup("bücher.example")).isNull();
        assertThat(table.hostCount()).isEqualTo(2);
    }

    @Test
    void pathsAreShownAndComparedAsContent() {
        assertThat(table.routeForApp("/api").paths()).containsExactly("/api", "/v2");
        assertThat(table.pathRoutes().get("shop.example.com")).containsExactly(
                Map.entry("/api/admin", "/api-admin"), Map.entry("/api", "/api"), Map.entry("/v2", "/api"));

        RouteTable moved = builder.build(List.of(
                app("/web", 2, vhost("shop.example.com")),
                app("/api", 1, vhost("shop.example.com").withPaths(List.of("/api", "/v3"))),
                app("/api-admin", 1, vhost("shop.example.com").withPaths(List.of("/api/admin"))),
                app("/docs", 1, vhost("bücher.example").withPaths(List.of("/docs", "/manual")))), table, 2);
        assertThat(moved.sameContent(table)).isFalse();
    }
}
