package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.StackBusyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jnet as a plug-in: Ioth.newStack("jnet,…", VNLs), in-JVM switch:// and vde://, EBUSY on close. */
class ProviderTest {

    @Test
    void twoPluginStacksTalkOverAnInJvmSwitch(@TempDir Path tmp) throws Exception {
        String sw = "switch://" + tmp.resolve("sw");
        String vde = "vde://" + tmp.resolve("sw");
        try (IothStack a = Ioth.newStack("jnet,seed=1", "hosted0:" + sw);
             IothStack b = Ioth.newStack("jnet,seed=2,mtu=1400", vde)) {
            assertThat(a.ifNameToIndex("hosted0")).isEqualTo(2);
            assertThat(b.ifNameToIndex("vde0")).isEqualTo(2);
            a.linkSetUpDown(2, true);
            b.linkSetUpDown(2, true);
            a.ipAddrAdd(InetAddress.ofLiteral("192.168.250.1"), 24, 2);
            b.ipAddrAdd(InetAddress.ofLiteral("192.168.250.2"), 24, 2);
            DatagramChannel rx = b.provider().openDatagramChannel();
            DatagramChannel tx = a.provider().openDatagramChannel();
            rx.bind(new InetSocketAddress(4000));
            tx.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), new InetSocketAddress("192.168.250.2", 4000));
            ByteBuffer in = ByteBuffer.allocate(10);
            rx.receive(in);
            assertThat(in.position()).isEqualTo(3);
            assertThat(b.openSockets()).isEqualTo(1);
            assertThatThrownBy(b::close).isInstanceOf(StackBusyException.class);
            rx.close();
            tx.close();
            assertThat(a.statistics()).containsKey("Udp.OutDatagrams");
            assertThat(a.statistics().get("Udp.OutDatagrams")).isEqualTo(1L);
            // TCP over the same plug-in stacks (vde:// client to the switch:// host, MTU 1400 on b)
            try (java.nio.channels.ServerSocketChannel server = b.provider().openServerSocketChannel();
                 java.nio.channels.SocketChannel client = a.provider().openSocketChannel()) {
                server.bind(new InetSocketAddress(4001));
                client.connect(new InetSocketAddress("192.168.250.2", 4001));
                try (java.nio.channels.SocketChannel accepted = server.accept()) {
                    assertThat(b.openSockets()).isEqualTo(2);
                    assertThatThrownBy(b::close).isInstanceOf(StackBusyException.class);
                    byte[] big = new byte[100_000];
                    new java.util.SplittableRandom(3).nextBytes(big);
                    ByteBuffer src = ByteBuffer.wrap(big);
                    while (src.hasRemaining()) {
                        client.write(src);
                    }
                    client.shutdownOutput();
                    ByteBuffer got = ByteBuffer.allocate(big.length + 1);
                    while (accepted.read(got) >= 0) {
                        // until EOF
                    }
                    assertThat(java.util.Arrays.equals(got.array(), 0, got.position(), big, 0, big.length)).isTrue();
                }
            }
            assertThat(a.statistics().get("Tcp.ActiveOpens")).isEqualTo(1L);
        }
        assertThat(Files.exists(tmp.resolve("sw"))).isFalse();
    }

    @Test
    void badOptionsAndVnlsFailClearly() {
        assertThatThrownBy(() -> Ioth.newStack("jnet,speed=fast", "null://"))
                .hasMessageContaining("unknown jnet option 'speed'");
        assertThatThrownBy(() -> Ioth.newStack("jnet", "nosuch://x")).hasMessageContaining("nosuch");
    }
}
