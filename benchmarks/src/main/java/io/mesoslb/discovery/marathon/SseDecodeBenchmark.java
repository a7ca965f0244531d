package io.mesoslb.discovery.marathon;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the discovery pays per Marathon event before touching its state: SSE framing of the body
 * chunks the HTTP client delivers ({@link SseParser}, fed as {@code MarathonDiscovery.read} feeds
 * it) and decoding each event's JSON into a {@link MarathonEvent} ({@link MarathonEvents#parse},
 * the first step of {@code MarathonDiscovery.onEvent}).
 *
 * <p>The input is the real wire capture, repeated into one long-lived stream of {@value #EVENTS}
 * events that is cut into chunks of {@code chunkBytes}; one parser reads it over and over, as on a
 * connection that stays open. One operation is one event, so the score is events per second and
 * {@code gc.alloc.rate.norm} is bytes per event.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(SseDecodeBenchmark.EVENTS)
@Fork(1)
@State(Scope.Thread)
public class SseDecodeBenchmark {
    /**
     * 12 copies of the capture's 19 events or 19 copies of its 12 routing events: the same count
     * for both streams, as {@link OperationsPerInvocation} needs a constant.
     */
    static final int EVENTS = 228;

    /** 64: a body split into small TCP segments; 1024: about one event per read; 16384: the HTTP client's buffer. */
    @Param({"64", "1024", "16384"})
    int chunkBytes;

    /**
     * {@code all}: the capture as it is, where 7 of the 19 events are of types discovery ignores by
     * name without reading their JSON; {@code routing}: only the types discovery subscribes to.
     */
    @Param({"all", "routing"})
    String stream;

    private ByteBuffer[] chunks;
    private SseParser framer;
    private SseParser decoder;
    private Blackhole blackhole;
    private int dispatched;

    @Setup(Level.Trial)
    public void setUp() throws MarathonEvents.MalformedEventException {
        byte[] capture = WireCapture.bytes();
        byte[] once = switch (stream) {
            case "all" -> capture;
            case "routing" -> WireCapture.routingOnly(capture);
            default -> throw new IllegalArgumentException("stream must be all or routing, not " + stream);
        };
        int perCopy = WireCapture.events(once).size();
        if (perCopy == 0 || EVENTS % perCopy != 0) {
            throw new IllegalStateException(perCopy + " events in the capture do not divide " + EVENTS);
        }
        byte[] body = repeat(once, EVENTS / perCopy);
        chunks = chunks(body, chunkBytes);

        List<SseEvent> whole = WireCapture.events(body);
        List<SseEvent> chunked = new ArrayList<>();
        SseParser check = new SseParser(chunked::add);
        for (ByteBuffer chunk : chunks) {
            check.feed(chunk.duplicate());
        }
        if (whole.size() != EVENTS || !chunked.equals(whole)) {
            throw new IllegalStateException("chunking changed the events: " + chunked.size() + " of " + whole.size());
        }
        for (SseEvent event : whole) {
            // Throws on a malformed body: the benchmark would measure the error path.
            MarathonEvents.parse(event);
        }
        framer = new SseParser(event -> {
            dispatched++;
            blackhole.consume(event);
        });
        decoder = new SseParser(this::decode);
    }

    private void decode(SseEvent event) {
        dispatched++;
        try {
            blackhole.consume(MarathonEvents.parse(event));
        } catch (MarathonEvents.MalformedEventException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SSE framing only: bytes to {@link SseEvent}s. */
    @Benchmark
    public int frame(Blackhole bh) {
        return feed(framer, bh);
    }

    /** Framing and JSON decoding: bytes to the {@link MarathonEvent}s the reducer applies. */
    @Benchmark
    public int frameAndDecode(Blackhole bh) {
        return feed(decoder, bh);
    }

    private int feed(SseParser parser, Blackhole bh) {
        blackhole = bh;
        dispatched = 0;
        for (ByteBuffer chunk : chunks) {
            chunk.rewind();
            parser.feed(chunk);
        }
        return dispatched;
    }

    private static byte[] repeat(byte[] bytes, int times) {
        byte[] out = new byte[bytes.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(bytes, 0, out, i * bytes.length, bytes.length);
        }
        return out;
    }

    private static ByteBuffer[] chunks(byte[] body, int size) {
        ByteBuffer[] chunks = new ByteBuffer[(body.length + size - 1) / size];
        for (int i = 0; i < chunks.length; i++) {
            int offset = i * size;
            chunks[i] = ByteBuffer.wrap(body, offset, Math.min(size, body.length - offset)).slice();
        }
        return chunks;
    }
}
