package org.jioth.nio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * The listening side's {@link SocketImpl} over any plug-in's {@link ServerSocketChannel}.
 * {@code ServerSocket.bind} calls {@link #bind} then {@link #listen}; NIO binds and listens in one
 * step, so the address is kept until {@code listen} gives the backlog.
 */
public class ChannelServerSocketImpl extends SocketImpl {
    private final SelectorProvider provider;
    private ServerSocketChannel channel;
    private ChannelWaiter acceptWaiter;
    private InetSocketAddress pendingBind;
    private volatile int soTimeout;

    public ChannelServerSocketImpl(SelectorProvider provider) {
        this.provider = provider;
    }

    /** An impl over a server channel that already exists (bound or not). */
    public ChannelServerSocketImpl(ServerSocketChannel channel) {
        this.provider = channel.provider();
        this.channel = channel;
        this.acceptWaiter = new ChannelWaiter(channel, SelectionKey.OP_ACCEPT);
        try {
            if (channel.getLocalAddress() instanceof InetSocketAddress l) {
                address = l.getAddress();
                localport = l.getPort();
            }
        } catch (IOException ignored) {
            // closed: no address to report
        }
    }

    /** The channel behind this server socket, or null before it was created. */
    public ServerSocketChannel channel() {
        return channel;
    }

    private ServerSocketChannel ch() throws SocketException {
        ServerSocketChannel c = channel;
        if (c == null) {
            throw new SocketException("Socket is not created");
        }
        if (!c.isOpen()) {
            throw new SocketException("Socket is closed");
        }
        return c;
    }

    @Override
    protected synchronized void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("a ServerSocket is a stream socket");
        }
        if (channel == null) {
            channel = provider.openServerSocketChannel();
            acceptWaiter = new ChannelWaiter(channel, SelectionKey.OP_ACCEPT);
        }
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        ch();
        pendingBind = new InetSocketAddress(host, port);
    }

    @Override
    protected void listen(int backlog) throws IOException {
        ServerSocketChannel c = ch();
        c.bind(pendingBind, backlog);
        if (c.getLocalAddress() instanceof InetSocketAddress l) {
            address = l.getAddress();
            localport = l.getPort();
        }
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        if (!(s instanceof ChannelSocketImpl target)) {
            throw new SocketException("a stack ServerSocket accepts only into stack sockets, not "
                    + s.getClass().getName());
        }
        ServerSocketChannel c = ch();
        try {
            SocketChannel accepted;
            int timeout = soTimeout;
            if (timeout == 0 && c.isBlocking()) {
                accepted = c.accept();
            } else {
                c.configureBlocking(false);
                while ((accepted = c.accept()) == null) {
                    acceptWaiter.await(timeout, "Accept");
                }
                accepted.configureBlocking(true);
            }
            target.attach(accepted);
        } catch (ClosedChannelException e) {
            SocketException se = new SocketException("Socket is closed");
            se.initCause(e);
            throw se;
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        throw new SocketException("a ServerSocket does not connect");
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        throw new SocketException("a ServerSocket does not connect");
    }

    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        throw new SocketException("a ServerSocket does not connect");
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        throw new SocketException("a ServerSocket has no input stream");
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        throw new SocketException("a ServerSocket has no output stream");
    }

    @Override
    protected int available() {
        return 0;
    }

    @Override
    protected void close() throws IOException {
        ServerSocketChannel c = channel;
        if (c == null) {
            return;
        }
        acceptWaiter.wakeup();
        try {
            c.close();
        } finally {
            acceptWaiter.close();
        }
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("a ServerSocket sends no data");
    }

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        try {
            ServerSocketChannel c = ch();
            switch (optID) {
                case SO_TIMEOUT -> {
                    soTimeout = (Integer) value;
                    if (soTimeout > 0) {
                        c.configureBlocking(false);
                    }
                }
                case SO_RCVBUF -> c.setOption(StandardSocketOptions.SO_RCVBUF, (Integer) value);
                case SO_REUSEADDR -> c.setOption(StandardSocketOptions.SO_REUSEADDR, (Boolean) value);
                default -> throw new SocketException("server socket option " + optID + " is not supported");
            }
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            SocketException se = new SocketException("setting option " + optID + ": " + e.getMessage());
            se.initCause(e);
            throw se;
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        try {
            ServerSocketChannel c = ch();
            return switch (optID) {
                case SO_TIMEOUT -> soTimeout;
                case SO_RCVBUF -> c.getOption(StandardSocketOptions.SO_RCVBUF);
                case SO_REUSEADDR -> c.getOption(StandardSocketOptions.SO_REUSEADDR);
                case SO_BINDADDR -> c.getLocalAddress() instanceof InetSocketAddress l ? l.getAddress() : null;
                default -> throw new SocketException("server socket option " + optID + " is not supported");
            };
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            SocketException se = new SocketException("reading option " + optID + ": " + e.getMessage());
            se.initCause(e);
            throw se;
        }
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        ch().setOption(name, value);
    }

    @Override
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        return ch().getOption(name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        ServerSocketChannel c = channel;
        return c == null ? Set.of() : c.supportedOptions();
    }
}
