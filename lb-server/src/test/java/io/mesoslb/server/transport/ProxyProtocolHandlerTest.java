package io.mesoslb.server.transport;

import io.mesoslb.core.CidrList;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProxyProtocolHandlerTest {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final String PAYLOAD = "GET / HTTP/1.1\r\n";

    /** What the handler after the PROXY handler saw on one connection. */
    record Seen(InetSocketAddress source, String payload, List<String> pipeline) {
    }

    /** The next connection: which handler reads its header, and where to report what came after. */
    record Expect(ProxyProtocolHandler handler, CompletableFuture<Seen> seen) {
    }

    /** The tests connect from loopback. */
    private static final ProxyProtocolHandler TRUSTING = new ProxyProtocolHandler(CidrList.parse("127.0.0.0/8"));
    private static final ProxyProtocolHandler UNTRUSTING = new ProxyProtocolHandler(CidrList.parse("10.0.0.0/8, ::1"));

    private static EventLoopGroup group;
    private static Channel server;
    private static final LinkedBlockingQueue<Expect> pending = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Expect next = pending.poll();
                        ch.pipeline().addLast("proxy", next.handler());
                        ch.pipeline().addLast("capture", new Capture(next.seen()));
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }

    /** Collects the bytes that reach the application until the whole payload has arrived. */
    static final class Capture extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Seen> result;
        private final StringBuilder received = new StringBuilder();

        Capture(CompletableFuture<Seen> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                received.append(buf.toString(StandardCharsets.US_ASCII));
            } finally {
                buf.release();
            }
            if (received.length() >= PAYLOAD.length()) {
                result.complete(new Seen(ctx.channel().attr(ClientAddress.ATTR).get(), received.toString(),
                        ctx.pipeline().names()));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IOException("closed before the payload arrived"));
        }
    }

    private static Seen send(byte[]... parts) throws Exception {
        return send(TRUSTING, parts);
    }

    private static Seen send(ProxyProtocolHandler handler, byte[]... parts) throws Exception {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        pending.add(new Expect(handler, seen));
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            OutputStream out = s.getOutputStream();
            for (byte[] part : parts) {
                out.write(part);
                out.flush();
            }
            return seen.get(10, TimeUnit.SECONDS);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A v2 header: signature, version 2 + command, family/transport, then addresses, ports and TLVs. */
    private static byte[] v2(int command, int familyAndTransport, byte[] src, byte[] dst, int srcPort, int dstPort,
                             byte[] tlvs) {
        int addrLen = src.length + dst.length + 4 + tlvs.length;
        ByteBuffer b = ByteBuffer.allocate(16 + addrLen);
        b.put(V2_SIGNATURE).put((byte) (0x20 | command)).put((byte) familyAndTransport).putShort((short) addrLen);
        b.put(src).put(dst).putShort((short) srcPort).putShort((short) dstPort).put(tlvs);
        return b.array();
    }

    private static byte[] ip(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    private static void assertHandlersGone(Seen seen) {
        assertThat(seen.pipeline()).doesNotContain("proxy")
                .noneMatch(n -> n.contains(HAProxyMessageDecoder.class.getSimpleName()));
        assertThat(seen.payload()).isEqualTo(PAYLOAD);
    }

    @Test
    void v1Tcp4HeaderGivesTheSourceAndPassesTheRestOn() throws Exception {
        Seen seen = send(ascii("PROXY TCP4 203.0.113.7 10.0.0.1 56324 443\r\n" + PAYLOAD));

        assertThat(seen.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 56324));
        assertHandlersGone(seen);
    }

    @Test
    void v1Tcp6Header() throws Exception {
        Seen seen = send(ascii("PROXY TCP6 2001:db8::7 2001:db8::1 40000 80\r\n"), ascii(PAYLOAD));

        assertThat(seen.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40000));
        assertHandlersGone(seen);
    }

    @Test
    void v1UnknownKeepsThePeer() throws Exception {
        Seen seen = send(ascii("PROXY UNKNOWN\r\n" + PAYLOAD));

        assertThat(seen.source()).isNull();
        assertHandlersGone(seen);
    }

    @Test
    void v2Tcp4HeaderWithTlvs() throws Exception {
        byte[] authority = ascii("api.example.com");
        byte[] tlv = concat(new byte[] {0x02, 0, (byte) authority.length}, authority);
        byte[] header = v2(0x1, 0x11, ip("198.51.100.23"), ip("10.1.2.3"), 61000, 443, tlv);

        Seen seen = send(concat(header, ascii(PAYLOAD)));

        assertThat(seen.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("198.51.100.23"), 61000));
        assertHandlersGone(seen);
    }

    @Test
    void v2Tcp6HeaderSplitAcrossWrites() throws Exception {
        byte[] header = v2(0x1, 0x21, ip("2001:db8:0:1::42"), ip("2001:db8::1"), 1234, 80, new byte[0]);

        Seen seen = send(java.util.Arrays.copyOf(header, 10), java.util.Arrays.copyOfRange(header, 10, header.length),
                ascii(PAYLOAD));

        assertThat(seen.source()).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8:0:1::42"), 1234));
        assertHandlersGone(seen);
    }

    @Test
    void v2LocalCommandCarriesNoClient() throws Exception {
        byte[] header = v2(0x0, 0x00, new byte[0], new byte[0], 0, 0, new byte[0]);
        // LOCAL with AF_UNSPEC has no address block; drop the 4 port bytes the helper adds.
        header = concat(java.util.Arrays.copyOf(header, 14), new byte[] {0, 0});

        Seen seen = send(concat(header, ascii(PAYLOAD)));

        assertThat(seen.source()).isNull();
        assertHandlersGone(seen);
    }

    @Test
    void headersFromAPeerOutsideTheTrustedListAreConsumedButNotBelieved() throws Exception {
        long before = UNTRUSTING.untrustedHeaders();

        Seen v1 = send(UNTRUSTING, ascii("PROXY TCP4 10.1.2.3 10.0.0.1 56324 443\r\n" + PAYLOAD));
        byte[] header = v2(0x1, 0x11, ip("10.1.2.3"), ip("10.0.0.1"), 61000, 443, new byte[0]);
        Seen v2 = send(UNTRUSTING, concat(header, ascii(PAYLOAD)));

        assertThat(v1.source()).isNull();
        assertHandlersGone(v1);
        assertThat(v2.source()).isNull();
        assertHandlersGone(v2);
        assertThat(UNTRUSTING.untrustedHeaders() - before).isEqualTo(2);
    }

    @Test
    void connectionWithoutHeaderIsClosed() throws Exception {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        pending.add(new Expect(TRUSTING, seen));
        try (Socket s = new Socket()) {
            s.connect(server.localAddress(), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(ascii(PAYLOAD + "Host: a\r\n\r\n"));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
        }
        // The server side notices the close on its own loop, possibly after the client read EOF.
        assertThat(seen).failsWithin(java.time.Duration.ofSeconds(5));
    }
}
