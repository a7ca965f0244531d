package io.mesoslb.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** A request body written on another thread, so that a test can watch it being held back. */
public final class BackgroundUpload {
    private BackgroundUpload() {
    }

    /**
     * Writes {@code size} zero bytes (a multiple of 64 KiB) to {@code out}, counting them in {@code written} as
     * they go; the future completes once all are written and flushed.
     */
    public static CompletableFuture<Void> start(OutputStream out, long size, AtomicLong written) {
        return CompletableFuture.runAsync(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                while (written.get() < size) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
