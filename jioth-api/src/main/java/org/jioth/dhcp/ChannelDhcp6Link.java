package org.jioth.dhcp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.jioth.IothStack;

/** A {@link Dhcp6Link} on a stack's own IPv6 datagram channel bound to {@code [::]:546}. */
final class ChannelDhcp6Link implements Dhcp6Link {
    /** Bigger than any message a sane server sends on Ethernet; a longer datagram is cut and then found malformed. */
    static final int BUFFER = 2048;
    private final DatagramChannel channel;
    private final Selector selector;
    private final InstantSource clock;
    private final ByteBuffer in = ByteBuffer.allocate(BUFFER);

    private ChannelDhcp6Link(DatagramChannel channel, Selector selector, InstantSource clock) {
        this.channel = channel;
        this.selector = selector;
        this.clock = clock;
    }

    static ChannelDhcp6Link open(IothStack stack, InstantSource clock) throws IOException {
        DatagramChannel ch = stack.provider().openDatagramChannel(StandardProtocolFamily.INET6);
        Selector sel = null;
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(InetAddress.ofLiteral("::"), Dhcp6Client.CLIENT_PORT));
            ch.configureBlocking(false);
            sel = stack.provider().openSelector();
            ch.register(sel, SelectionKey.OP_READ);
            return new ChannelDhcp6Link(ch, sel, clock);
        } catch (IOException | RuntimeException e) {
            if (sel != null) {
                sel.close();
            }
            ch.close();
            throw e;
        }
    }

    @Override
    public void send(byte[] message, InetSocketAddress to) throws IOException {
        channel.send(ByteBuffer.wrap(message), to);
    }

    @Override
    public Datagram receive(Instant deadline) throws IOException {
        while (true) {
            in.clear();
            SocketAddress from = channel.receive(in);
            if (from instanceof InetSocketAddress isa) {
                byte[] copy = new byte[in.position()];
                in.flip().get(copy);
                return new Datagram(copy, copy.length, isa);
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return null;
            }
            selector.selectedKeys().clear();
            selector.select(Math.max(1, left.toMillis()));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }

    /** ff02::1:2 (All_DHCP_Relay_Agents_and_Servers) scoped to the interface, port 547. */
    static InetSocketAddress allServers(int ifindex) {
        try {
            return new InetSocketAddress(Inet6Address.getByAddress(null,
                    InetAddress.ofLiteral("ff02::1:2").getAddress(), ifindex), Dhcp6Client.SERVER_PORT);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
