package io.mesoslb.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker threads made the kind of thread a Netty event loop runs on ({@code FastThreadLocalThread},
 * from Netty's {@link DefaultThreadFactory}), for benchmarks that run proxy code on the benchmark thread:
 * Netty 4.2 keeps its per-thread buffer caches and object pools for such threads only, so on a plain
 * thread every pooled buffer and recycled object would be allocated anew and counted as the proxy's.
 * Chosen with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=io.mesoslb.bench.EventLoopThreads}
 * in the forked JVM (JMH calls this constructor).
 */
public final class EventLoopThreads extends ThreadPoolExecutor {
    public EventLoopThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
