package io.mesoslb.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VhostNamingTest {
    private final VhostNaming naming = new VhostNaming("Example.COM.");

    @Test
    void domainIsCanonicalised() {
        assertThat(naming.domain()).isEqualTo("example.com");
    }

    @Test
    void appIdReadRightToLeftBecomesASubdomain() {
        assertThat(naming.vhostsFor("/www", Map.of())).containsExactly("www.example.com");
        assertThat(naming.vhostsFor("/team/api", Map.of())).containsExactly("api.team.example.com");
        assertThat(naming.vhostsFor("/a/b/c", Map.of())).containsExactly("c.b.a.example.com");
        assertThat(naming.derive("//team//api/")).isEqualTo("api.team.example.com");
    }

    @Test
    void appIdThatMakesNoValidHostGetsNoName() {
        assertThat(naming.vhostsFor("/", Map.of())).isEmpty();
        assertThat(naming.vhostsFor("/bad app", Map.of())).isEmpty();
    }

    @Test
    void mesosLbVhostLabelIsACommaListThatReplacesTheDerivedName() {
        Map<String, String> labels = Map.of(VhostNaming.VHOST_LABEL, " Shop.Example.org , www.shop.example.org:8080,,shop.example.org.");
        assertThat(naming.vhostsFor("/shop", labels)).containsExactly("shop.example.org", "www.shop.example.org");
    }

    @Test
    void haproxyVhostLabelIsHonoured() {
        Map<String, String> labels = Map.of(VhostNaming.HAPROXY_VHOST_LABEL, "legacy.example.net,bücher.example");
        assertThat(naming.vhostsFor("/legacy", labels)).containsExactly("legacy.example.net", "xn--bcher-kva.example");
    }

    @Test
    void mesosLbLabelWinsOverHaproxyLabel() {
        Map<String, String> labels = Map.of(VhostNaming.VHOST_LABEL, "new.example.net", VhostNaming.HAPROXY_VHOST_LABEL, "old.example.net");
        assertThat(naming.vhostsFor("/app", labels)).containsExactly("new.example.net");
    }

    @Test
    void blankMesosLbLabelFallsBackToHaproxyLabel() {
        Map<String, String> labels = Map.of(VhostNaming.VHOST_LABEL, "  ", VhostNaming.HAPROXY_VHOST_LABEL, "old.example.net");
        assertThat(naming.vhostsFor("/app", labels)).containsExactly("old.example.net");
    }

    @Test
    void invalidEntriesAreDroppedAndValidOnesKept() {
        Map<String, String> labels = Map.of(VhostNaming.VHOST_LABEL, "ok.example.net, not valid, also/bad, :80, fine.example.net");
        assertThat(naming.vhostsFor("/app", labels)).containsExactly("ok.example.net", "fine.example.net");
    }

    @Test
    void labelWithOnlyInvalidEntriesLeavesTheAppUnnamedRatherThanFallingBack() {
        // An explicit label is the operator's intent; silently routing the derived name instead
        // would expose the app under a host nobody asked for.
        Map<String, String> labels = Map.of(VhostNaming.VHOST_LABEL, "not valid");
        assertThat(naming.vhostsFor("/app", labels)).isEmpty();
    }

    @Test
    void withoutADomainOnlyLabelsNameApps() {
        VhostNaming none = new VhostNaming(null);
        assertThat(none.domain()).isNull();
        assertThat(none.vhostsFor("/www", Map.of())).isEmpty();
        assertThat(none.derive("/www")).isNull();
        assertThat(none.vhostsFor("/www", Map.of(VhostNaming.VHOST_LABEL, "www.example.com"))).containsExactly("www.example.com");
        assertThat(new VhostNaming("  ").domain()).isNull();
        assertThat(new VhostNaming("bad domain").domain()).isNull();
    }
}
