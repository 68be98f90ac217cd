package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.ip;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.jioth.jnet.loop.Counter;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/**
 * A datagram a socket can read is already counted in Udp.InDatagrams: whoever sees the datagram
 * sees the count that goes with it (the LinkComesBackTest pattern: a count published after the
 * state it announces). The reader wakes while the loop still runs the delivery, so a count bumped
 * after the datagram was queued could be read stale.
 */
class UdpCountedBeforeSeenTest {
    @Test
    void aReceivedDatagramIsAlreadyCounted() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("", sw, "192.168.250.2/24");
            try (DatagramChannel server = b.provider().openDatagramChannel();
                    DatagramChannel client = a.provider().openDatagramChannel()) {
                server.bind(new InetSocketAddress(5000));
                InetSocketAddress to = new InetSocketAddress(ip("192.168.250.2"), 5000);
                ByteBuffer in = ByteBuffer.allocate(16);
                for (int i = 1; i <= 2000; i++) {
                    client.send(ByteBuffer.wrap(new byte[] {(byte) i}), to);
                    in.clear();
                    server.receive(in); // blocking: woken by the delivery
                    assertThat(b.counter(Counter.UDP_IN_DATAGRAMS)).as("datagram %d", i).isEqualTo(i);
                }
            }
        }
    }
}
