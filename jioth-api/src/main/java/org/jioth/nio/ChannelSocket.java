package org.jioth.nio;

import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/** A {@code java.net.Socket} whose connection is a channel of any stack's provider. */
public class ChannelSocket extends Socket {
    private final ChannelSocketImpl impl;

    /** An unconnected socket; its channel is opened from {@code provider} when needed. */
    public ChannelSocket(SelectorProvider provider) throws java.net.SocketException {
        this(new ChannelSocketImpl(provider));
    }

    private ChannelSocket(ChannelSocketImpl impl) throws java.net.SocketException {
        super(impl);
        this.impl = impl;
    }

    /** The channel behind the socket (null before it was created or accepted). */
    public SocketChannel channel() {
        return impl.channel();
    }
}
