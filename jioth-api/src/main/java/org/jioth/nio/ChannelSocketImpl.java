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
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * A {@link SocketImpl} over any plug-in's {@link SocketChannel}: what lets a stack hand out working
 * {@code java.net.Socket}s. Blocking reads and writes go straight to the channel; once a timeout is
 * used the channel turns non-blocking and waits happen on selectors of the channel's own provider.
 */
public class ChannelSocketImpl extends SocketImpl {
    private final SelectorProvider provider;
    private volatile SocketChannel channel;
    private ChannelWaiter readWaiter;
    private ChannelWaiter writeWaiter;
    private ChannelWaiter connectWaiter;
    private volatile int soTimeout;
    private InputStream in;
    private OutputStream out;

    /** An impl that opens its channel from {@code provider} when the socket is created or accepted into. */
    public ChannelSocketImpl(SelectorProvider provider) {
        this.provider = provider;
    }

    /** An impl over a channel that already exists (connected or not). */
    public ChannelSocketImpl(SocketChannel channel) {
        this.provider = channel.provider();
        attach(channel);
    }

    /** The channel behind this socket, or null before it was created. */
    public SocketChannel channel() {
        return channel;
    }

    final synchronized void attach(SocketChannel ch) {
        this.channel = ch;
        this.readWaiter = null; // made on first use: most sockets (a server's accepted ones) never time a wait
        this.writeWaiter = null;
        this.connectWaiter = null;
        refreshAddresses();
    }

    private synchronized ChannelWaiter readWaiter() {
        if (readWaiter == null) {
            readWaiter = new ChannelWaiter(channel, SelectionKey.OP_READ);
        }
        return readWaiter;
    }

    private synchronized ChannelWaiter writeWaiter() {
        if (writeWaiter == null) {
            writeWaiter = new ChannelWaiter(channel, SelectionKey.OP_WRITE);
        }
        return writeWaiter;
    }

    private synchronized ChannelWaiter connectWaiter() {
        if (connectWaiter == null) {
            connectWaiter = new ChannelWaiter(channel, SelectionKey.OP_CONNECT);
        }
        return connectWaiter;
    }

    /** The waiters made so far (close wakes and closes those; one made later finds the channel closed). */
    private synchronized ChannelWaiter[] waiters() {
        return new ChannelWaiter[] {readWaiter, writeWaiter, connectWaiter};
    }

    private void refreshAddresses() {
        try {
            if (channel.getRemoteAddress() instanceof InetSocketAddress r) {
                address = r.getAddress();
                port = r.getPort();
            }
            if (channel.getLocalAddress() instanceof InetSocketAddress l) {
                localport = l.getPort();
            }
        } catch (IOException ignored) {
            // A closed channel has no addresses to report; the fields keep their last values.
        }
    }

    private SocketChannel ch() throws SocketException {
        SocketChannel c = channel;
        if (c == null) {
            throw new SocketException("Socket is not created");
        }
        if (!c.isOpen()) {
            throw new SocketException("Socket closed");
        }
        return c;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("datagram sockets are DatagramChannels, not Sockets");
        }
        if (channel == null) {
            attach(provider.openSocketChannel());
        }
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress remote, int timeoutMillis) throws IOException {
        SocketChannel c = ch();
        try {
            if (timeoutMillis <= 0 && c.isBlocking()) {
                c.connect(remote);
            } else {
                c.configureBlocking(false);
                if (!c.connect(remote)) {
                    while (true) {
                        connectWaiter().await(timeoutMillis, "Connect");
                        if (c.finishConnect()) {
                            break;
                        }
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            closeQuietly();
            throw e;
        } catch (ClosedChannelException e) {
            throw closedException(e);
        }
        refreshAddresses();
    }

    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        ch().bind(new InetSocketAddress(host, port));
        refreshAddresses();
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw new SocketException("a Socket does not listen; use a ServerSocket");
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw new SocketException("a Socket does not accept; use a ServerSocket");
    }

    @Override
    protected synchronized InputStream getInputStream() throws IOException {
        ch();
        if (in == null) {
            in = new ChannelInputStream();
        }
        return in;
    }

    @Override
    protected synchronized OutputStream getOutputStream() throws IOException {
        ch();
        if (out == null) {
            out = new ChannelOutputStream();
        }
        return out;
    }

    @Override
    protected int available() throws IOException {
        ch();
        // A channel cannot tell how much is buffered without reading it.
        return 0;
    }

    @Override
    protected void close() throws IOException {
        SocketChannel c = channel;
        if (c == null) {
            return;
        }
        ChannelWaiter[] ws = waiters();
        for (ChannelWaiter w : ws) {
            if (w != null) {
                w.wakeup();
            }
        }
        try {
            c.close();
        } finally {
            for (ChannelWaiter w : waiters()) { // again: one made while closing is closed too
                if (w != null) {
                    w.close();
                }
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // Already failing with the more useful exception.
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        ch().shutdownInput();
    }

    @Override
    protected void shutdownOutput() throws IOException {
        ch().shutdownOutput();
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent data is not supported on stack sockets");
    }

    @Override
    protected boolean supportsUrgentData() {
        return false;
    }

    private static IOException closedException(IOException cause) {
        String msg = cause instanceof ClosedByInterruptException ? "Closed by interrupt"
                : cause instanceof AsynchronousCloseException ? "Socket closed" : "Socket closed";
        SocketException e = new SocketException(msg);
        e.initCause(cause);
        return e;
    }

    // ---- options ----

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        try {
            SocketChannel c = ch();
            switch (optID) {
                case SO_TIMEOUT -> {
                    soTimeout = (Integer) value;
                    if (soTimeout > 0) {
                        // Timed waits need selectors; switch now, before any thread blocks in I/O.
                        c.configureBlocking(false);
                    }
                }
                case TCP_NODELAY -> c.setOption(StandardSocketOptions.TCP_NODELAY, (Boolean) value);
                case SO_SNDBUF -> c.setOption(StandardSocketOptions.SO_SNDBUF, (Integer) value);
                case SO_RCVBUF -> c.setOption(StandardSocketOptions.SO_RCVBUF, (Integer) value);
                case SO_KEEPALIVE -> c.setOption(StandardSocketOptions.SO_KEEPALIVE, (Boolean) value);
                case SO_REUSEADDR -> c.setOption(StandardSocketOptions.SO_REUSEADDR, (Boolean) value);
                case IP_TOS -> c.setOption(StandardSocketOptions.IP_TOS, (Integer) value);
                case SO_LINGER -> c.setOption(StandardSocketOptions.SO_LINGER,
                        value instanceof Integer i ? i : -1);
                case SO_OOBINLINE -> {
                    if ((Boolean) value) {
                        throw new SocketException("SO_OOBINLINE is not supported on stack sockets");
                    }
                }
                default -> throw new SocketException("socket option " + optID + " is not supported");
            }
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            throw asSocketException("setting option " + optID, e);
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        try {
            SocketChannel c = ch();
            return switch (optID) {
                case SO_TIMEOUT -> soTimeout;
                case TCP_NODELAY -> c.getOption(StandardSocketOptions.TCP_NODELAY);
                case SO_SNDBUF -> c.getOption(StandardSocketOptions.SO_SNDBUF);
                case SO_RCVBUF -> c.getOption(StandardSocketOptions.SO_RCVBUF);
                case SO_KEEPALIVE -> c.getOption(StandardSocketOptions.SO_KEEPALIVE);
                case SO_REUSEADDR -> c.getOption(StandardSocketOptions.SO_REUSEADDR);
                case IP_TOS -> c.getOption(StandardSocketOptions.IP_TOS);
                case SO_LINGER -> {
                    int l = c.getOption(StandardSocketOptions.SO_LINGER);
                    yield l < 0 ? Boolean.FALSE : (Object) l;
                }
                case SO_OOBINLINE -> Boolean.FALSE;
                case SO_BINDADDR -> c.getLocalAddress() instanceof InetSocketAddress l ? l.getAddress() : null;
                default -> throw new SocketException("socket option " + optID + " is not supported");
            };
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            throw asSocketException("reading option " + optID, e);
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
        SocketChannel c = channel;
        return c == null ? Set.of() : c.supportedOptions();
    }

    private static SocketException asSocketException(String what, Exception e) {
        SocketException se = new SocketException(what + ": " + e.getMessage());
        se.initCause(e);
        return se;
    }

    // ---- streams ----

    private final class ChannelInputStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            SocketChannel c = ch();
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            try {
                int timeout = soTimeout;
                if (timeout == 0 && c.isBlocking()) {
                    return c.read(bb);
                }
                c.configureBlocking(false);
                while (true) {
                    int n = c.read(bb);
                    if (n != 0) {
                        return n;
                    }
                    readWaiter().await(timeout, "Read");
                }
            } catch (ClosedChannelException e) {
                throw closedException(e);
            }
        }

        @Override
        public int available() throws IOException {
            return ChannelSocketImpl.this.available();
        }

        @Override
        public void close() throws IOException {
            ChannelSocketImpl.this.close();
        }
    }

    private final class ChannelOutputStream extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            SocketChannel c = ch();
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            try {
                while (bb.hasRemaining()) {
                    if (c.isBlocking()) {
                        c.write(bb);
                    } else if (c.write(bb) == 0) {
                        // Writes wait as long as it takes: SO_TIMEOUT is a read timeout.
                        writeWaiter().await(0, "Write");
                    }
                }
            } catch (ClosedChannelException e) {
                throw closedException(e);
            }
        }

        @Override
        public void close() throws IOException {
            ChannelSocketImpl.this.close();
        }
    }
}
