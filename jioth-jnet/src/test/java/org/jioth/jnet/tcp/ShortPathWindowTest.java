package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.tcp.TcpHarness.LOCAL_ISS;
import static org.jioth.jnet.tcp.TcpHarness.REMOTE_ISS;

import org.jioth.jnet.link.IngressBudget;
import org.jioth.jnet.tcp.TcpHarness.Seg;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.api.Test;

/**
 * The receive window on a short path (issue 10, one-way bulk from a Linux client into a jnet
 * server): a peer whose timestamp echoes come back within a tick of the timestamp clock sits on the
 * same switch and puts its whole window on the wire at once, and whatever of it does not fit the
 * queue in front of the port our packets arrive on is dropped while our loop is not running. So on
 * such a path the window stays within the port's {@link IngressBudget} (a {@code vde://} port's
 * switch queues ~92 frames), shared by every connection receiving on that port, while a port
 * without such a bound (tap, slirp, in-JVM) and a longer path autotune up to the bandwidth-delay
 * product. The first vde-like case FAILED before the cap existed (the window was the 256 KiB
 * default buffer, ~180 segments); the unbounded port, the two sharing connections and the
 * returned share FAILED while the cap was a fixed 64 segments per connection on every short path.
 */
class ShortPathWindowTest {
    static final int L = LOCAL_ISS + 1;
    static final int R = REMOTE_ISS + 1;
    static final int MSS = TcpHarness.MSS;
    static final int WSCALE = 7;
    /** What a {@code vde://} port reports with the host's default socket buffers. */
    static final int VDE_QUEUE = 92;

    /**
     * A peer (timestamps on) that fills our window each round and echoes the TSval of our latest
     * ACK; the application reads everything, and each round takes {@code roundMillis}.
     */
    static final class Peer {
        final TcpHarness h;
        final int roundMillis;
        final byte[] seg = TcpHarness.bytes(MSS, 3);
        int seq = R;
        int tsVal;
        int echo;
        long window = 65535;
        long largest;

        Peer(int roundMillis, IngressBudget port) {
            this(roundMillis, port, TcpHarness.unpaced());
        }

        Peer(int roundMillis, IngressBudget port, TcpConfig cfg) {
            h = new TcpHarness(cfg);
            this.roundMillis = roundMillis;
            h.established(h.synFromPeer().sackPermitted().wscale(WSCALE).ts(1, 0), roundMillis);
            tsVal = 2 + roundMillis;
            h.c.arrivedOn(port);
        }

        void sendWindow() {
            for (long sent = 0; sent + MSS <= window; sent += MSS) {
                h.seg().seq(seq).ack(L).win(65535).ts(tsVal, echo).data(seg).send();
                seq += MSS;
            }
        }

        void readAndAnswer() {
            h.read();
            h.advance(roundMillis);
            tsVal += roundMillis;
            for (Seg ack : h.recvAll()) {
                window = (long) ack.window() << WSCALE;
                largest = Math.max(largest, window);
                echo = ack.options().tsVal;
            }
        }

        void round() {
            sendWindow();
            readAndAnswer();
        }

        void rounds(int n) {
            for (int i = 0; i < n; i++) {
                round();
            }
        }

        void fin() {
            h.seg().flags(Tcp.FIN | Tcp.ACK).seq(seq).ack(L).win(65535).ts(tsVal, echo).send();
            h.recvAll();
        }
    }

    @Test
    void aPeerWithinATickOnAVdePortGetsAWindowItsSwitchQueueHolds() {
        Peer p = new Peer(1, new IngressBudget(VDE_QUEUE));
        p.rounds(200);
        assertThat(p.largest).isGreaterThan(60L * MSS).isLessThanOrEqualTo(64L * MSS);
    }

    @Test
    void aPeerWithinATickOnAPortWithoutABoundAutotunesAsBefore() {
        Peer p = new Peer(1, null);
        p.rounds(200);
        assertThat(p.largest).isGreaterThan(128L * MSS)
                .isLessThanOrEqualTo((long) TcpReceiver.AUTOTUNE_SEGMENTS * MSS);
    }

    @Test
    void aPeerTenMillisecondsAwayStillGetsItsBandwidthDelayProduct() {
        Peer p = new Peer(10, new IngressBudget(VDE_QUEUE));
        p.rounds(60);
        assertThat(p.largest).isGreaterThan(128L * MSS)
                .isLessThanOrEqualTo((long) TcpReceiver.AUTOTUNE_SEGMENTS * MSS);
    }

    @Test
    void twoConnectionsOnOnePortShareItsQueue() {
        IngressBudget port = new IngressBudget(VDE_QUEUE);
        Peer a = new Peer(1, port);
        Peer b = new Peer(1, port);
        for (int round = 0; round < 200; round++) {
            a.sendWindow();
            b.sendWindow();
            a.readAndAnswer();
            b.readAndAnswer();
            if (round >= 10) {
                // what both peers may send at once fits what the port's queue leaves for windows
                assertThat(a.window + b.window).as("round %d", round).isLessThanOrEqualTo((long) port.usable() * MSS);
            }
        }
        assertThat(a.largest).isGreaterThan((port.usable() / 2 - 4L) * MSS);
        assertThat(b.largest).isGreaterThan((port.usable() / 2 - 4L) * MSS);
        assertThat(port.members()).isEqualTo(2);
    }

    @Test
    void aConnectionWhosePeerFinishedGivesItsShareBack() {
        IngressBudget port = new IngressBudget(VDE_QUEUE);
        Peer a = new Peer(1, port);
        Peer b = new Peer(1, port);
        for (int round = 0; round < 50; round++) {
            a.round();
            b.round();
        }
        assertThat(a.window).isLessThanOrEqualTo((long) port.usable() / 2 * MSS + MSS);
        b.fin();
        assertThat(port.members()).isEqualTo(1);
        a.window = 0;
        a.largest = 0;
        a.rounds(50);
        assertThat(a.largest).isGreaterThan((port.usable() - 4L) * MSS);
    }

    /**
     * Where the buffer, not the port's share, bounds the window (a small SO_RCVBUF on a vde-like
     * port), a read that frees the buffer opens the window at once: the window update is due and
     * leaves with the ACK number it had.
     */
    @Test
    void readingBehindAWindowTheBufferCapsStillUpdatesIt() {
        TcpConfig cfg = TcpHarness.unpaced();
        cfg.receiveBuffer = 16 * MSS;
        cfg.receiveBufferLocked = true;
        Peer p = new Peer(1, new IngressBudget(VDE_QUEUE), cfg);
        p.window = cfg.receiveBuffer; // the whole buffer, below the port's share of 64 segments
        p.sendWindow();
        TcpHarness.Seg last = p.h.recvAll().getLast();
        assertThat(last.ack()).isEqualTo(p.seq);
        assertThat(last.window()).isZero();
        assertThat(p.h.c.windowUpdateDue()).isFalse(); // nothing read yet
        p.h.c.receiveBuffer().read(java.nio.ByteBuffer.allocate(1 << 20));
        assertThat(p.h.c.windowUpdateDue()).isTrue();
        p.h.c.windowUpdate(p.h.now);
        TcpHarness.Seg update = p.h.recv();
        assertThat(update.ack()).isEqualTo(p.seq);
        assertThat(update.window()).isPositive();
    }

    @Test
    void aClosedConnectionLeavesThePort() {
        IngressBudget port = new IngressBudget(VDE_QUEUE);
        Peer a = new Peer(1, port);
        a.rounds(20);
        a.h.seg().flags(Tcp.RST).seq(a.seq).send();
        assertThat(a.h.c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(port.members()).isZero();
        assertThat(port.promised()).isZero();
        a.h.c.arrivedOn(port); // a late segment of a closed connection does not join again
        assertThat(port.members()).isZero();
    }
}
