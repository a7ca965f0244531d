package io.mesoslb.server.proxy.exchange;

/**
 * {@link System#nanoTime()} read once per read batch of a client connection and shared by the clocks
 * started in it: the request-head timer at the head's first bytes, the exchange's start, the
 * backend's response timeout at the request's end, the idle timer at the batch's end. They are
 * microseconds apart, while reading the clock costs 50-300 ns on a virtual machine
 * (kvm-clock), several times per request.
 *
 * <p>The batch starts at the first read the connection's handlers see ({@link #batchStarted}) and
 * ends at its read-complete ({@link #batchEnded}), which Netty fires after every batch of reads
 * before the loop does anything else. Outside a batch (a held request taken later, a connect that
 * completed, a backend's read) every {@link #now} reads the clock afresh, so a time is never older
 * than the batch it was read in.
 *
 * <p>One per client connection (or HTTP/2 stream), on its event loop.
 */
public final class ReadBatchClock {
    private boolean inBatch;
    private boolean read;
    private long nanos;

    /** A read of the connection arrived: until {@link #batchEnded}, {@link #now} reads the clock at most once. */
    public void batchStarted() {
        inBatch = true;
    }

    /** The connection's read batch is over. */
    public void batchEnded() {
        inBatch = false;
        read = false;
    }

    /** {@link System#nanoTime()}, or the value it had earlier in the same read batch. */
    public long now() {
        if (!inBatch) {
            return System.nanoTime();
        }
        if (!read) {
            nanos = System.nanoTime();
            read = true;
        }
        return nanos;
    }
}
