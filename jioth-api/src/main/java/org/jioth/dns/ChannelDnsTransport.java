package org.jioth.dns;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * DNS exchanges over the channels of a {@link SelectorProvider}, i.e. over the stack that is being
 * served (jnet, vdestack, the kernel...), never the host's network. Each exchange opens its own
 * non-blocking channel and waits on a selector of the same provider.
 */
public final class ChannelDnsTransport implements DnsTransport {
    /** Larger than the EDNS size we advertise, so an over-long datagram is seen rather than cut. */
    static final int UDP_BUFFER = 4096;
    private final Supplier<SelectorProvider> provider;

    public ChannelDnsTransport(Supplier<SelectorProvider> provider) {
        this.provider = provider;
    }

    @Override
    public byte[] udp(InetSocketAddress server, byte[] query, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SelectorProvider p = provider.get();
        try (DatagramChannel ch = server.getAddress() instanceof Inet6Address
                ? p.openDatagramChannel(StandardProtocolFamily.INET6) : p.openDatagramChannel();
             Selector sel = p.openSelector()) {
            ch.configureBlocking(false);
            ch.send(ByteBuffer.wrap(query), server);
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(UDP_BUFFER);
            while (true) {
                in.clear();
                SocketAddress from = ch.receive(in);
                if (from == null) {
                    if (!await(sel, key, deadline)) {
                        return null;
                    }
                    continue;
                }
                // Off-path answers (another source, another ID) are dropped: the wait goes on.
                if (from.equals(server) && in.position() >= 2 && in.get(0) == query[0] && in.get(1) == query[1]) {
                    return Arrays.copyOf(in.array(), in.position());
                }
            }
        }
    }

    @Override
    public byte[] tcp(InetSocketAddress server, byte[] query, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SelectorProvider p = provider.get();
        try (SocketChannel ch = server.getAddress() instanceof Inet6Address
                ? p.openSocketChannel(StandardProtocolFamily.INET6) : p.openSocketChannel();
             Selector sel = p.openSelector()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(sel, 0);
            if (!ch.connect(server)) {
                key.interestOps(SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) {
                    if (!await(sel, key, deadline)) {
                        return null;
                    }
                }
            }
            ByteBuffer out = ByteBuffer.allocate(2 + query.length);
            out.putShort((short) query.length).put(query).flip();
            key.interestOps(SelectionKey.OP_WRITE);
            while (out.hasRemaining()) {
                if (ch.write(out) == 0 && !await(sel, key, deadline)) {
                    return null;
                }
            }
            key.interestOps(SelectionKey.OP_READ);
            ByteBuffer len = ByteBuffer.allocate(2);
            if (!fill(ch, len, sel, key, deadline)) {
                return null;
            }
            ByteBuffer body = ByteBuffer.allocate(len.getShort(0) & 0xffff);
            if (!fill(ch, body, sel, key, deadline)) {
                return null;
            }
            return body.array();
        }
    }

    private static boolean fill(SocketChannel ch, ByteBuffer b, Selector sel, SelectionKey key, long deadline)
            throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b);
            if (n < 0) {
                throw new IOException("DNS server closed the TCP connection mid-answer");
            }
            if (n == 0 && !await(sel, key, deadline)) {
                return false;
            }
        }
        return true;
    }

    /** Waits until the key is ready or the deadline passes (false). */
    private static boolean await(Selector sel, SelectionKey key, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        sel.selectedKeys().clear();
        sel.select(Math.max(1, left / 1_000_000));
        return System.nanoTime() < deadline || !sel.selectedKeys().isEmpty();
    }
}
