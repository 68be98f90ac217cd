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

    /**
     * A server socket over a server channel that already exists: what a plug-in's
     * {@code ServerSocketChannel.socket()} returns. It reports the channel's binding.
     */
    public ChannelServerSocket(ServerSocketChannel channel) throws IOException {
        this(channel.provider(), new ChannelServerSocketImpl(channel));
        this.wrapped = channel;
    }

    private ServerSocketChannel wrapped;

    @Override
    public boolean isBound() {
        if (wrapped != null) {
            try {
                return wrapped.getLocalAddress() != null;
            } catch (IOException e) {
                return super.isBound();
            }
        }
        return super.isBound();
    }

    @Override
    public int getLocalPort() {
        if (wrapped != null && wrapped.isOpen()) {
            try {
                if (wrapped.getLocalAddress() instanceof java.net.InetSocketAddress l) {
                    return l.getPort();
                }
            } catch (IOException ignored) {
                // closed meanwhile
            }
            return -1;
        }
        return super.getLocalPort();
    }

    @Override
    public boolean isClosed() {
        return wrapped != null ? !wrapped.isOpen() || super.isClosed() : super.isClosed();
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
