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

    /**
     * A socket over a channel that already exists: what a plug-in's {@code SocketChannel.socket()}
     * returns. A connected channel gives a connected socket.
     */
    public ChannelSocket(SocketChannel channel) throws java.net.SocketException {
        this(new ChannelSocketImpl(channel));
        this.wrapped = channel;
    }

    /*
     * java.net.Socket keeps its connected/bound/closed state privately and only sets it through its
     * own connect/bind/close, so a socket over an existing channel answers those from the channel.
     */
    private SocketChannel wrapped;

    @Override
    public boolean isConnected() {
        return wrapped != null ? wrapped.isConnected() || super.isConnected() : super.isConnected();
    }

    @Override
    public boolean isBound() {
        if (wrapped != null) {
            return local() != null || super.isBound();
        }
        return super.isBound();
    }

    @Override
    public boolean isClosed() {
        return wrapped != null ? !wrapped.isOpen() || super.isClosed() : super.isClosed();
    }

    @Override
    public java.io.InputStream getInputStream() throws java.io.IOException {
        if (wrapped == null) {
            return super.getInputStream();
        }
        check();
        return impl.getInputStream();
    }

    @Override
    public java.io.OutputStream getOutputStream() throws java.io.IOException {
        if (wrapped == null) {
            return super.getOutputStream();
        }
        check();
        return impl.getOutputStream();
    }

    @Override
    public java.net.InetAddress getInetAddress() {
        java.net.InetSocketAddress r = remote();
        return wrapped != null ? (r == null ? null : r.getAddress()) : super.getInetAddress();
    }

    @Override
    public int getPort() {
        java.net.InetSocketAddress r = remote();
        return wrapped != null ? (r == null ? 0 : r.getPort()) : super.getPort();
    }

    @Override
    public java.net.SocketAddress getRemoteSocketAddress() {
        return wrapped != null ? remote() : super.getRemoteSocketAddress();
    }

    @Override
    public int getLocalPort() {
        java.net.InetSocketAddress l = local();
        return wrapped != null ? (l == null ? -1 : l.getPort()) : super.getLocalPort();
    }

    @Override
    public java.net.InetAddress getLocalAddress() {
        java.net.InetSocketAddress l = local();
        return wrapped != null && l != null ? l.getAddress() : super.getLocalAddress();
    }

    @Override
    public java.net.SocketAddress getLocalSocketAddress() {
        return wrapped != null ? local() : super.getLocalSocketAddress();
    }

    @Override
    public void shutdownInput() throws java.io.IOException {
        if (wrapped == null) {
            super.shutdownInput();
            return;
        }
        check();
        wrapped.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws java.io.IOException {
        if (wrapped == null) {
            super.shutdownOutput();
            return;
        }
        check();
        wrapped.shutdownOutput();
    }

    @Override
    public void close() throws java.io.IOException {
        if (wrapped != null) {
            wrapped.close();
        }
        super.close();
    }

    private void check() throws java.net.SocketException {
        if (isClosed()) {
            throw new java.net.SocketException("Socket is closed");
        }
        if (!isConnected()) {
            throw new java.net.SocketException("Socket is not connected");
        }
    }

    private java.net.InetSocketAddress remote() {
        try {
            return wrapped != null && wrapped.getRemoteAddress() instanceof java.net.InetSocketAddress r ? r : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private java.net.InetSocketAddress local() {
        try {
            return wrapped != null && wrapped.getLocalAddress() instanceof java.net.InetSocketAddress l ? l : null;
        } catch (java.io.IOException e) {
            return null;
        }
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
