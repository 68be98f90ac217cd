package org.jioth.vde.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import org.jioth.vde.testing.Await;
import org.jioth.vde.testing.CollectingSink;
import org.jioth.vde.testing.Frames;
import org.junit.jupiter.api.Test;

/** Two of our udp:// ports talking over loopback. */
class UdpPortTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static int freePort() throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    @Test
    void framesCrossBothWaysByteExact() throws Exception {
        int pa = freePort();
        int pb = freePort();
        try (UdpPort a = new UdpPort(UdpSettings.fromOptions(pa + "->127.0.0.1:" + pb, Map.of()));
                UdpPort b = new UdpPort(UdpSettings.fromOptions("127.0.0.1:" + pb + "->127.0.0.1:" + pa, Map.of()))) {
            CollectingSink sa = new CollectingSink();
            CollectingSink sb = new CollectingSink();
            a.setSink(sa);
            b.setSink(sb);
            byte[] small = Frames.frame("02:00:00:00:00:02", "02:00:00:00:00:01", 0, 0);
            byte[] jumbo = Frames.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 9234 - 14, 7);
            ByteBuffer heap = ByteBuffer.allocate(100).put(3, small, 0, small.length).position(3).limit(3 + small.length);
            assertThat(a.send(heap)).isTrue();
            assertThat(heap.position()).isEqualTo(3);
            ByteBuffer direct = ByteBuffer.allocateDirect(jumbo.length).put(jumbo).flip();
            assertThat(a.send(direct)).isTrue();
            assertThat(direct.position()).isZero();
            assertThat(sb.poll(WAIT)).isEqualTo(small);
            assertThat(sb.poll(WAIT)).isEqualTo(jumbo);
            byte[] back = Frames.frame("02:00:00:00:00:01", "02:00:00:00:00:02", 46, 9);
            assertThat(b.send(ByteBuffer.wrap(back))).isTrue();
            assertThat(sa.poll(WAIT)).isEqualTo(back);
            assertThat(a.statistics().framesOut.sum()).isEqualTo(2);
            assertThat(a.statistics().bytesOut.sum()).isEqualTo(small.length + jumbo.length);
            assertThat(b.statistics().framesIn.sum()).isEqualTo(2);
            assertThat(sb.batches).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void badLengthsAreCountedOnBothDirections() throws Exception {
        int pa = freePort();
        int pb = freePort();
        try (UdpPort a = new UdpPort(UdpSettings.fromOptions(pa + "->127.0.0.1:" + pb, Map.of()));
                DatagramChannel raw = DatagramChannel.open()) {
            CollectingSink sa = new CollectingSink();
            a.setSink(sa);
            assertThat(a.send(ByteBuffer.allocate(13))).isFalse();
            assertThat(a.send(ByteBuffer.allocate(9235))).isFalse();
            assertThat(a.statistics().droppedBadLength.sum()).isEqualTo(2);
            assertThat(a.statistics().framesOut.sum()).isZero();

            raw.bind(new InetSocketAddress("127.0.0.1", pb));
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", pa);
            raw.send(ByteBuffer.allocate(5), to);
            raw.send(ByteBuffer.allocate(9300), to);
            byte[] good = Frames.frame("02:00:00:00:00:01", "02:00:00:00:00:09", 20, 1);
            raw.send(ByteBuffer.wrap(good), to);
            assertThat(sa.poll(WAIT)).isEqualTo(good);
            assertThat(a.statistics().droppedBadLength.sum()).isEqualTo(4);
        }
    }

    /**
     * Security (issue 12, item 11): only the configured peer is ever heard, as with a connected
     * socket: not before the port first sends, and not after a zero-length datagram (which unlocked
     * the tunnel for anyone in the reference's scheme).
     */
    @Test
    void onlyTheConfiguredPeerIsEverHeard() throws Exception {
        int pa = freePort();
        int pb = freePort();
        try (UdpPort a = new UdpPort(UdpSettings.fromOptions(pa + "->127.0.0.1:" + pb, Map.of()));
                DatagramChannel stranger = DatagramChannel.open();
                DatagramChannel peer = DatagramChannel.open()) {
            CollectingSink sa = new CollectingSink();
            a.setSink(sa);
            stranger.bind(new InetSocketAddress("127.0.0.1", 0));
            peer.bind(new InetSocketAddress("127.0.0.1", pb));
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", pa);
            byte[] forged = Frames.frame("02:00:00:00:00:01", "02:00:00:00:00:07", 10, 1);
            byte[] genuine = Frames.frame("02:00:00:00:00:01", "02:00:00:00:00:08", 10, 2);

            // before the port has sent anything: the stranger's frame is not delivered, the peer's is
            stranger.send(ByteBuffer.wrap(forged), to);
            peer.send(ByteBuffer.wrap(genuine), to);
            assertThat(sa.poll(WAIT)).isEqualTo(genuine);

            // a zero-length datagram (from the stranger or the peer) unlocks nothing
            a.send(ByteBuffer.wrap(Frames.frame("02:00:00:00:00:07", "02:00:00:00:00:01", 10, 3)));
            stranger.send(ByteBuffer.allocate(0), to);
            peer.send(ByteBuffer.allocate(0), to);
            stranger.send(ByteBuffer.wrap(forged), to);
            peer.send(ByteBuffer.wrap(genuine), to);
            assertThat(sa.poll(WAIT)).isEqualTo(genuine);
            assertThat(sa.pending()).isZero();
            assertThat(a.statistics().framesIn.sum()).isEqualTo(2);
        }
    }

    /** Without a source address the socket is still bound to one local address: the one the route to the peer uses. */
    @Test
    void theSocketListensOnlyOnTheAddressTowardsThePeer() throws Exception {
        int pa = freePort();
        int pb = freePort();
        try (UdpPort a = new UdpPort(UdpSettings.fromOptions(pa + "->127.0.0.1:" + pb, Map.of()));
                UdpPort named = new UdpPort(UdpSettings.fromOptions("127.0.0.1:" + pb + "->127.0.0.1:" + pa, Map.of()))) {
            assertThat(a.localAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", pa));
            assertThat(named.localAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", pb));
        }
    }

    @Test
    void sendAfterCloseFailsAndCloseIsIdempotent() throws Exception {
        UdpPort a = new UdpPort(UdpSettings.fromOptions(freePort() + "->127.0.0.1:" + freePort(), Map.of()));
        a.close();
        a.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.send(ByteBuffer.allocate(60)))
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }
}
