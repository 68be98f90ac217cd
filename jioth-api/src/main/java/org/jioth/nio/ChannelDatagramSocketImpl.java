package org.jioth.nio;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * A {@link DatagramSocketImpl} over a stack's {@code DatagramChannel}, for
 * {@code DatagramSocket.setDatagramSocketImplFactory}: every {@code new DatagramSocket()} of the
 * JVM then sends on the stack. The work is done by a {@link ChannelDatagramSocket} over the channel;
 * {@code peekData} keeps the peeked datagram for the next receive. Multicast groups are refused.
 */
public class ChannelDatagramSocketImpl extends DatagramSocketImpl {
    private static final int MAX_DATAGRAM = 65_536;
    private final SelectorProvider provider;
    private ChannelDatagramSocket socket;
    private DatagramPacket peeked;

    public ChannelDatagramSocketImpl(SelectorProvider provider) {
        this.provider = provider;
    }

    private ChannelDatagramSocket s() throws SocketException {
        if (socket == null) {
            throw new SocketException("Socket is not created");
        }
        return socket;
    }

    @Override
    protected void create() throws SocketException {
        try {
            socket = new ChannelDatagramSocket(provider.openDatagramChannel());
        } catch (IOException e) {
            throw e instanceof SocketException se ? se : (SocketException) new SocketException(e.getMessage()).initCause(e);
        }
    }

    @Override
    protected void bind(int lport, InetAddress laddr) throws SocketException {
        s().bind(new InetSocketAddress(laddr, lport));
        localPort = s().getLocalPort();
    }

    @Override
    protected void send(DatagramPacket p) throws IOException {
        s().send(p);
    }

    @Override
    protected void connect(InetAddress address, int port) throws SocketException {
        s().connect(new InetSocketAddress(address, port));
    }

    @Override
    protected void disconnect() {
        if (socket != null) {
            socket.disconnect();
        }
    }

    @Override
    protected int peek(InetAddress i) throws IOException {
        throw new SocketException("peek(InetAddress) is not supported; use peekData");
    }

    @Override
    protected synchronized int peekData(DatagramPacket p) throws IOException {
        if (peeked == null) {
            DatagramPacket d = new DatagramPacket(new byte[MAX_DATAGRAM], MAX_DATAGRAM);
            s().receive(d);
            peeked = d;
        }
        copy(peeked, p);
        return peeked.getPort();
    }

    @Override
    protected void receive(DatagramPacket p) throws IOException {
        synchronized (this) {
            if (peeked != null) {
                copy(peeked, p);
                peeked = null;
                return;
            }
        }
        s().receive(p);
    }

    private static void copy(DatagramPacket from, DatagramPacket to) {
        int n = Math.min(from.getLength(), to.getLength());
        System.arraycopy(from.getData(), from.getOffset(), to.getData(), to.getOffset(), n);
        to.setLength(n);
        to.setSocketAddress(from.getSocketAddress());
    }

    @Override
    @Deprecated
    protected void setTTL(byte ttl) throws IOException {
        setTimeToLive(ttl & 0xff);
    }

    @Override
    @Deprecated
    protected byte getTTL() throws IOException {
        return (byte) getTimeToLive();
    }

    @Override
    protected void setTimeToLive(int ttl) throws IOException {
        s().getChannel().setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
    }

    @Override
    protected int getTimeToLive() throws IOException {
        return s().getChannel().getOption(StandardSocketOptions.IP_MULTICAST_TTL);
    }

    @Override
    protected void join(InetAddress inetaddr) throws IOException {
        throw new SocketException("multicast groups are not supported on stack datagram sockets");
    }

    @Override
    protected void leave(InetAddress inetaddr) throws IOException {
        join(inetaddr);
    }

    @Override
    protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        join(null);
    }

    @Override
    protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        join(null);
    }

    @Override
    protected void close() {
        if (socket != null) {
            socket.close();
        }
    }

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        ChannelDatagramSocket d = s();
        switch (optID) {
            case SocketOptions.SO_TIMEOUT -> d.setSoTimeout((Integer) value);
            case SocketOptions.SO_RCVBUF -> d.setReceiveBufferSize((Integer) value);
            case SocketOptions.SO_SNDBUF -> d.setSendBufferSize((Integer) value);
            case SocketOptions.SO_REUSEADDR -> d.setReuseAddress((Boolean) value);
            case SocketOptions.SO_BROADCAST -> d.setBroadcast((Boolean) value);
            case SocketOptions.IP_TOS -> d.setTrafficClass((Integer) value);
            default -> throw new SocketException("option " + optID + " is not supported on stack datagram sockets");
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        ChannelDatagramSocket d = s();
        return switch (optID) {
            case SocketOptions.SO_TIMEOUT -> d.getSoTimeout();
            case SocketOptions.SO_RCVBUF -> d.getReceiveBufferSize();
            case SocketOptions.SO_SNDBUF -> d.getSendBufferSize();
            case SocketOptions.SO_REUSEADDR -> d.getReuseAddress();
            case SocketOptions.SO_BROADCAST -> d.getBroadcast();
            case SocketOptions.IP_TOS -> d.getTrafficClass();
            case SocketOptions.SO_BINDADDR -> d.getLocalAddress();
            default -> throw new SocketException("option " + optID + " is not supported on stack datagram sockets");
        };
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        s().getChannel().setOption(name, value);
    }

    @Override
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        return s().getChannel().getOption(name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return socket == null ? Set.of() : socket.getChannel().supportedOptions();
    }
}
