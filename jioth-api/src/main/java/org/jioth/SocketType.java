package org.jioth;

import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The kind of socket {@link Ioth#msocket} opens, typed by the channel class it returns. NIO splits
 * socket(2)'s SOCK_STREAM into a connecting and a listening channel, so there are three.
 */
public final class SocketType<C extends NetworkChannel> {
    /** SOCK_STREAM that connects: a {@link SocketChannel}. */
    public static final SocketType<SocketChannel> STREAM = new SocketType<>("STREAM", SocketChannel.class);
    /** SOCK_STREAM that listens: a {@link ServerSocketChannel}. */
    public static final SocketType<ServerSocketChannel> STREAM_LISTENER =
            new SocketType<>("STREAM_LISTENER", ServerSocketChannel.class);
    /** SOCK_DGRAM: a {@link DatagramChannel}. */
    public static final SocketType<DatagramChannel> DATAGRAM = new SocketType<>("DATAGRAM", DatagramChannel.class);

    private final String name;
    private final Class<C> channelClass;

    private SocketType(String name, Class<C> channelClass) {
        this.name = name;
        this.channelClass = channelClass;
    }

    public Class<C> channelClass() {
        return channelClass;
    }

    @Override
    public String toString() {
        return name;
    }
}
