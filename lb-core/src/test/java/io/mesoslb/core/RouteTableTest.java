package io.mesoslb.core;

import static io.mesoslb.core.Fixtures.app;
import static io.mesoslb.core.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouteTableTest {
    private final RouteTableBuilder builder = new RouteTableBuilder(new VhostNaming("example.com"), Ticker.SYSTEM);

    private RouteTable table(List<App> apps) {
        return builder.build(apps, RouteTable.EMPTY, 1);
    }

    private final RouteTable table = table(List.of(
            app("/www", 2),
            app("/shop", 1, vhost("shop.example.org,bücher.example")),
            app("/v6", 1, vhost("[2001:db8::1]"))));

    @ParameterizedTest
    @ValueSource(strings = {"www.example.com", "WWW.Example.COM:8080", "www.example.com.", "Www.Example.Com.:443",
            "www.example.com:"})
    void rawHostHeaderVariantsFindTheRoute(String header) {
        assertThat(table.lookup(header)).isSameAs(table.routeForApp("/www"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bücher.example", "BÜCHER.example:8080", "xn--bcher-kva.example", "XN--BCHER-KVA.EXAMPLE.:80"})
    void internationalisedHostsFindTheRouteInEitherForm(String header) {
        assertThat(table.lookup(header)).isSameAs(table.routeForApp("/shop"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[2001:db8::1]", "[2001:DB8::1]:8080"})
    void ipv6LiteralsFindTheRoute(String header) {
        assertThat(table.lookup(header)).isSameAs(table.routeForApp("/v6"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unknown.example.com", "example.com", "www.example.co", "ww.example.com", "www.example.com.."})
    void unknownHostsMiss(String header) {
        assertThat(table.lookup(header)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":8080", ".", "www.example.com:http", "www.example.com:99999", "[2001:db8::1",
            "[2001:db8::1]x", "www.example.com:80:80", "bücher\uFF0Fexample"})
    void malformedHeadersMiss(String header) {
        assertThat(table.lookup(header)).isNull();
    }

    @Test
    void nullHeaderMisses() {
        assertThat(table.lookup(null)).isNull();
    }

    @Test
    void emptyTableMissesEverything() {
        assertThat(RouteTable.EMPTY.lookup("www.example.com")).isNull();
        assertThat(RouteTable.EMPTY.routes()).isEmpty();
        assertThat(RouteTable.EMPTY.hosts()).isEmpty();
    }

    @Test
    void everyHostOfALargeTableIsFoundThroughCollidingProbes() {
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            apps.add(app("/svc" + i, 1));
        }
        // "an" and "c0" (and "ao"/"c1", ...) have the same polynomial hash, so these pairs always
        // share a home slot and one has to be found by probing past the other.
        for (char c = 'n'; c <= 'w'; c++) {
            char digit = (char) ('0' + (c - 'n'));
            apps.add(app("/p" + c, 1, vhost("a" + c + ".collide.test")));
            apps.add(app("/q" + digit, 1, vhost("c" + digit + ".collide.test")));
        }
        RouteTable big = table(apps);
        assertThat(big.hosts()).hasSize(5_020);
        for (var e : big.hosts().entrySet()) {
            String host = e.getKey();
            assertThat(big.lookup(host)).isSameAs(e.getValue());
            assertThat(big.lookup(host.toUpperCase() + ":80")).isSameAs(e.getValue());
            assertThat(big.lookup("x" + host)).isNull();
        }
        assertThat(big.lookup("an.collide.test").appId()).isEqualTo("/pn");
        assertThat(big.lookup("c0.collide.test").appId()).isEqualTo("/q0");
        assertThat(big.lookup("bn.collide.test")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"www.example.com", "WWW.EXAMPLE.COM:1", "shop.example.org.", "bücher.example",
            "[2001:db8::1]:1", "a..b", "www.example.com:99999", "", ".", "x:", "[::1]"})
    void lookupAgreesWithNormalize(String header) {
        String canonical = HostNames.normalize(header);
        assertThat(table.lookup(header)).isSameAs(canonical == null ? null : table.hosts().get(canonical));
    }

    @Test
    void lookupAcceptsAnyCharSequence() {
        assertThat(table.lookup(new StringBuilder("www.EXAMPLE.com:80"))).isSameAs(table.routeForApp("/www"));
    }
}
