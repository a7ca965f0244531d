package io.mesoslb.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A {@link SocketChannel} whose far end is an object in the same JVM: what the channel writes goes
 * to a {@link Peer}, and what the peer {@linkplain #deliver sends} is read on the channel's own event
 * loop, one buffer per read, while reads are wanted (auto-read and backpressure as on a socket). The
 * proxy's backend pools open it like any socket channel (a {@code Transport} naming this class), so
 * the proxy's own backend pipeline runs, without a kernel, on whichever loop the pool is for, an
 * embedded one included: everything the proxy does for a whole exchange then happens on one thread.
 *
 * <p>A connect to an address nobody {@linkplain #listen listens} on fails as refused.
 */
public final class InVmSocketChannel extends AbstractChannel implements SocketChannel {
    /** The far end of one connection. */
    public interface Peer {
        /** Bytes the channel wrote; the channel releases them afterwards. */
        void received(ByteBuf bytes);

        /** The channel closed. */
        default void closed() {
        }
    }

    private static final ChannelMetadata METADATA = new ChannelMetadata(false);
    private static final Map<SocketAddress, Function<InVmSocketChannel, Peer>> LISTENERS = new ConcurrentHashMap<>();
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 40000);

    private final InVmSocketConfig config = new InVmSocketConfig(this);
    private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
    /** Delivers what the peer sent: one object made once, so that scheduling a read allocates nothing. */
    private final Runnable readNow = this::readInbound;
    private boolean open = true;
    private boolean active;
    private boolean readWanted;
    private boolean readScheduled;
    private boolean outputShutdown;
    private SocketAddress remote;
    private Peer peer;

    public InVmSocketChannel() {
        super(null);
    }

    /** Connections to {@code address} are answered by a peer {@code accept} makes for each. */
    public static void listen(SocketAddress address, Function<InVmSocketChannel, Peer> accept) {
        LISTENERS.put(address, accept);
    }

    public static void unlisten(SocketAddress address) {
        LISTENERS.remove(address);
    }

    /** Bytes from the peer, read on the channel's loop when the channel wants to read; the channel owns them. */
    public void deliver(ByteBuf bytes) {
        if (!open) {
            bytes.release();
            return;
        }
        inbound.add(bytes);
        scheduleRead();
    }

    private void scheduleRead() {
        if (readWanted && !readScheduled && !inbound.isEmpty()) {
            readScheduled = true;
            // As from a socket: the answer is read in a later turn of the loop, never inside the write.
            eventLoop().execute(readNow);
        }
    }

    private void readInbound() {
        readScheduled = false;
        if (!readWanted || !active) {
            return;
        }
        ByteBuf bytes = inbound.poll();
        if (bytes == null) {
            return;
        }
        readWanted = false;
        pipeline().fireChannelRead(bytes);
        pipeline().fireChannelReadComplete();
    }

    /** Auto-read was turned off: a read asked for earlier is no longer wanted. */
    void readCleared() {
        readWanted = false;
    }

    @Override
    protected void doBeginRead() {
        readWanted = true;
        scheduleRead();
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null) {
            if (!(msg instanceof ByteBuf bytes)) {
                throw new UnsupportedOperationException("in-VM channel writes ByteBufs only, not " + msg.getClass());
            }
            if (outputShutdown || peer == null) {
                in.remove(new ConnectException("in-VM connection is not open for writing"));
                continue;
            }
            peer.received(bytes);
            in.remove();
        }
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
                if (!promise.setUncancellable() || !ensureOpen(promise)) {
                    return;
                }
                Function<InVmSocketChannel, Peer> accept = LISTENERS.get(remoteAddress);
                if (accept == null) {
                    promise.tryFailure(new ConnectException("connection refused: " + remoteAddress));
                    close(voidPromise());
                    return;
                }
                remote = remoteAddress;
                peer = accept.apply(InVmSocketChannel.this);
                active = true;
                promise.trySuccess();
                pipeline().fireChannelActive();
            }
        };
    }

    @Override
    protected void doClose() {
        boolean wasOpen = open;
        open = false;
        active = false;
        ByteBuf b;
        while ((b = inbound.poll()) != null) {
            b.release();
        }
        if (wasOpen && peer != null) {
            peer.closed();
        }
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return LOCAL;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public ServerSocketChannel parent() {
        return null;
    }

    @Override
    public SocketChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isInputShutdown() {
        return !active;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown || !active;
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("in-VM channel: no half-close of input"));
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        return promise;
    }

    @Override
    protected void doShutdownOutput() {
        outputShutdown = true;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        return close(promise);
    }
}
