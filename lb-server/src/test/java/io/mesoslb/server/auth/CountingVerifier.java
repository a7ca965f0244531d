package io.mesoslb.server.auth;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts hashings and the threads they ran on; can hold them until released. */
final class CountingVerifier implements CryptVerifier {
    private final CryptVerifier delegate;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final CountDownLatch release;
    private final AtomicInteger blocked = new AtomicInteger();

    private CountingVerifier(CryptVerifier delegate, CountDownLatch release) {
        this.delegate = delegate;
        this.release = release;
    }

    static CountingVerifier of(CryptVerifier delegate) {
        return new CountingVerifier(delegate, new CountDownLatch(0));
    }

    /** Each verification waits (up to 10 s) for {@link #release()}. */
    static CountingVerifier held(CryptVerifier delegate) {
        return new CountingVerifier(delegate, new CountDownLatch(1));
    }

    @Override
    public Verification verify(byte[] password, String hash) {
        calls.incrementAndGet();
        threads.add(Thread.currentThread());
        blocked.incrementAndGet();
        try {
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            blocked.decrementAndGet();
        }
        return delegate.verify(password, hash);
    }

    @Override
    public boolean canVerify(String hash) {
        return delegate.canVerify(hash);
    }

    void release() {
        release.countDown();
    }

    int calls() {
        return calls.get();
    }

    /** Verifications now waiting for release. */
    int waiting() {
        return blocked.get();
    }

    List<Thread> threads() {
        return threads;
    }
}
