package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Random;
import java.util.stream.LongStream;
import org.jioth.jnet.mem.MemoryBudget;
import org.jioth.jnet.wire.SeqNum;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile peer at one connection on virtual time (issue 10's safety net for everything recovery
 * added): each seed opens a connection its own way (passive, active, half-open handshakes), with its
 * own options (SACK, timestamps, window scale), congestion control and sequence numbers placed to
 * wrap past 2^32 during the run, then feeds it a seeded mix of garbage and of segments crafted to
 * look valid (ACKs and SACK/D-SACK blocks within what we sent, overlapping and out-of-window data,
 * timestamps old and new, shut and huge windows, RST/SYN/FIN in the window) while the application
 * writes and reads and timers fire. After every step the connection's invariants must hold, and its
 * rings stay within the memory budget they are charged to; at the end every byte charged comes back.
 * Unlike {@link TcpFuzzTest}'s uniform noise, most segments here pass acceptability, so the
 * recovery states (scoreboard, RACK, PRR, undo, TLP, go-back-N) are actually entered.
 */
class HostileSegmentTest {
    private static final int STEPS = 4000;
    private static final int BUDGET = 512 * 1024;
    private static final String[] CONTROLLERS = {"cubic", "bbr", "newreno"};

    /** 24 seeds in CI; {@code -Djioth.hostileSeeds=N} for a longer search. */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, Long.getLong("jioth.hostileSeeds", 24));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aHostilePeerNeverBreaksTheConnectionsInvariants(long seed) {
        Random r = new Random(seed);
        Peer p = new Peer(r);
        for (int i = 0; i < STEPS; i++) {
            p.step(i);
            p.checkInvariants("step " + i + " of seed " + seed);
        }
        p.finish("end of seed " + seed);
    }

    /** The hostile peer, the connection under attack and the application above it. */
    private static final class Peer {
        final Random r;
        final TcpHarness h;
        final TcpConnection c;
        final MemoryBudget budget = new MemoryBudget("hostile", BUDGET, null);
        final int localIss;
        /** The peer's next sequence number (what it believes RCV.NXT of ours is). */
        int peerNxt;
        /** The highest sequence number we sent, as the peer saw it. */
        int ourMax;
        boolean sentAnything;
        int stepNo;
        int peerTs;
        int lastOurTs;
        final boolean sack;
        final boolean timestamps;
        final int scoreboardBound;
        final int rackBound;
        /** The MSS the peer announces (small ones make more segments, SACK ranges and RACK records per byte). */
        final int mss;

        Peer(Random r) {
            this.r = r;
            TcpConfig cfg = TcpHarness.unpaced();
            cfg.pacing = r.nextInt(3) == 0;
            cfg.congestionControl = CONTROLLERS[r.nextInt(CONTROLLERS.length)];
            cfg.sendBuffer = 16 * 1024 << r.nextInt(5);
            cfg.receiveBuffer = 16 * 1024 << r.nextInt(5);
            sack = r.nextInt(5) != 0;
            timestamps = r.nextBoolean();
            h = new TcpHarness(cfg);
            h.segmentationLimit = r.nextInt(3) == 0 ? 65_536 : 0; // TSO bursts on some seeds
            c = h.c;
            assertThat(budget.admitConnection(TcpLayer.CONNECTION_COST, false)).isTrue();
            c.sendBuffer().attach(budget, Rings.MIN);
            c.receiveBuffer().attach(budget, Rings.MIN);
            // both sides' sequence numbers wrap past 2^32 (and past 2^31, the sign of int) early in the run
            localIss = (r.nextBoolean() ? 0 : Integer.MIN_VALUE) - 1 - r.nextInt(40_000);
            int peerIss = (r.nextBoolean() ? 0 : Integer.MIN_VALUE) - 1 - r.nextInt(40_000);
            peerTs = r.nextInt();
            scoreboardBound = Math.max(8, SackScoreboard.boundFor(c.sendBuffer().capacity(), 64));
            rackBound = Math.max(16, scoreboardBound);
            mss = r.nextInt(4) == 0 ? 64 + r.nextInt(500) : TcpHarness.MSS;
            open(peerIss, r.nextInt(15));
        }

        /** Opens the connection one of four ways; two of them leave it in the handshake. */
        private void open(int peerIss, int wscale) {
            int how = r.nextInt(6);
            if (how <= 1) {
                c.connect(localIss, h.now);
                collect();
                if (how == 0) {
                    return; // SYN_SENT under attack
                }
                TcpHarness.SegBuilder synAck = h.seg().flags(Tcp.SYN | Tcp.ACK).seq(peerIss).ack(localIss + 1)
                        .win(65535).mss(mss).wscale(wscale);
                options(synAck);
                synAck.send();
            } else {
                TcpHarness.SegBuilder syn = h.synFromPeer().seq(peerIss).mss(mss).wscale(wscale);
                options(syn);
                c.acceptSyn(syn.build(), localIss, h.now);
                collect();
                if (how == 2) {
                    peerNxt = peerIss + 1;
                    return; // SYN_RCVD under attack
                }
                TcpHarness.SegBuilder ack = h.seg().flags(Tcp.ACK).seq(peerIss + 1).ack(localIss + 1).win(65535);
                stamp(ack);
                ack.send();
            }
            peerNxt = peerIss + 1;
            collect();
        }

        private void options(TcpHarness.SegBuilder syn) {
            if (sack) {
                syn.sackPermitted();
            }
            if (timestamps) {
                syn.ts(peerTs, 0);
            }
        }

        private void stamp(TcpHarness.SegBuilder b) {
            if (timestamps) {
                peerTs += r.nextInt(4);
                b.ts(r.nextInt(20) == 0 ? peerTs - r.nextInt(Integer.MAX_VALUE) : peerTs, lastOurTs);
            }
        }

        /** Takes what the connection sent: the peer learns SND.MAX and our latest TSval. */
        private void collect() {
            for (TcpHarness.Seg s : h.recvAll()) {
                int end = s.seq() + s.len() + (s.has(Tcp.SYN) ? 1 : 0) + (s.has(Tcp.FIN) ? 1 : 0);
                if (!sentAnything || SeqNum.gt(end, ourMax)) {
                    ourMax = end;
                    sentAnything = true;
                }
                if (s.options().timestamps) {
                    lastOurTs = s.options().tsVal;
                }
                checkSent(s);
            }
        }

        /**
         * What we send stays well-formed whatever came in: never past SND.MAX, at most one
         * MSS per segment (or per TSO cut), SACK blocks that fit the header and, but for a leading
         * D-SACK, lie above the ACK we send.
         */
        private void checkSent(TcpHarness.Seg s) {
            String what = "segment sent at step " + stepNo + ": " + s;
            if (!s.has(Tcp.RST)) { // a RST answering an unacceptable segment takes its sequence number from that segment's ACK
                assertThat(SeqNum.le(s.seq() + s.len(), c.snd.max + 1)).as("%s within SND.MAX (%s)", what, c).isTrue();
            }
            assertThat(s.segmentSize() > 0 ? s.segmentSize() : s.len()).as(what).isLessThanOrEqualTo(Math.max(mss, c.sendMss()));
            assertThat(s.window()).as(what).isBetween(0, 65535);
            TcpOptions o = s.options();
            assertThat(o.sackCount).as("%s: SACK blocks", what).isBetween(0, o.timestamps ? 3 : 4);
            for (int k = 0; k < o.sackCount; k++) {
                assertThat(SeqNum.gt(o.sackRight(k), o.sackLeft(k))).as("%s: SACK block %d not empty", what, k).isTrue();
                boolean dsack = k == 0 && SeqNum.le(o.sackRight(0), s.ack());
                if (!dsack && s.has(Tcp.ACK)) {
                    assertThat(SeqNum.gt(o.sackLeft(k), s.ack())).as("%s: SACK block %d above the ACK", what, k).isTrue();
                }
            }
        }

        void step(int i) {
            stepNo = i;
            int what = r.nextInt(100);
            if (what < 20) {
                garbage();
            } else if (what < 62) {
                crafted();
            } else if (what < 72) {
                data();
            } else if (what < 82) {
                h.write(TcpHarness.bytes(r.nextInt(r.nextBoolean() ? 200 : 40_000), i));
            } else if (what < 90) {
                h.read();
            } else if (what < 98) {
                h.advance(r.nextInt(10) == 0 ? r.nextInt(5_000) : r.nextInt(300));
            } else if (late() && r.nextInt(4) == 0) {
                if (r.nextBoolean()) {
                    c.shutdownOutput(h.now);
                } else {
                    c.close(h.now);
                }
            }
            collect();
        }

        /** The second half of the run, when either side may start closing (else most of it would be spent half-closed). */
        private boolean late() {
            return stepNo > STEPS / 2;
        }

        /** Anything at all, in a sequence space near ours half the time. */
        private void garbage() {
            TcpHarness.SegBuilder b = h.seg().flags(r.nextInt(64) & ~Tcp.URG);
            b.seq(r.nextBoolean() ? peerNxt + r.nextInt(140_000) - 70_000 : r.nextInt());
            if (r.nextInt(4) != 0) {
                b.ack(r.nextBoolean() ? ourMax + r.nextInt(140_000) - 70_000 : r.nextInt());
            }
            b.win(r.nextInt(65536));
            if (r.nextBoolean()) {
                b.ts(r.nextInt(), r.nextInt());
            }
            for (int k = r.nextInt(5); k > 0; k--) {
                int left = r.nextBoolean() ? c.snd.una + r.nextInt(60_000) - 10_000 : r.nextInt();
                b.sack(left, r.nextBoolean() ? left + r.nextInt(10_000) - 1000 : r.nextInt());
            }
            b.data(TcpHarness.bytes(r.nextInt(4) == 0 ? r.nextInt(3000) : 0, r.nextInt()));
            b.send();
        }

        /** An ACK that passes the checks: within SND.UNA..SND.MAX, SACK blocks of data we sent, a D-SACK now and then. */
        private void crafted() {
            int una = c.snd.una;
            int flight = ourMax - una;
            // in every other stretch of 250 steps the peer holds its cumulative ACK, so SACKed ranges pile up
            boolean holding = stepNo / 250 % 2 == 1;
            int ack = flight > 0 && !holding && r.nextInt(3) == 0 ? una + r.nextInt(flight + 1) : una;
            int flags = Tcp.ACK | (late() && r.nextInt(30) == 0 ? Tcp.FIN : 0) | (r.nextInt(80) == 0 ? Tcp.RST : 0)
                    | (r.nextInt(120) == 0 ? Tcp.SYN : 0) | (r.nextInt(5) == 0 ? Tcp.PSH : 0);
            // an exact RST ends the connection: late in the run only, else one in the window (a challenge ACK)
            boolean exactRst = (flags & Tcp.RST) != 0 && stepNo > STEPS * 3 / 4;
            int off = exactRst ? 0 : (flags & Tcp.RST) != 0 ? 1 + r.nextInt(3000)
                    : r.nextInt(10) == 0 ? r.nextInt(3000) - 1500 : 0;
            TcpHarness.SegBuilder b = h.seg().flags(flags).seq(peerNxt + off).ack(ack).win(window());
            stamp(b);
            if (sack && flight > 0) {
                if (r.nextInt(8) == 0) {
                    int left = ack - 1 - r.nextInt(Math.max(1, Math.min(flight, 5000)));
                    b.sack(left, left + 1 + r.nextInt(3000)); // D-SACK below the ACK
                }
                if (r.nextInt(holding ? 2 : 4) == 0 && flight > 2) {
                    comb(b, ack, flight); // many small ranges: the scoreboard's bound
                }
                for (int k = r.nextInt(4); k > 0 && flight > 2; k--) {
                    int left = ack + 1 + r.nextInt(flight - 1);
                    int len = r.nextBoolean() ? mss * (1 + r.nextInt(4)) : 1 + r.nextInt(4000);
                    b.sack(left, r.nextInt(10) == 0 ? left + len + flight : left + Math.min(len, ourMax - left));
                }
            }
            if (flags == Tcp.ACK && r.nextInt(3) == 0) {
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    b.send(); // duplicate ACKs, as loss makes them
                }
            }
            b.send();
            if ((flags & Tcp.FIN) != 0) {
                peerNxt++;
            }
        }

        /** Four SACK blocks of {@code g} bytes with {@code g}-byte holes between them, somewhere in the flight. */
        private void comb(TcpHarness.SegBuilder b, int ack, int flight) {
            int g = 1 + r.nextInt(64);
            int left = ack + 1 + r.nextInt(flight - 1);
            for (int j = 0; j < 4 && SeqNum.le(left + g, ourMax); j++, left += 2 * g) {
                b.sack(left, left + g);
            }
        }

        /** Data around RCV.NXT: in order, overlapping, out of order, beyond the window. */
        private void data() {
            int len = r.nextInt(4) == 0 ? 1 + r.nextInt(60_000) : 1 + r.nextInt(TcpHarness.MSS);
            int kind = r.nextInt(10);
            int seq = switch (kind) {
                case 0, 1, 2, 3 -> peerNxt;
                case 4, 5 -> peerNxt - r.nextInt(3000); // overlapping what was taken
                case 6, 7, 8 -> peerNxt + 1 + r.nextInt(c.receiveBuffer().capacity() + 1); // out of order, near the edge
                default -> peerNxt + r.nextInt(Integer.MAX_VALUE); // far out of the window
            };
            TcpHarness.SegBuilder b = h.seg().flags(Tcp.ACK | (late() && r.nextInt(20) == 0 ? Tcp.FIN : 0)).seq(seq)
                    .ack(c.snd.una).win(window()).data(TcpHarness.bytes(len, seq));
            stamp(b);
            b.send();
            if (kind <= 3) {
                peerNxt = c.receiveNext();
            }
        }

        private int window() {
            return switch (r.nextInt(8)) {
                case 0 -> 0;
                case 1 -> 1 + r.nextInt(100);
                default -> 65535 - r.nextInt(20_000);
            };
        }

        void checkInvariants(String where) {
            TcpSender snd = c.snd;
            assertThat(SeqNum.le(snd.una, snd.nxt)).as("%s: SND.UNA %d <= SND.NXT %d (%s)", where, snd.una, snd.nxt, c)
                    .isTrue();
            assertThat(SeqNum.le(snd.nxt, snd.max)).as("%s: SND.NXT <= SND.MAX (%s)", where, c).isTrue();
            long sendTail = c.sendBuffer().tail();
            long sendHead = c.sendBuffer().head();
            // SYN and FIN take a sequence number each outside the buffer
            assertThat(snd.offset(snd.una)).as("%s: SND.UNA within the send buffer (%s)", where, c)
                    .isBetween(sendHead - 1, sendTail + 1);
            assertThat(snd.offset(snd.max)).as("%s: SND.MAX within the send buffer (%s)", where, c)
                    .isBetween(sendHead - 1, sendTail + 1);
            SackScoreboard board = c.recovery.scoreboard;
            assertThat(board.count()).as("%s: scoreboard ranges", where).isBetween(0, scoreboardBound);
            long prev = Long.MIN_VALUE;
            for (int k = 0; k < board.count(); k++) {
                assertThat(board.start(k)).as("%s: scoreboard range %d sorted and disjoint", where, k)
                        .isGreaterThan(prev).isLessThan(board.end(k));
                prev = board.end(k);
            }
            if (board.count() > 0) {
                assertThat(board.start(0)).as("%s: SACKed data above SND.UNA", where)
                        .isGreaterThanOrEqualTo(snd.offset(snd.una));
                assertThat(board.end(board.count() - 1)).as("%s: SACKed data within SND.MAX", where)
                        .isLessThanOrEqualTo(snd.offset(snd.max));
            }
            if (c.recovery.rack != null) {
                assertThat(c.recovery.rack.entries()).as("%s: RACK records", where).isBetween(0, rackBound);
            }
            ReceiveBuffer rb = c.receiveBuffer();
            assertThat(rb.available()).as("%s: readable bytes", where).isBetween(0, rb.capacity());
            assertThat(rb.heldBytes()).as("%s: receive ring", where).isBetween(0, rb.capacity());
            assertThat(rb.window()).as("%s: receive window", where).isGreaterThanOrEqualTo(0);
            assertThat(c.sendBuffer().size()).as("%s: send buffer", where).isBetween(0, c.sendBuffer().capacity());
            assertThat(c.sendBuffer().heldBytes()).as("%s: send ring", where)
                    .isBetween(0, Math.max(c.sendBuffer().capacity(), Rings.MIN));
            assertThat(budget.used()).as("%s: memory charged", where).isBetween(0L, budget.limit());
            CongestionControl cc = c.congestion();
            assertThat(cc.cwnd()).as("%s: cwnd", where).isBetween(1, 1 << 30);
            assertThat(cc.ssthresh()).as("%s: ssthresh", where).isPositive();
            if (c.recovery.active && c.sackOk) {
                assertThat(c.recovery.pipe()).as("%s: pipe", where).isBetween(0, snd.max - snd.una);
            }
            for (Field f : TcpStats.class.getFields()) {
                if (f.getType() == long.class && !Modifier.isStatic(f.getModifiers())) {
                    try {
                        assertThat(f.getLong(c.stats())).as("%s: TcpStats.%s", where, f.getName())
                                .isGreaterThanOrEqualTo(0);
                    } catch (IllegalAccessException e) {
                        throw new AssertionError(e);
                    }
                }
            }
            assertThat(c.stats().retransmissions).as("%s: retransmissions among segments sent", where)
                    .isLessThanOrEqualTo(c.stats().segmentsOut);
        }

        /** Time moves it along to its end; then every byte charged beyond the connection's reserve is back. */
        void finish(String where) {
            h.advance(1_000);
            h.read();
            c.abort(h.now);
            h.advance(600_000);
            collect();
            checkInvariants(where);
            assertThat(c.state()).as("%s: after an abort", where).isEqualTo(TcpState.CLOSED);
            assertThat(c.nextDeadline()).as("%s: no timer left in the past", where).isGreaterThan(h.now);
            // the connection is gone, as TcpLayer ends it: the rings' charges and the admission go back
            c.sendBuffer().detach();
            c.receiveBuffer().detach();
            budget.releaseConnection(TcpLayer.CONNECTION_COST);
            assertThat(budget.used()).as("%s: every byte charged given back", where).isZero();
        }
    }
}
