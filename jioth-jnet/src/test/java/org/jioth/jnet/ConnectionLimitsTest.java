package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.jioth.jnet.loop.Counter;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** Issue 11, bounded everywhere: connections per stack ({@code maxconnections=}) and orphans ({@code maxorphans=}). */
class ConnectionLimitsTest {

    @Test
    void aStackHoldsAtMostMaxConnections() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("maxconnections=3", sw, "192.168.250.2/24");
            ServerSocketChannel ss = b.provider().openServerSocketChannel();
            ss.bind(new InetSocketAddress("0.0.0.0", 7), 50);
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                SocketChannel c = a.provider().openSocketChannel();
                c.configureBlocking(false);
                c.connect(new InetSocketAddress("192.168.250.2", 7));
                clients.add(c);
                net.settle();
            }
            // ARP may still be resolving after the settle rounds (link-up MLD reports share the switch):
            // wait for the SYNs to have reached b, then check
            TestNet.await(() -> {
                try {
                    return b.onLoop(() -> b.onLoopTcp().connectionCount()) == 3
                            && b.counter(Counter.TCP_CONNECTION_LIMIT) == 2;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(b.onLoop(() -> b.onLoopTcp().connectionCount())).isEqualTo(3);
            assertThat(b.counter(Counter.TCP_CONNECTION_LIMIT)).isEqualTo(2);
            SocketChannel out = b.provider().openSocketChannel();
            assertThatThrownBy(() -> out.connect(new InetSocketAddress("192.168.250.1", 9)))
                    .isInstanceOf(IOException.class).hasMessageContaining("No buffer space available");
            for (SocketChannel c : clients) {
                c.close();
            }
        }
    }

    @Test
    void pastMaxOrphansACloseResetsTheConnection() throws Exception {
        try (TestNet net = new TestNet()) {
            TestNet.Connected first = net.connected("", "maxorphans=1", 7);
            JnetStack b = first.b();
            SocketChannel c1 = first.client();
            SocketChannel s1 = first.server();
            TestNet.Connection second = TestNet.connect(first.a().provider(), new InetSocketAddress("192.168.250.2", 7),
                    first.listener());
            SocketChannel c2 = second.client();
            SocketChannel s2 = second.server();

            s1.close(); // FIN_WAIT_2 while a keeps its end open: an orphan
            net.settle();
            assertThat(b.onLoop(() -> b.onLoopTcp().orphanCount())).isEqualTo(1);
            s2.close(); // one too many: reset
            net.settle();
            assertThat(b.counter(Counter.TCP_ABORT_ON_MEMORY)).isEqualTo(1);
            assertThat(b.onLoop(() -> b.onLoopTcp().orphanCount())).isEqualTo(1);
            assertThatThrownBy(() -> c2.read(ByteBuffer.allocate(1))).isInstanceOf(IOException.class)
                    .hasMessageContaining("reset");
            assertThat(c1.read(ByteBuffer.allocate(1))).isEqualTo(-1); // the orphan closed in order
            c1.close();
            c2.close();
        }
    }
}
