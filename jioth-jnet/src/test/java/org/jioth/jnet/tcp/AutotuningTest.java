package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.jioth.jnet.mem.MemoryBudget;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: buffers that track the bandwidth-delay product. The receive buffer grows when the
 * application drains more per round trip than before (Linux's DRS), never for a slow reader, up to
 * the maximum; the send buffer follows the congestion window; both go back to their set size once
 * idle, the receive buffer never below a window it promised; memory pressure stops the growth.
 */
class AutotuningTest {
    private static final long RTT = 10_000_000L;
    private static final int MSS = 1460;
    private static final int BASE = 256 * 1024;

    /** Receives and reads {@code n} bytes in order. */
    private static void drain(ReceiveBuffer b, int n) {
        ByteBuffer seg = ByteBuffer.allocate(MSS);
        ByteBuffer dst = ByteBuffer.allocate(64 * 1024);
        int left = n;
        while (left > 0) {
            int len = Math.min(Math.min(MSS, left), b.window());
            b.put(b.inOrder(), seg, 0, len);
            left -= len;
            while (b.read(dst.clear()) > 0) {
                // the application keeps up
            }
        }
    }

    @Test
    void aReaderDrainingMorePerRoundTripGrowsTheReceiveBufferUpToTheMaximum() {
        ReceiveBuffer b = new ReceiveBuffer(BASE);
        long t = 0;
        b.autotune(t, RTT, MSS, TcpConfig.MAX_RECEIVE_BUFFER);
        drain(b, 200_000);
        b.autotune(t += RTT, RTT, MSS, TcpConfig.MAX_RECEIVE_BUFFER);
        assertThat(b.capacity()).isEqualTo(2 * 200_000 + 16 * MSS);
        int before = b.capacity();
        drain(b, 100_000); // a slower round trip: no growth
        b.autotune(t += RTT, RTT, MSS, TcpConfig.MAX_RECEIVE_BUFFER);
        assertThat(b.capacity()).isEqualTo(before);
        for (int i = 0; i < 10; i++) {
            drain(b, b.capacity());
            b.autotune(t += RTT, RTT, MSS, TcpConfig.MAX_RECEIVE_BUFFER);
        }
        assertThat(b.capacity()).isEqualTo(TcpConfig.MAX_RECEIVE_BUFFER);
        assertThat(b.heldBytes()).as("the ring follows what is buffered, not the capacity").isLessThan(128 * 1024);
    }

    @Test
    void anIdleReceiveBufferGoesBackToItsSetSizeButKeepsAPromisedWindow() {
        ReceiveBuffer b = new ReceiveBuffer(BASE);
        b.autotune(0, RTT, MSS, TcpConfig.MAX_RECEIVE_BUFFER);
        drain(b, 500_000);
        b.autotune(RTT, RTT, MSS, TcpConfig.MAX_RECEIVE_BUFFER);
        assertThat(b.capacity()).isGreaterThan(1_000_000);
        b.promise(400_000); // the last window advertised
        b.trim();
        assertThat(b.trim()).isTrue();
        assertThat(b.capacity()).isEqualTo(400_000);
        b.promise(0);
        // a later idle period: nothing more promised beyond what the old window reached
        drain(b, 400_000);
        b.trim();
        b.trim();
        assertThat(b.capacity()).isEqualTo(BASE);
    }

    @Test
    void noGrowthUnderMemoryPressure() {
        MemoryBudget budget = new MemoryBudget("t", 1 << 20, null);
        assertThat(budget.admitConnection(TcpLayer.CONNECTION_COST, false)).isTrue();
        assertThat(budget.charge(900 * 1024)).isTrue();
        assertThat(budget.underPressure()).isTrue();
        ReceiveBuffer r = new ReceiveBuffer(BASE);
        r.attach(budget, Rings.MIN);
        r.autotune(0, RTT, MSS, TcpConfig.MAX_RECEIVE_BUFFER);
        drain(r, 3000);
        r.autotune(RTT, RTT, MSS, TcpConfig.MAX_RECEIVE_BUFFER);
        assertThat(r.capacity()).isEqualTo(BASE);
        SendBuffer s = new SendBuffer(BASE);
        s.attach(budget, Rings.MIN);
        s.follow(2_000_000, TcpConfig.MAX_SEND_BUFFER);
        assertThat(s.capacity()).isEqualTo(BASE);
    }

    @Test
    void theSendBufferFollowsTheCongestionWindowAndShrinksWhenIdle() {
        SendBuffer s = new SendBuffer(BASE);
        s.follow(100_000, TcpConfig.MAX_SEND_BUFFER); // below the set size: unchanged
        assertThat(s.capacity()).isEqualTo(BASE);
        s.follow(2L * 600_000, TcpConfig.MAX_SEND_BUFFER);
        assertThat(s.capacity()).isEqualTo(1_200_000);
        s.follow(100_000_000, TcpConfig.MAX_SEND_BUFFER);
        assertThat(s.capacity()).isEqualTo(TcpConfig.MAX_SEND_BUFFER);
        assertThat(s.write(ByteBuffer.allocate(1 << 20))).isEqualTo(1 << 20);
        s.ackTo(s.tail());
        s.trim();
        assertThat(s.trim()).isTrue();
        assertThat(s.capacity()).isEqualTo(BASE);
    }

    @Test
    void aSendBufferFollowingAGrowingWindowReallocatesItsRingOnlyByDoubling() {
        // a bulk sender: the window grows by a segment per ACK and the writer always refills the
        // buffer; the ring must not be copied into a slightly larger one at every step
        SendBuffer s = new SendBuffer(BASE);
        long cwnd = 10 * MSS;
        java.util.Set<Integer> lengths = new java.util.HashSet<>();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
        for (int step = 0; step < 3000; step++) {
            cwnd += MSS;
            s.follow(2 * cwnd, TcpConfig.MAX_SEND_BUFFER);
            int free = s.free();
            int took = s.write(chunk.clear());
            assertThat(took).as("a write takes what free() promised").isEqualTo(Math.min(free, chunk.capacity()));
            lengths.add(s.heldBytes());
            s.ackTo(s.head() + Math.min(s.size(), 2 * MSS));
        }
        assertThat(s.capacity()).isEqualTo(TcpConfig.MAX_SEND_BUFFER);
        assertThat(lengths).as("ring lengths held").hasSizeLessThanOrEqualTo(16);
    }

    @Test
    void aSendBufferFollowingTheWindowHoldsAllItsCapacity() {
        // A sender under loss keeps SACKed data above a hole until the hole is repaired, a round
        // trip or more: the buffer must hold twice the window, or new data stops (the sender turns
        // application-limited and a model-based control's bandwidth estimate with it)
        SendBuffer s = new SendBuffer(BASE);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
        while (s.write(chunk.clear()) > 0) {
            // fill the set size: the ring is BASE long
        }
        long cwnd = 200_000; // 2 x cwnd is above BASE but below twice the ring
        s.follow(2 * cwnd, TcpConfig.MAX_SEND_BUFFER);
        while (s.write(chunk.clear()) > 0) {
            // nothing is acknowledged: the hole holds the head
        }
        assertThat(s.size()).as("bytes buffered").isEqualTo(2 * (int) cwnd);
    }
}
