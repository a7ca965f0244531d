package io.mesoslb.server.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O transport, chosen once at startup and passed to whatever opens channels so that the
 * frontend and backend channels always match their event loops.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannelClass,
                        Class<? extends SocketChannel> socketChannelClass) {
    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    public static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /** Epoll when its native library loads, NIO otherwise or when forced. */
    public static Transport select(boolean forceNio) {
        if (!forceNio && epollAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class);
        }
        return nio();
    }

    private static boolean epollAvailable() {
        try {
            if (Epoll.isAvailable()) {
                return true;
            }
            log.debug("epoll unavailable, using NIO: {}", String.valueOf(Epoll.unavailabilityCause()));
        } catch (Throwable t) {
            // The epoll classes or their native library may be missing entirely on this platform.
            log.debug("epoll unavailable, using NIO: {}", t.toString());
        }
        return false;
    }
}
