package org.jioth.nio;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.util.Set;

/**
 * A {@code java.net.DatagramSocket} over any plug-in's {@link DatagramChannel}: what a user-space
 * stack's {@code DatagramChannel.socket()} returns. Every public method works on the channel; the
 * JDK's own socket machinery underneath is never used. With {@code SO_TIMEOUT} the channel turns
 * non-blocking and receives wait on a selector of the channel's own provider.
 *
 * <p>As for any {@code DatagramSocket}, a packet's length is both how much it can take and, after
 * {@link #receive}, how much it got: reset it with {@code setLength} before reusing a packet.
 */
public class ChannelDatagramSocket extends DatagramSocket {
    private final DatagramChannel channel;
    private final ChannelWaiter readWaiter;
    private final ChannelWaiter writeWaiter;
    private volatile int soTimeout;

    public ChannelDatagramSocket(DatagramChannel channel) {
        super(new InertDatagramSocketImpl());
        this.channel = channel;
        this.readWaiter = new ChannelWaiter(channel, SelectionKey.OP_READ);
        this.writeWaiter = new ChannelWaiter(channel, SelectionKey.OP_WRITE);
    }

    @Override
    public DatagramChannel getChannel() {
        return channel;
    }

    @Override
    public void bind(SocketAddress local) throws SocketException {
        try {
            channel.bind(local == null ? new InetSocketAddress(0) : local);
        } catch (IOException e) {
            throw asSocketException(e);
        }
    }

    @Override
    public void connect(InetAddress address, int port) {
        try {
            connect(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void connect(SocketAddress remote) throws SocketException {
        if (!(remote instanceof InetSocketAddress isa) || isa.isUnresolved()) {
            throw new IllegalArgumentException("not a resolved InetSocketAddress: " + remote);
        }
        try {
            channel.connect(remote);
        } catch (IOException e) {
            throw asSocketException(e);
        }
    }

    @Override
    public void disconnect() {
        try {
            channel.disconnect();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public boolean isBound() {
        return getLocalSocketAddress() != null;
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public InetAddress getInetAddress() {
        return getRemoteSocketAddress() instanceof InetSocketAddress r ? r.getAddress() : null;
    }

    @Override
    public int getPort() {
        return getRemoteSocketAddress() instanceof InetSocketAddress r ? r.getPort() : -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public InetAddress getLocalAddress() {
        return getLocalSocketAddress() instanceof InetSocketAddress l ? l.getAddress() : null;
    }

    @Override
    public int getLocalPort() {
        if (isClosed()) {
            return -1;
        }
        return getLocalSocketAddress() instanceof InetSocketAddress l ? l.getPort() : 0;
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
        SocketAddress to = p.getAddress() == null ? null : p.getSocketAddress();
        try {
            if (channel.isConnected()) {
                if (to != null && !to.equals(channel.getRemoteAddress())) {
                    throw new IllegalArgumentException("the socket is connected to " + channel.getRemoteAddress()
                            + ", not " + to);
                }
                writeAll(data);
            } else {
                if (to == null) {
                    throw new IllegalArgumentException("the packet has no address and the socket is not connected");
                }
                if (!isBound()) {
                    bind(null);
                }
                sendAll(data, to);
            }
        } catch (ClosedChannelException e) {
            throw closed(e);
        }
    }

    /** A non-blocking channel (after SO_TIMEOUT) with a full send buffer waits until it has room. */
    private void writeAll(ByteBuffer data) throws IOException {
        while (channel.write(data) == 0 && data.hasRemaining() && !channel.isBlocking()) {
            writeWaiter.await(0, "Send");
        }
    }

    private void sendAll(ByteBuffer data, SocketAddress to) throws IOException {
        while (channel.send(data, to) == 0 && !channel.isBlocking()) {
            writeWaiter.await(0, "Send");
        }
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        ByteBuffer into = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
        try {
            if (!isBound()) {
                bind(null);
            }
            int timeout = soTimeout;
            SocketAddress from;
            if (timeout == 0 && channel.isBlocking()) {
                from = channel.receive(into);
            } else {
                if (channel.isBlocking()) {
                    channel.configureBlocking(false);
                }
                while ((from = channel.receive(into)) == null) {
                    readWaiter.await(timeout, "Receive");
                }
            }
            p.setLength(into.position() - p.getOffset());
            p.setSocketAddress(from);
        } catch (ClosedChannelException e) {
            throw closed(e);
        } catch (IllegalBlockingModeException e) {
            throw new SocketException("the channel is in non-blocking mode and registered with a selector");
        }
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        ensureOpen();
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        ensureOpen();
        return soTimeout;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        set(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return get(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setBroadcast(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean getBroadcast() throws SocketException {
        return get(StandardSocketOptions.SO_BROADCAST);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        set(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return get(StandardSocketOptions.IP_TOS);
    }

    @Override
    public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
        ensureOpen();
        channel.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ensureOpen();
        return channel.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return channel.supportedOptions();
    }

    @Override
    public void joinGroup(SocketAddress group, NetworkInterface ni) throws IOException {
        if (!(group instanceof InetSocketAddress g)) {
            throw new IllegalArgumentException("not an InetSocketAddress: " + group);
        }
        channel.join(g.getAddress(), ni);
    }

    @Override
    public void leaveGroup(SocketAddress group, NetworkInterface ni) throws IOException {
        throw new SocketException("leaveGroup: drop the MembershipKey from DatagramChannel.join instead");
    }

    @Override
    public void close() {
        readWaiter.wakeup();
        writeWaiter.wakeup();
        try {
            channel.close();
            readWaiter.close();
            writeWaiter.close();
        } catch (IOException ignored) {
            // close() of DatagramSocket declares nothing; the channel is closed either way.
        }
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    private void ensureOpen() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
    }

    private <T> void set(SocketOption<T> name, T value) throws SocketException {
        try {
            ensureOpen();
            channel.setOption(name, value);
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            SocketException se = new SocketException("setting " + name + ": " + e.getMessage());
            se.initCause(e);
            throw se;
        }
    }

    private <T> T get(SocketOption<T> name) throws SocketException {
        try {
            ensureOpen();
            return channel.getOption(name);
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            SocketException se = new SocketException("reading " + name + ": " + e.getMessage());
            se.initCause(e);
            throw se;
        }
    }

    private static SocketException asSocketException(IOException e) {
        if (e instanceof SocketException se) {
            return se;
        }
        SocketException se = new SocketException(e.getMessage());
        se.initCause(e);
        return se;
    }

    private static SocketException closed(IOException cause) {
        SocketException e = new SocketException("Socket is closed");
        e.initCause(cause);
        return e;
    }

    /** The impl handed to DatagramSocket's constructor: never used, every public method is overridden. */
    private static final class InertDatagramSocketImpl extends DatagramSocketImpl {
        private static UnsupportedOperationException unused() {
            return new UnsupportedOperationException("ChannelDatagramSocket works on its channel");
        }

        @Override
        protected void create() {
        }

        @Override
        protected void bind(int lport, InetAddress laddr) {
            throw unused();
        }

        @Override
        protected void send(DatagramPacket p) {
            throw unused();
        }

        @Override
        protected int peek(InetAddress i) {
            throw unused();
        }

        @Override
        protected int peekData(DatagramPacket p) {
            throw unused();
        }

        @Override
        protected void receive(DatagramPacket p) {
            throw unused();
        }

        @Override
        @SuppressWarnings("removal")
        protected void setTTL(byte ttl) {
            throw unused();
        }

        @Override
        @SuppressWarnings("removal")
        protected byte getTTL() {
            throw unused();
        }

        @Override
        protected void setTimeToLive(int ttl) {
            throw unused();
        }

        @Override
        protected int getTimeToLive() {
            throw unused();
        }

        @Override
        protected void join(InetAddress inetaddr) {
            throw unused();
        }

        @Override
        protected void leave(InetAddress inetaddr) {
            throw unused();
        }

        @Override
        protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) {
            throw unused();
        }

        @Override
        protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) {
            throw unused();
        }

        @Override
        protected void close() {
        }

        @Override
        public void setOption(int optID, Object value) {
            throw unused();
        }

        @Override
        public Object getOption(int optID) {
            throw unused();
        }
    }
}
