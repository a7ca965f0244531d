package io.mesoslb.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesoslb.core.App;
import io.mesoslb.core.RouteSpec;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.ServicePort;
import io.mesoslb.core.VhostNaming;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.FullAcceptQueue;
import io.mesoslb.server.testing.OutcomeRecorder;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A TCP service port's connector, with the backend connections it makes in the test's hands. */
class TcpServiceConnectorTest {
    private static final int SERVICE_PORT = 10_101;
    private static final int WAIT_SECONDS = 20;

    @RegisterExtension
    final Closer closer = new Closer();
    private final OutcomeRecorder outcomes = new OutcomeRecorder();
    /** Every backend connection the connector made, as its connect starts. */
    private final BlockingQueue<Channel> origins = new LinkedBlockingQueue<>();

    @Test
    void aConnectClosedUnderTheConnectorIsMadeAgainAndCountsAgainstNoOne() throws Exception {
        FullAcceptQueue backend = closer.use(new FullAcceptQueue());
        RouteTableHolder routes = new RouteTableHolder(new VhostNaming("test.local"));
        routes.update(List.of(new App("/tcp", RouteSpec.DEFAULT.withServicePort(ServicePort.of(SERVICE_PORT,
                ServicePort.Mode.TCP)).withoutHostRoute(), List.of(backend.backend("t1", "/tcp")))));
        int listening = listen(routes);

        try (Socket client = new Socket("127.0.0.1", listening)) {
            client.setSoTimeout(WAIT_SECONDS * 1000);
            Channel first = origins.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(first).as("a backend connect begun").isNotNull();
            // What the epoll transport does to a socket whose connect is not done when an event meant for a socket
            // closed just before under the same descriptor number reaches it with the peer's close.
            first.close();
            Channel second = origins.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(second).as("the connect made again").isNotNull().isNotSameAs(first);

            backend.accept();
            backend.accept();
            Socket origin = backend.accept();
            origin.setSoTimeout(WAIT_SECONDS * 1000);
            client.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(origin.getInputStream().readNBytes(2), StandardCharsets.US_ASCII)).isEqualTo("hi");
        }
        assertThat(outcomes.failures()).isZero();
    }

    /** A listener whose connections go through a connector as a TCP service port's do; its port. */
    private int listen(RouteTableHolder routes) throws InterruptedException {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        closer.use((AutoCloseable) () -> loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly());
        Bootstrap toBackends = new Bootstrap().channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, WAIT_SECONDS * 1000)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        origins.add(ch);
                    }
                });
        Channel server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new TcpServiceConnector(SERVICE_PORT, routes, toBackends, outcomes, 0,
                                TimeUnit.SECONDS.toNanos(60), new TcpSession(SERVICE_PORT, null, null, outcomes)));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }
}
