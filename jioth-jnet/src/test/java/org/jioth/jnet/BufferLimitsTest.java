package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.await;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.tcp.TcpConfig;
import org.jioth.jnet.udp.UdpEndpoint;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Mac;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 9: socket buffer sizes are capped (as Linux caps them with rmem_max/wmem_max and
 * tcp_rmem/tcp_wmem), and a UDP receive queue is charged per datagram, so neither an application's
 * option nor a peer's flood of empty datagrams decides how much heap a socket holds.
 */
class BufferLimitsTest {
    TestNet net;
    JnetStack stack;
    TestNet.RawPort raw;

    @BeforeEach
    void setUp() throws Exception {
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        stack = net.stack("", sw, "10.2.0.2/24");
        raw = net.raw(sw);
    }

    @AfterEach
    void tearDown() throws Exception {
        net.close();
    }

    @Test
    void tcpBufferOptionsAreCapped() throws Exception {
        try (SocketChannel c = stack.provider().openSocketChannel();
             ServerSocketChannel s = stack.provider().openServerSocketChannel()) {
            c.setOption(StandardSocketOptions.SO_RCVBUF, Integer.MAX_VALUE);
            c.setOption(StandardSocketOptions.SO_SNDBUF, Integer.MAX_VALUE);
            assertThat(c.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(TcpConfig.MAX_RECEIVE_BUFFER);
            assertThat(c.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(TcpConfig.MAX_SEND_BUFFER);
            s.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 30);
            assertThat(s.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(TcpConfig.MAX_RECEIVE_BUFFER);
            c.setOption(StandardSocketOptions.SO_RCVBUF, 100_000); // below the cap: as asked
            assertThat(c.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(100_000);
        }
    }

    @Test
    void udpBufferOptionsAreCapped() throws Exception {
        try (DatagramChannel d = stack.provider().openDatagramChannel()) {
            d.setOption(StandardSocketOptions.SO_RCVBUF, Integer.MAX_VALUE);
            d.setOption(StandardSocketOptions.SO_SNDBUF, Integer.MAX_VALUE);
            assertThat(d.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(UdpEndpoint.MAX_BUFFER);
            assertThat(d.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(UdpEndpoint.MAX_BUFFER);
        }
    }

    @Test
    void aFloodOfEmptyDatagramsFillsTheReceiveBuffer() throws Exception {
        try (DatagramChannel d = stack.provider().openDatagramChannel()) {
            d.bind(new InetSocketAddress(5353));
            d.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
            int src = Frames.ip("10.2.0.99");
            int dst = Frames.ip("10.2.0.2");
            byte[] empty = Frames.udp(src, dst, 4000, 5353, new byte[0]);
            int sent = 2000;
            for (int i = 0; i < sent; i++) {
                raw.send(Frames.ipv4(Mac.BROADCAST, 0x02000000bbbbL, src, dst, Ipv4.PROTO_UDP, 64, i, 0, empty));
                if (i % 50 == 49) {
                    int arrived = i + 1;
                    assertThat(await(() -> stack.counter(Counter.UDP_IN_DATAGRAMS)
                            + stack.counter(Counter.UDP_RCVBUF_ERRORS) == arrived)).isTrue();
                }
            }
            // each queued datagram is charged its bookkeeping, so 16 KiB holds at most a few dozen
            assertThat(stack.counter(Counter.UDP_IN_DATAGRAMS)).isLessThanOrEqualTo(16 * 1024 / UdpEndpoint.DATAGRAM_OVERHEAD + 1);
            assertThat(stack.counter(Counter.UDP_RCVBUF_ERRORS)).isPositive();
        }
    }
}
