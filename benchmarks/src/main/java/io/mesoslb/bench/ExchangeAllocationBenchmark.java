package io.mesoslb.bench;

import io.mesoslb.server.config.ServerConfig;
import io.mesoslb.server.health.PassiveHealth;
import io.mesoslb.server.observe.MeteredOutcomes;
import io.mesoslb.server.observe.ProxyMetrics;
import io.mesoslb.server.proxy.BackendOutcomes;
import io.mesoslb.server.proxy.ProxyOps;
import io.mesoslb.server.proxy.client.ClientChannelInitializer;
import io.mesoslb.server.proxy.origin.BackendPools;
import io.mesoslb.server.transport.Buffers;
import io.mesoslb.server.transport.ClientAddressResolver;
import io.mesoslb.server.transport.Transport;

import io.mesoslb.core.App;
import io.mesoslb.core.Backend;
import io.mesoslb.core.CidrList;
import io.mesoslb.core.OutlierDetector;
import io.mesoslb.core.RouteTableHolder;
import io.mesoslb.core.VhostNaming;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole HTTP/1.1 keep-alive exchanges through the proxy's real client pipeline
 * ({@link ClientChannelInitializer}) and real backend pipeline (opened by {@link BackendPools} as in
 * production), all on one embedded event loop, so that {@code -prof gc}'s {@code gc.alloc.rate.norm}
 * is the bytes allocated per request by the proxy plus a fixed-cost driver. The client connection is
 * an embedded channel ({@link ExchangeDriver}); the backend connections are {@link InVmSocketChannel}s,
 * which the pools open through a {@link Transport} naming that class, answered by a
 * {@link CannedOrigin}. {@code driverOnly} runs the same driver and origin with a {@link PassThrough}
 * where the proxy stands: subtract it from {@code proxy} for the proxy's own bytes per request.
 *
 * <p>The proxy runs with the default settings ({@code ServerConfig.builder()}), a route of three
 * backends (round robin: three pooled connections), and with {@code observe=metrics} the production
 * meters and passive health ({@link ProxyMetrics} on a Prometheus registry, {@link MeteredOutcomes},
 * {@link PassiveHealth}); {@code observe=none} leaves them out. No access log either way. Each trial
 * first checks that the exchange is what it says (status, body, the request the origin got, its
 * {@code X-Forwarded-For}) and that connections are reused; every measured exchange must write the
 * same number of bytes to the client.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The proxy's code needs seconds of compilation on a busy 2-core machine before its allocation settles.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.mesoslb.bench.EventLoopThreads"})
public class ExchangeAllocationBenchmark {
    /** The backends' connections: made by the proxy's pools, in memory, on the pool's loop. */
    static final Transport IN_VM = new Transport("in-vm", null, null, InVmSocketChannel.class);
    private static final int BACKENDS = 3;
    /** Exchanges of a trial's check: enough for every backend's connection to be made and reused. */
    private static final int CHECK_EXCHANGES = 2 * BACKENDS;

    /** The proxy between the driver and the origins. */
    @State(Scope.Thread)
    public static class Proxied {
        @Param({"GET", "POST4K", "CHUNKED", "CHUNKED_POST"})
        CannedExchange exchange;

        @Param({"metrics", "none"})
        String observe;

        private final OriginStats stats = new OriginStats();
        private final List<InetSocketAddress> origins = new ArrayList<>();
        private ExchangeDriver driver;
        private BackendPools pools;
        private int expectedBytes;

        @Setup(Level.Trial)
        public void setUp() {
            likeProduction();
            ServerConfig config = ServerConfig.builder().domain(CannedExchange.DOMAIN).build();
            RouteTableHolder routes = new RouteTableHolder(new VhostNaming(CannedExchange.DOMAIN));
            List<Backend> backends = new ArrayList<>();
            ByteBuf response = template(exchange.response);
            for (int i = 0; i < BACKENDS; i++) {
                Backend b = new Backend("10.0.0." + (i + 1), 31_000, "shop.task-" + i, CannedExchange.APP_ID);
                backends.add(b);
                InetSocketAddress address = new InetSocketAddress(b.ip(), b.port());
                origins.add(address);
                InVmSocketChannel.listen(address, ch -> new CannedOrigin(ch, response, exchange.requestBodyLength, stats));
            }
            routes.update(List.of(new App(CannedExchange.APP_ID, backends)));
            driver = new ExchangeDriver(exchange);
            pools = new BackendPools(driver.loop(), IN_VM, config.proxy(), routes);
            ProxyOps ops = ProxyOps.NONE;
            BackendOutcomes outcomes = BackendOutcomes.NONE;
            if (observe.equals("metrics")) {
                ProxyMetrics metrics = new ProxyMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), routes,
                        () -> null);
                ops = new ProxyOps(metrics, null, null, null, new ClientAddressResolver(CidrList.EMPTY), CidrList.EMPTY,
                        null, null, null);
                outcomes = new PassiveHealth(routes, new OutlierDetector(config.outlier(), event -> { }),
                        new MeteredOutcomes(metrics, BackendOutcomes.NONE));
            } else if (!observe.equals("none")) {
                throw new IllegalArgumentException("observe is metrics or none, not " + observe);
            }
            driver.start(new ClientChannelInitializer(routes, pools, config.proxy(), outcomes,
                    new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), ops));
            expectedBytes = check(driver, stats, exchange, true);
            if (stats.connections != BACKENDS) {
                throw new IllegalStateException(stats.connections + " backend connections for " + CHECK_EXCHANGES
                        + " exchanges over " + BACKENDS + " backends: keep-alive is not reusing them");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pools.closeIdle();
            driver.runTasks();
            driver.close();
            for (InetSocketAddress a : origins) {
                InVmSocketChannel.unlisten(a);
            }
            if (stats.connections != BACKENDS) {
                throw new IllegalStateException("backend connections were not reused: " + stats.connections
                        + " made over the trial");
            }
        }
    }

    /** The driver and an origin with nothing between them but a {@link PassThrough}. */
    @State(Scope.Thread)
    public static class DriverOnly {
        @Param({"GET", "POST4K", "CHUNKED", "CHUNKED_POST"})
        CannedExchange exchange;

        private final OriginStats stats = new OriginStats();
        private final InetSocketAddress origin = new InetSocketAddress("10.0.0.1", 31_000);
        private ExchangeDriver driver;
        private int expectedBytes;

        @Setup(Level.Trial)
        public void setUp() {
            likeProduction();
            ByteBuf response = template(exchange.response);
            InVmSocketChannel.listen(origin, ch -> new CannedOrigin(ch, response, exchange.requestBodyLength, stats));
            driver = new ExchangeDriver(exchange);
            PassThrough toOrigin = new PassThrough();
            PassThrough toClient = new PassThrough();
            toClient.to(driver.client());
            ChannelFuture connect = new Bootstrap().group(driver.loop()).channel(InVmSocketChannel.class)
                    .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR).handler(toClient).disableResolver().connect(origin);
            driver.runTasks();
            Channel channel = connect.channel();
            if (!connect.isSuccess()) {
                throw new IllegalStateException("in-VM connect failed", connect.cause());
            }
            toOrigin.to(channel);
            driver.start(toOrigin);
            expectedBytes = check(driver, stats, exchange, false);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            driver.close();
            InVmSocketChannel.unlisten(origin);
        }
    }

    @Benchmark
    public int proxy(Proxied s) {
        return expect(s.driver.exchange(), s.expectedBytes);
    }

    @Benchmark
    public int driverOnly(DriverOnly s) {
        return expect(s.driver.exchange(), s.expectedBytes);
    }

    private static int expect(int received, int expected) {
        if (received != expected) {
            throw new IllegalStateException("client got " + received + " bytes, " + expected + " expected");
        }
        return received;
    }

    /**
     * As in production: on Netty's kind of thread (Netty caches buffers and pools objects on its own
     * threads only: elsewhere the proxy would look worse than it is), and with leak detection off unless
     * a level was asked for (mesos-lb's launcher turns it off; Netty's default tracks one buffer in 128,
     * with a stack trace).
     */
    private static void likeProduction() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("run on Netty's thread kind, as the proxy's event loops are:"
                    + " -Djmh.executor=CUSTOM -Djmh.executor.class=" + EventLoopThreads.class.getName()
                    + " in the forked JVM (the @Fork default; -f 0 does not fork)");
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    private static ByteBuf template(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes).asReadOnly());
    }

    /**
     * Runs the trial's first exchanges and checks what each side got: the client the origin's
     * response, the origin the client's request (through the proxy: with its X-Forwarded-For).
     *
     * @return the bytes the client gets per exchange
     */
    static int check(ExchangeDriver driver, OriginStats stats, CannedExchange exchange, boolean proxied) {
        driver.captured = new StringBuilder();
        stats.captured = new StringBuilder();
        int bytes = driver.exchange();
        String toClient = driver.captured.toString();
        String toOrigin = stats.captured.toString();
        driver.captured = null;
        stats.captured = null;
        String request = new String(exchange.request, StandardCharsets.ISO_8859_1);
        String response = new String(exchange.response, StandardCharsets.ISO_8859_1);
        String requestLine = request.substring(0, request.indexOf("\r\n"));
        String status = response.substring(0, response.indexOf("\r\n"));
        String requestBody = request.substring(request.indexOf("\r\n\r\n") + 4);
        String responseBody = response.substring(response.indexOf("\r\n\r\n") + 4);
        List<String> wrong = new ArrayList<>();
        if (stats.requests != 1) {
            wrong.add("the origin answered " + stats.requests + " requests, not 1");
        }
        if (!toOrigin.startsWith(requestLine + "\r\n") || !toOrigin.endsWith("\r\n\r\n" + requestBody)) {
            wrong.add("the origin got another request than the client sent");
        }
        String forwardedFor = "\r\nx-forwarded-for: " + ExchangeDriver.CLIENT.getAddress().getHostAddress() + "\r\n";
        if (proxied && !toOrigin.toLowerCase(Locale.ROOT).contains(forwardedFor)) {
            wrong.add("the origin got no X-Forwarded-For of the client");
        }
        if (!toClient.startsWith(status + "\r\n") || !toClient.endsWith(responseBody)) {
            wrong.add("the client got another response than the origin sent");
        }
        for (int i = 1; i < CHECK_EXCHANGES && wrong.isEmpty(); i++) {
            int again = driver.exchange();
            if (again != bytes) {
                wrong.add("exchange " + (i + 1) + " wrote " + again + " bytes to the client, the first " + bytes);
            }
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException(exchange + ": " + String.join("; ", wrong) + "\n--- origin got:\n" + toOrigin
                    + "\n--- client got:\n" + toClient);
        }
        return bytes;
    }
}
