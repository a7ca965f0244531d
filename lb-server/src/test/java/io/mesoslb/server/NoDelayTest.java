package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.RouteSpec;
import io.mesoslb.core.ServicePort;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.server.testing.RawHttp;
import io.mesoslb.server.testing.TcpBackend;
import io.mesoslb.server.testing.TcpBackend.Behaviour;
import io.mesoslb.server.testing.TestOrigin;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nagle off on every socket the proxy makes, read back from the kernel on both transports. The proxy does not ask for
 * it: Netty's socket channels turn it on as they are made, and asking again cost a setsockopt per connection. This is
 * the guard that it stays so.
 */
class NoDelayTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Closer closer = new Closer();

    @ParameterizedTest(name = "nio={0}")
    @ValueSource(booleans = {false, true})
    void clientsOfTheHttpListenerAndOfAServicePortAndBackendConnectionsHaveNagleOff(boolean nio) throws Exception {
        TestOrigin origin = closer.use(TestOrigin.marker("ok"));
        TcpBackend echo = closer.use(new TcpBackend("echo", Behaviour.ECHO));
        int servicePort = closer.use(LoopbackPort.forListener()).port();
        ProxyFixture proxy = closer.use(new ProxyFixture(c -> c.forceNio(nio)))
                .app("/app", origin)
                .app("/echo", RouteSpec.DEFAULT.withServicePort(ServicePort.of(servicePort, ServicePort.Mode.TCP))
                        .withoutHostRoute(), echo.backend("/echo"));
        Await.until(WAIT, () -> proxy.server.servicePorts().listeningPorts().contains(servicePort),
                "service port " + servicePort + " listening");

        RawHttp http = closer.use(new RawHttp(proxy.port()));
        http.send("GET / HTTP/1.1\r\nHost: app." + ProxyFixture.DOMAIN + "\r\n\r\n");
        assertThat(http.read().status()).isEqualTo(200);
        Socket tcp = closer.use(new Socket(InetAddress.getLoopbackAddress(), servicePort));
        tcp.setSoTimeout((int) WAIT.toMillis());
        tcp.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(tcp.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");

        List<Channel> clients = new ArrayList<>();
        proxy.server.clients().forEach(clients::add);
        List<Channel> backends = new ArrayList<>();
        proxy.server.pools().connections().forEach(backends::add);
        assertThat(clients).as("the HTTP client and the service port's").hasSize(2);
        assertThat(backends).as("the HTTP backend connection").isNotEmpty();
        for (Channel ch : concat(clients, backends)) {
            assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).as("TCP_NODELAY on %s", ch).isTrue();
        }
    }

    private static List<Channel> concat(List<Channel> a, List<Channel> b) {
        List<Channel> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
