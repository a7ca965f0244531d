package io.mesoslb.server.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/** Where every proxy channel, client side and backend side, takes its buffers from. */
public final class Buffers {
    /**
     * Netty's default adaptive allocator serves 64 KiB reads from unpooled, zeroed direct buffers
     * that a Cleaner frees; the pooled arenas reuse them.
     */
    public static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private Buffers() {
    }
}
