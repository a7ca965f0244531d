package io.mesoslb.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran.
 *
 * <p>Registered for every test class through the service loader, which runs this class's static
 * initialiser before any test touches a {@link ByteBuf}: the factory has to be installed before
 * {@code AbstractByteBuf} creates its detector, or no leak would reach the listener.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean byteBufDetectorInstalled;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ListeningFactory());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Touching a ByteBuf creates AbstractByteBuf's detector through our factory (or proves it was too late).
        ByteBufAllocator.DEFAULT.buffer(1).release();
        if (!byteBufDetectorInstalled) {
            throw new IllegalStateException("ByteBuf leak detector was created before LeakDetectionExtension loaded");
        }
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("tests must run with -Dio.netty.leakDetection.level=paranoid");
        }
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        collectGarbage();
        if (!LEAKS.isEmpty()) {
            List<String> found = List.copyOf(LEAKS);
            LEAKS.clear();
            throw new AssertionError(found.size() + " Netty buffer leak(s) in " + context.getDisplayName()
                    + ":\n" + String.join("\n\n", found));
        }
    }

    /**
     * Leaks are only reported when a collected, unreleased buffer's reference is dequeued, which
     * Netty does while tracking a new buffer. So: collect until a reference of our own is enqueued
     * (the collector has then processed that cycle), then allocate to let Netty poll its queue.
     */
    private static void collectGarbage() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
            for (int i = 0; i < 50 && queue.remove(100) == null; i++) {
                System.gc();
            }
            sentinel.clear();
            for (ByteBufAllocator alloc : List.of(PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT)) {
                for (int i = 0; i < 8; i++) {
                    alloc.heapBuffer(16).release();
                    alloc.directBuffer(16).release();
                }
            }
        }
    }

    private static final class ListeningFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            ResourceLeakDetector<T> detector = new ResourceLeakDetector<>(resource, samplingInterval, maxActive);
            detector.setLeakListener((type, records) -> LEAKS.add("LEAK of " + type + ":\n" + records));
            if (resource == ByteBuf.class) {
                byteBufDetectorInstalled = true;
            }
            return detector;
        }
    }
}
