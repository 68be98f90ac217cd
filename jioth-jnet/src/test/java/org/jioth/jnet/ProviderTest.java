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
            assertThatThrownBy(() -> b.provider().openSocketChannel()).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("TCP");
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
