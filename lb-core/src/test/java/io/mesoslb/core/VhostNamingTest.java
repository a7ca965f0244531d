package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VhostNamingTest {
    private final VhostNaming naming = new VhostNaming("Example.COM.");

    @Test
    void domainIsCanonicalised() {
        assertThat(naming.domain()).isEqualTo("example.com");
    }

    @Test
    void appIdReadRightToLeftBecomesASubdomain() {
        assertThat(naming.vhostsFor("/www", RouteSpec.DEFAULT)).containsExactly("www.example.com");
        assertThat(naming.vhostsFor("/team/api", RouteSpec.DEFAULT)).containsExactly("api.team.example.com");
        assertThat(naming.vhostsFor("/a/b/c", RouteSpec.DEFAULT)).containsExactly("c.b.a.example.com");
        assertThat(naming.derive("//team//api/")).isEqualTo("api.team.example.com");
    }

    @Test
    void appIdThatMakesNoValidHostGetsNoName() {
        assertThat(naming.vhostsFor("/", RouteSpec.DEFAULT)).isEmpty();
        assertThat(naming.vhostsFor("/bad app", RouteSpec.DEFAULT)).isEmpty();
    }

    @Test
    void explicitHostsReplaceTheDerivedName() {
        RouteSpec spec = RouteSpec.forHosts(" Shop.Example.org ", "www.shop.example.org:8080", "shop.example.org.", "bücher.example");
        assertThat(naming.vhostsFor("/shop", spec)).containsExactly("shop.example.org", "www.shop.example.org",
                "xn--bcher-kva.example");
    }

    @Test
    void withoutADomainOnlyExplicitHostsNameApps() {
        VhostNaming none = new VhostNaming(null);
        assertThat(none.domain()).isNull();
        assertThat(none.vhostsFor("/www", RouteSpec.DEFAULT)).isEmpty();
        assertThat(none.derive("/www")).isNull();
        assertThat(none.vhostsFor("/www", RouteSpec.forHosts("www.example.com"))).containsExactly("www.example.com");
        assertThat(new VhostNaming("  ").domain()).isNull();
        assertThat(new VhostNaming("bad domain").domain()).isNull();
    }
}
