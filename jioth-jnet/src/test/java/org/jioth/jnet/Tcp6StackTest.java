package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.await;
import static org.jioth.jnet.TestNet.ip;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** TCP between two jnet stacks over IPv6 (global and link-local addresses), on virtual time. */
class Tcp6StackTest {
    static int timeWaits(JnetStack s) {
        try {
            return s.onLoop(() -> s.onLoopTcp().timeWaitCount());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void bulkTransferOverIpv6EndsInTimeWait() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("", sw, "192.168.250.2/24");
            a.config().ipAddrAdd(ip("fd00::1"), 64, 2);
            b.config().ipAddrAdd(ip("fd00::2"), 64, 2);
            byte[] data = new byte[1 << 20];
            new SplittableRandom(7).nextBytes(data);
            try (ServerSocketChannel server = b.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
                server.bind(new InetSocketAddress(7000));
                CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                    try (SocketChannel c = server.accept()) {
                        ByteBuffer in = ByteBuffer.allocate(data.length);
                        while (in.hasRemaining() && c.read(in) >= 0) {
                            // until all arrived
                        }
                        assertThat(((InetSocketAddress) c.getRemoteAddress()).getAddress()).isEqualTo(ip("fd00::1"));
                        while (c.read(ByteBuffer.allocate(1)) >= 0) {
                            // until the FIN
                        }
                        return in.array();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, r -> Thread.ofVirtual().start(r));
                try (SocketChannel c = a.provider().openSocketChannel()) {
                    c.connect(new InetSocketAddress(ip("fd00::2"), 7000));
                    ByteBuffer out = ByteBuffer.wrap(data);
                    while (out.hasRemaining()) {
                        c.write(out);
                    }
                    c.shutdownOutput();
                    assertThat(Arrays.equals(received.get(60, TimeUnit.SECONDS), data)).isTrue();
                }
                // a closed first: its side waits in TIME_WAIT
                assertThat(await(() -> timeWaits(a) == 1)).isTrue();
            }
            // link-local, with the scope from the address
            try (ServerSocketChannel server = b.provider().openServerSocketChannel(StandardProtocolFamily.INET6)) {
                server.bind(new InetSocketAddress(7001));
                java.net.Inet6Address bll = org.jioth.jnet.wire.Ip6.toInet(
                        org.jioth.jnet.wire.Ip6.linkLocal(org.jioth.jnet.wire.Mac.of(b.config().linkGetAddr(2))), 2);
                try (SocketChannel c = a.provider().openSocketChannel(StandardProtocolFamily.INET6)) {
                    c.connect(new InetSocketAddress(bll, 7001));
                    try (SocketChannel s = server.accept()) {
                        c.write(ByteBuffer.wrap("ll".getBytes()));
                        ByteBuffer in = ByteBuffer.allocate(2);
                        while (in.hasRemaining()) {
                            s.read(in);
                        }
                        assertThat(new String(in.array())).isEqualTo("ll");
                    }
                }
            }
        }
    }

    static org.jioth.IothStack iothStack(String vnl, String v4, String v6) throws Exception {
        org.jioth.IothStack s = org.jioth.Ioth.newStack("jnet", vnl);
        int idx = s.ifNameToIndex("vde0");
        s.linkSetUpDown(idx, true);
        s.ipAddrAdd(ip(v4), 24, idx);
        s.ipAddrAdd(ip(v6), 64, idx);
        return s;
    }

    @Test
    void msocketOpensInet6ChannelsOfEveryKind(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        try (org.jioth.IothStack a = iothStack("switch://" + tmp.resolve("sw"), "192.168.250.1", "fd00::1");
             org.jioth.IothStack b = iothStack("vde://" + tmp.resolve("sw"), "192.168.250.2", "fd00::2")) {
            try (ServerSocketChannel l = org.jioth.Ioth.msocket(b, StandardProtocolFamily.INET6, org.jioth.SocketType.STREAM_LISTENER);
                 java.nio.channels.DatagramChannel d = org.jioth.Ioth.msocket(b, StandardProtocolFamily.INET6, org.jioth.SocketType.DATAGRAM)) {
                l.bind(new InetSocketAddress(7100));
                d.bind(new InetSocketAddress(7100));
                try (SocketChannel c = org.jioth.Ioth.msocket(a, StandardProtocolFamily.INET6, org.jioth.SocketType.STREAM)) {
                    c.connect(new InetSocketAddress(ip("fd00::2"), 7100));
                    try (SocketChannel s = l.accept()) {
                        assertThat(((InetSocketAddress) s.getRemoteAddress()).getAddress()).isEqualTo(ip("fd00::1"));
                    }
                }
                // the same listener takes IPv4 too (dual-stack)
                try (SocketChannel c4 = org.jioth.Ioth.msocket(a, StandardProtocolFamily.INET, org.jioth.SocketType.STREAM)) {
                    c4.connect(new InetSocketAddress(ip("192.168.250.2"), 7100));
                    try (SocketChannel s = l.accept()) {
                        assertThat(((InetSocketAddress) s.getRemoteAddress()).getAddress()).isEqualTo(ip("192.168.250.1"));
                        assertThat(((InetSocketAddress) s.getLocalAddress()).getAddress()).isEqualTo(ip("192.168.250.2"));
                    }
                }
                try (java.nio.channels.DatagramChannel u = org.jioth.Ioth.msocket(a, StandardProtocolFamily.INET6,
                        org.jioth.SocketType.DATAGRAM)) {
                    u.send(ByteBuffer.wrap("d6".getBytes()), new InetSocketAddress(ip("fd00::2"), 7100));
                    ByteBuffer in = ByteBuffer.allocate(4);
                    assertThat(((InetSocketAddress) d.receive(in)).getAddress()).isEqualTo(ip("fd00::1"));
                }
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> org.jioth.Ioth.msocket(a, StandardProtocolFamily.UNIX,
                    org.jioth.SocketType.STREAM)).isInstanceOf(UnsupportedOperationException.class);
        }
    }
}
