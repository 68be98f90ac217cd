package org.jioth.nio;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * A {@code java.net.ServerSocket} listening on a channel of any stack's provider; {@link #accept()}
 * returns {@link ChannelSocket}s through {@link #implAccept}.
 */
public class ChannelServerSocket extends ServerSocket {
    private final SelectorProvider provider;
    private final ChannelServerSocketImpl impl;

    /** An unbound server socket on {@code provider}'s stack. */
    public ChannelServerSocket(SelectorProvider provider) throws IOException {
        this(provider, new ChannelServerSocketImpl(provider));
    }

    private ChannelServerSocket(SelectorProvider provider, ChannelServerSocketImpl impl) throws IOException {
        super(impl);
        this.provider = provider;
        this.impl = impl;
    }

    @Override
    public Socket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        ChannelSocket s = new ChannelSocket(provider);
        implAccept(s);
        return s;
    }

    /** The channel behind the server socket (null before it was created). */
    public ServerSocketChannel channel() {
        return impl.channel();
    }
}
