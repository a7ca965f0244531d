package io.mesoslb.server.transport;

import io.mesoslb.core.CidrList;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressResolverTest {
    private final ClientAddressResolver resolver = new ClientAddressResolver(CidrList.parse("10.0.0.0/8, 2001:db8::/32"));

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void untrustedPeerIsTheClientWhateverTheHeaderSays() throws Exception {
        assertThat(resolver.resolve(ip("203.0.113.5"), List.of("1.1.1.1"))).isEqualTo(ip("203.0.113.5"));
    }

    @Test
    void trustedPeerWithoutHeaderIsTheClient() throws Exception {
        assertThat(resolver.resolve(ip("10.0.0.2"), List.of())).isEqualTo(ip("10.0.0.2"));
    }

    @Test
    void rightMostUntrustedEntryWinsAndForgedLeftEntriesAreIgnored() throws Exception {
        // The client forged "6.6.6.6"; our trusted proxies 10.0.0.3 and 10.0.0.2 appended the real hops.
        List<String> xff = List.of("6.6.6.6, 198.51.100.9", "10.0.0.3");
        assertThat(resolver.resolve(ip("10.0.0.2"), xff)).isEqualTo(ip("198.51.100.9"));
    }

    @Test
    void forwardingKeepsTheClientAndTheTrustedHopsOnly() throws Exception {
        ClientAddressResolver.Resolution r = resolver.resolveForwarding(ip("10.0.0.2"), "10.0.0.2",
                List.of("6.6.6.6, 198.51.100.9", "10.0.0.3"));
        assertThat(r.client()).isEqualTo(ip("198.51.100.9"));
        assertThat(r.forwardedFor()).isEqualTo("198.51.100.9, 10.0.0.3, 10.0.0.2");
    }

    @Test
    void forwardingFromAnUntrustedPeerIsThePeerAlone() throws Exception {
        ClientAddressResolver.Resolution r = resolver.resolveForwarding(ip("203.0.113.5"), "203.0.113.5",
                List.of("10.0.0.9"));
        assertThat(r.client()).isEqualTo(ip("203.0.113.5"));
        assertThat(r.forwardedFor()).isEqualTo("203.0.113.5");
    }

    @Test
    void forwardingNormalisesEntriesAndStopsAtGarbage() throws Exception {
        assertThat(resolver.resolveForwarding(ip("10.0.0.2"), "10.0.0.2", List.of("[2001:beef::5]:443"))
                .forwardedFor()).isEqualTo("2001:beef::5, 10.0.0.2");
        ClientAddressResolver.Resolution garbage = resolver.resolveForwarding(ip("10.0.0.2"), "10.0.0.2",
                List.of("198.51.100.9, 0x7f.1, 10.0.0.7"));
        assertThat(garbage.client()).as("unknown, not the trusted hop 10.0.0.7").isNull();
        // Neither the garbage (a lenient parser may read it as an address) nor an invented address.
        assertThat(garbage.forwardedFor()).isEqualTo("unknown, 10.0.0.7, 10.0.0.2");
    }

    @Test
    void garbageRightOfEveryTrustedHopIsAnUnknownClientNotTheProxy() throws Exception {
        ClientAddressResolver.Resolution r = resolver.resolveForwarding(ip("10.0.0.2"), "10.0.0.2",
                List.of("10.0.0.5", "not-an-ip"));
        assertThat(r.client()).isNull();
        assertThat(r.forwardedFor()).isEqualTo("unknown, 10.0.0.2");
        // Garbage left of an untrusted client was written by that client: it is ignored.
        assertThat(resolver.resolve(ip("10.0.0.2"), List.of("evil, 198.51.100.9"))).isEqualTo(ip("198.51.100.9"));
    }

    @Test
    void allHopsTrustedGivesTheLeftMost() throws Exception {
        assertThat(resolver.resolve(ip("10.0.0.2"), List.of("10.1.1.1, 10.0.0.3"))).isEqualTo(ip("10.1.1.1"));
    }

    @Test
    void entriesWithPortsAndIpv6Brackets() throws Exception {
        assertThat(resolver.resolve(ip("10.0.0.2"), List.of("198.51.100.9:5555"))).isEqualTo(ip("198.51.100.9"));
        assertThat(resolver.resolve(ip("2001:db8::1"), List.of("[2001:beef::5]:443"))).isEqualTo(ip("2001:beef::5"));
        assertThat(resolver.resolve(ip("2001:db8::1"), List.of("2001:beef::5"))).isEqualTo(ip("2001:beef::5"));
    }

    @Test
    void garbageFromATrustedHopStopsTheWalkWithAnUnknownClient() throws Exception {
        assertThat(resolver.resolve(ip("10.0.0.2"), List.of("198.51.100.9, unknown, 10.0.0.7"))).isNull();
        assertThat(resolver.resolve(ip("10.0.0.2"), List.of("evil.example.com"))).isNull();
        assertThat(resolver.resolve(ip("10.0.0.2"), List.of("[::1"))).isNull();
        // Empty entries say nothing, so the header says nothing: as without one.
        assertThat(resolver.resolve(ip("10.0.0.2"), List.of(" , "))).isEqualTo(ip("10.0.0.2"));
    }

    @Test
    void noTrustedProxiesNeverReadsTheHeader() throws Exception {
        ClientAddressResolver none = new ClientAddressResolver(CidrList.EMPTY);
        assertThat(none.resolve(ip("10.0.0.2"), List.of("198.51.100.9"))).isEqualTo(ip("10.0.0.2"));
    }

    @Test
    void proxyProtocolSourceReplacesThePeer() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Forwarded-For", "1.1.1.1");
        ch.attr(ClientAddress.ATTR).set(new InetSocketAddress(ip("203.0.113.77"), 999));
        assertThat(resolver.resolve(ch, headers)).isEqualTo(ip("203.0.113.77"));

        // A PROXY source that is itself a trusted proxy hands over to the X-Forwarded-For chain.
        ch.attr(ClientAddress.ATTR).set(new InetSocketAddress(ip("10.0.0.9"), 999));
        assertThat(resolver.resolve(ch, headers)).isEqualTo(ip("1.1.1.1"));
        ch.finishAndReleaseAll();
    }
}
