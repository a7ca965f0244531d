package io.mesoslb.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.mesoslb.core.Backend;
import io.mesoslb.server.testing.Closer;
import io.mesoslb.server.testing.ProxyFixture;
import io.mesoslb.testkit.Await;
import io.mesoslb.testkit.LoopbackPort;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * grpc-java's own client and server (Maven Central, Netty shaded inside) through the balancer: the client
 * speaks h2c with prior knowledge to the balancer's plain port ({@code h2c-prior-knowledge}), the balancer
 * routes each call by {@code :authority} to an app labelled {@code MESOS_LB_PROTO=h2c} and opens a stream on
 * its HTTP/2 connection to the grpc-java server. Every kind of call, and each proof that nothing is buffered
 * whole: the other side reacts to the first message before the sender has sent the last.
 */
class GrpcThroughBalancerTest {
    private static final String HOST = "echo." + ProxyFixture.DOMAIN;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SERVICE = "mesoslb.test.Echo";

    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<String, String> UNARY = method(MethodDescriptor.MethodType.UNARY, "Unary");
    private static final MethodDescriptor<String, String> SLOW = method(MethodDescriptor.MethodType.UNARY, "Slow");
    private static final MethodDescriptor<String, String> SERVER_STREAM =
            method(MethodDescriptor.MethodType.SERVER_STREAMING, "Count");
    private static final MethodDescriptor<String, String> CLIENT_STREAM =
            method(MethodDescriptor.MethodType.CLIENT_STREAMING, "Join");
    private static final MethodDescriptor<String, String> BIDI = method(MethodDescriptor.MethodType.BIDI_STREAMING,
            "Chat");

    @RegisterExtension
    final Closer closer = new Closer();

    /** Released by the client once it has the first streamed message: the server's stream waits for it. */
    private final CountDownLatch clientHasFirst = new CountDownLatch(1);
    /** Released by the server once a client stream's first message has arrived, before the client sends more. */
    private final CountDownLatch serverHasFirst = new CountDownLatch(1);
    private final CountDownLatch slowCancelled = new CountDownLatch(1);
    private final CountDownLatch streamCancelled = new CountDownLatch(1);
    private final AtomicInteger sentBeforeCancel = new AtomicInteger();

    private Server server;
    private ManagedChannel channel;
    private ProxyFixture proxy;

    private static MethodDescriptor<String, String> method(MethodDescriptor.MethodType type, String name) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
    }

    private ServerServiceDefinition echo() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext("echo:" + req);
                    out.onCompleted();
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((req, out) ->
                        // Never answers; the client's deadline must end the call here too.
                        Context.current().addListener(c -> slowCancelled.countDown(), Runnable::run)))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    ServerCallStreamObserver<String> stream = (ServerCallStreamObserver<String>) out;
                    stream.setOnCancelHandler(streamCancelled::countDown);
                    int n = Integer.parseInt(req);
                    stream.onNext("0");
                    // The rest only once the client has the first: a proxy that buffered the stream would hang here.
                    new Thread(() -> {
                        try {
                            if (!clientHasFirst.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                                stream.onError(Status.ABORTED.withDescription("first message never arrived")
                                        .asRuntimeException());
                                return;
                            }
                            for (int i = 1; i < n && !stream.isCancelled(); i++) {
                                stream.onNext(Integer.toString(i));
                                sentBeforeCancel.set(i);
                            }
                            if (!stream.isCancelled()) {
                                stream.onCompleted();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (RuntimeException e) {
                            // cancelled while sending
                        }
                    }, "count-stream").start();
                }))
                .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall((StreamObserver<String> out) -> new StreamObserver<String>() {
                    private final List<String> parts = new ArrayList<>();

                    @Override
                    public void onNext(String value) {
                        parts.add(value);
                        serverHasFirst.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onNext(String.join("+", parts));
                        out.onCompleted();
                    }
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall((StreamObserver<String> out) -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        out.onNext("re:" + value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
    }

    @BeforeEach
    void start() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(echo()).build().start();
        proxy = closer.use(new ProxyFixture(c -> c.h2cPriorKnowledge(true)));
        proxy.app("/echo", Map.of("MESOS_LB_PROTO", "h2c"),
                new Backend("127.0.0.1", server.getPort(), "echo.1", "/echo"));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.port()).usePlaintext().overrideAuthority(HOST)
                .build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void unaryCallsGoThroughAndComeBack() {
        for (int i = 0; i < 20; i++) {
            assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, options(), "hello " + i)).isEqualTo("echo:hello " + i);
        }
    }

    @Test
    void aServerStreamIsRelayedAsItIsSentNotWhenItEnds() {
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel, SERVER_STREAM, options(), "200");
        assertThat(it.next()).isEqualTo("0");
        clientHasFirst.countDown();
        List<String> rest = new ArrayList<>();
        it.forEachRemaining(rest::add);
        assertThat(rest).hasSize(199).startsWith("1", "2").endsWith("199");
    }

    @Test
    void aClientStreamReachesTheServerBeforeItEnds() throws Exception {
        BlockingQueue<Object> result = new LinkedBlockingQueue<>();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
                channel.newCall(CLIENT_STREAM, options()), collector(result));
        requests.onNext("a");
        assertThat(serverHasFirst.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("the server got the first message while the client had not finished").isTrue();
        requests.onNext("b");
        requests.onNext("c");
        requests.onCompleted();
        assertThat(result.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("a+b+c");
    }

    @Test
    void bidiStreamsTakeTurns() throws Exception {
        BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(BIDI, options()),
                collector(replies));
        for (int i = 0; i < 50; i++) {
            requests.onNext("m" + i);
            // The next message only after this one's answer: a relay that held either direction would stall.
            assertThat(replies.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("re:m" + i);
        }
        requests.onCompleted();
        assertThat(replies.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(DONE);
    }

    @Test
    void aDeadlineEndsTheCallAtTheClientAndTheServerHearsOfIt() throws Exception {
        CallOptions shortDeadline = CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, SLOW, shortDeadline, "wait"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(slowCancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("the server's call was cancelled (the balancer passed the reset or the grpc-timeout on)").isTrue();
        // The connection still serves.
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, options(), "after")).isEqualTo("echo:after");
    }

    @Test
    void aCancelledStreamIsCancelledAtTheServer() throws Exception {
        ClientCall<String, String> call = channel.newCall(SERVER_STREAM, options());
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(call, "1000000");
        assertThat(it.next()).isEqualTo("0");
        clientHasFirst.countDown();
        call.cancel("client gave up", null);
        assertThat(streamCancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(sentBeforeCancel.get()).isLessThan(999_999);
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, options(), "after")).isEqualTo("echo:after");
    }

    @Test
    void noBackendIsUnavailableTheWayGrpcClientsRetry() throws Exception {
        int dead = closer.use(LoopbackPort.refusing()).port();
        proxy.app("/echo", Map.of("MESOS_LB_PROTO", "h2c"),
                new Backend("127.0.0.1", dead, "echo.2", "/echo"));
        Await.until(WAIT, () -> proxy.routes.current().routeForApp("/echo").backends().get(0).backend().port() == dead,
                "the dead backend routed");
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, UNARY, options(), "x"))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    private static final Object DONE = new Object();

    private static StreamObserver<String> collector(BlockingQueue<Object> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                into.add(value);
            }

            @Override
            public void onError(Throwable t) {
                into.add(t);
            }

            @Override
            public void onCompleted() {
                into.add(DONE);
            }
        };
    }
}
