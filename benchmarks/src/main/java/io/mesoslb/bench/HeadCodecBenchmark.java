package io.mesoslb.bench;

import io.mesoslb.server.proxy.ProxySettings;
import io.mesoslb.server.proxy.client.ClientChannelInitializer;
import io.mesoslb.server.proxy.http.ForwardedHeaders;
import io.mesoslb.server.proxy.http.HeaderScan;
import io.mesoslb.server.proxy.http.HopByHopHeaders;
import io.mesoslb.server.proxy.origin.OriginRequestEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A request head's way through the proxy, without sockets: decoded off the client's bytes, edited
 * as {@code OriginRequestWriter} edits it (hop-by-hop fields out, {@code X-Forwarded-*} and
 * {@code Via} in), and encoded for the backend. {@code netty} is the codec the proxy used before
 * issue 18 ({@code HttpServerCodec}, {@code HttpRequestEncoder}); {@code relayed} is
 * {@code ClientRequestDecoder} and {@code OriginRequestEncoder}. Run with {@code -prof gc} for the
 * bytes allocated per request.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class HeadCodecBenchmark {
    /** What wrk sends in benchmarks/load. */
    private static final String WRK = "GET /hello.txt HTTP/1.1\r\nHost: www.bench.local\r\n\r\n";
    /** What a browser sends for a page. */
    private static final String BROWSER = "GET /app/index.html?q=1 HTTP/1.1\r\n"
            + "Host: www.bench.local\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Connection: keep-alive\r\n"
            + "Cookie: session=4f2a9c1e7b3d; theme=dark\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "Sec-Fetch-Dest: document\r\n\r\n";
    private static final ProxySettings SETTINGS = new ProxySettings(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ofSeconds(10), 4, 8192, 16384, null, 1, 8192, 16384,
            Duration.ZERO, Duration.ZERO, 0);

    @Param({"netty", "relayed"})
    String codec;

    @Param({"wrk", "browser"})
    String request;

    private EmbeddedChannel client;
    private EmbeddedChannel backend;
    private ForwardedHeaders forwarded;
    private ByteBuf bytes;
    private final FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
            Unpooled.EMPTY_BUFFER);

    @Setup(Level.Trial)
    public void setUp() {
        boolean netty = "netty".equals(codec);
        client = new EmbeddedChannel(netty
                ? new ChannelHandler[] {new HttpServerCodec(ClientChannelInitializer.decoderConfig(SETTINGS))}
                : ClientChannelInitializer.http1Codec(SETTINGS));
        backend = new EmbeddedChannel(netty ? new HttpRequestEncoder() : new OriginRequestEncoder());
        client.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        backend.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        forwarded = new ForwardedHeaders(client, false);
        byte[] head = ("wrk".equals(request) ? WRK : BROWSER).getBytes(StandardCharsets.US_ASCII);
        bytes = PooledByteBufAllocator.DEFAULT.directBuffer(head.length).writeBytes(head);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bytes.release();
        client.finishAndReleaseAll();
        backend.finishAndReleaseAll();
    }

    @Benchmark
    public int relayOneHead() {
        client.writeInbound(bytes.retainedDuplicate());
        HttpRequest req = client.readInbound();
        Object end = client.readInbound();
        int scanned = HeaderScan.scan(req.headers());
        HopByHopHeaders.strip(req.headers(), scanned, false);
        forwarded.applyToRequest(req.headers(), scanned, req.protocolVersion(), req.headers().get(HttpHeaderNames.HOST),
                "127.0.0.1", false);
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        backend.writeOutbound(req, end);
        int written = 0;
        Object out;
        while ((out = backend.readOutbound()) != null) {
            written += ((ByteBuf) out).readableBytes();
            ReferenceCountUtil.release(out);
        }
        // A response goes out for each request (the same, body-less one), so the codec's queue of
        // request methods stays empty; the same cost for both codecs.
        client.writeOutbound(answer);
        while ((out = client.readOutbound()) != null) {
            ReferenceCountUtil.release(out);
        }
        return written;
    }
}
