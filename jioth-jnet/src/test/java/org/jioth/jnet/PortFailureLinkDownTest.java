package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.net.DatagramSocket;
import java.util.Map;
import java.util.Optional;
import org.jioth.IfAddr;
import org.jioth.jnet.loop.Counter;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;
import org.jioth.vde.ip.UdpPort;
import org.jioth.vde.ip.UdpSettings;
import org.junit.jupiter.api.Test;

/**
 * Review leftover: a port whose receive thread fails takes the jnet interface on it down (carrier
 * lost, counted, listed in health with the port's failure as the reason), and a socket waiting on
 * that link learns it at once instead of waiting forever. The port is a real {@code udp://} port
 * whose receive thread fails as if the stack behind it ran out of memory on one frame. FAILED
 * before the fix (the port sent no carrier callback: the interface stayed up, the connect pending).
 */
class PortFailureLinkDownTest {
    /** The experimental ethertype (IEEE 802 local) of the frame whose delivery fails. */
    static final int POISON = 0x88b5;

    /** {@code port}, whose receive thread fails on a {@link #POISON} frame; everything else delegated. */
    record Poisonable(EthernetPort port) implements EthernetPort {
        @Override
        public boolean send(ByteBuffer frame) throws IOException {
            return port.send(frame);
        }

        @Override
        public void flush() {
            port.flush();
        }

        @Override
        public void setSink(FrameSink sink) {
            port.setSink(new FrameSink() {
                @Override
                public void frame(ByteBuffer frame) {
                    if ((frame.getShort(frame.position() + 12) & 0xffff) == POISON) {
                        throw new OutOfMemoryError("simulated: the receive thread ran out of memory");
                    }
                    sink.frame(frame);
                }

                @Override
                public void endOfBatch() {
                    sink.endOfBatch();
                }
            });
        }

        @Override
        public PortStatistics statistics() {
            return port.statistics();
        }

        @Override
        public String description() {
            return port.description();
        }

        @Override
        public boolean hasEnded() {
            return port.hasEnded();
        }

        @Override
        public Optional<Throwable> failure() {
            return port.failure();
        }

        @Override
        public boolean carrier() {
            return port.carrier();
        }

        @Override
        public void onCarrierChange(Runnable listener) {
            port.onCarrierChange(listener);
        }

        @Override
        public void close() throws IOException {
            port.close();
        }
    }

    @Test
    void aFailedReceiveThreadTakesTheLinkDownAndItsSocketsLearn() throws Exception {
        int pa;
        int pb;
        try (var s1 = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                var s2 = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            pa = s1.getLocalPort();
            pb = s2.getLocalPort();
        }
        try (TestNet net = new TestNet();
                UdpPort peer = new UdpPort(UdpSettings.fromOptions("127.0.0.1:" + pb + "->127.0.0.1:" + pa, Map.of()))) {
            var port = new Poisonable(new UdpPort(UdpSettings.fromOptions(pa + "->127.0.0.1:" + pb, Map.of())));
            JnetStack s = net.stack("", port, "192.168.250.1/24");
            SocketChannel c = s.provider().openSocketChannel();
            c.configureBlocking(false);
            assertThat(c.connect(new InetSocketAddress(InetAddress.ofLiteral("192.168.250.2"), 7))).isFalse();
            net.settle(); // the SYN waits for ARP, which nobody answers on the manual clock
            assertThat(c.isConnectionPending()).isTrue();
            assertThat(s.health().linksDown()).isEmpty();

            ByteBuffer poison = ByteBuffer.allocate(60);
            poison.putShort(12, (short) POISON);
            peer.send(poison);
            assertThat(TestNet.await(() -> s.counter(Counter.LINK_CARRIER_DOWN) == 1)).as("carrier down counted").isTrue();
            net.settle();
            assertThat(port.failure()).get().isInstanceOf(OutOfMemoryError.class);
            assertThat(s.health().isAlive()).as("the stack lives on: only the link is down").isTrue();
            assertThat(s.health().linksDown()).containsExactly("vde0");
            assertThat(s.health().reason()).contains("vde0").contains("simulated: the receive thread ran out of memory");
            assertThat(running(s)).as("IFF_RUNNING").isFalse();
            assertThatThrownBy(c::finishConnect).isInstanceOf(IOException.class);
            c.close();
        }
    }

    private static boolean running(JnetStack s) throws IOException {
        for (IfAddr a : s.config().interfaces()) {
            if (a.name().equals("vde0") && a.address() == null) {
                return (a.flags() & IfAddr.IFF_RUNNING) != 0;
            }
        }
        throw new AssertionError("no vde0");
    }
}
