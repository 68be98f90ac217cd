package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.LongStream;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.time.ManualClock;
import org.jioth.jnet.wire.Arp;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.SeqNum;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many hostile peers at once against a whole victim stack's TCP layer on a {@link ManualClock}
 * (issue 10's checklist: the layer as a whole, where {@code HostileSegmentTest} attacks one
 * connection). Each seed lets a few peer addresses, each on a small set of ports (so tuples are
 * reused, TIME_WAIT included), flood a listener with a tiny backlog, leave handshakes half done,
 * send RST, SYN and FIN in whatever state the victim's side is in, close simultaneously, advertise
 * zero and shrinking windows and never read, replay old segments; the victim's application accepts
 * now and then, reads, writes, half-closes, closes and aborts while segments arrive, and opens
 * connections to the peers too. Frames go in one at a time and the test waits until the loop took
 * each one, so a seed replays exactly.
 *
 * <p>After every step: no exception out of the loop, TIME_WAIT and orphans within their bounds, the
 * memory budget within its limit, and every segment the victim sent is one RFC 9293 allows (no
 * data beyond the window the peer offered, no ACK of what the peer never sent, no data on a RST).
 * At the end the application closes everything and virtual time runs on: every connection and
 * TIME_WAIT record is gone and every byte charged to the memory budget is back.
 */
class HostilePeersTest {
    private static final int STEPS = 1500;
    /** {@code -Djioth.hostilePeersTrace=true}: every segment each way on stdout (with one seed, to replay a failure). */
    private static final boolean TRACE = Boolean.getBoolean("jioth.hostilePeersTrace");
    private static final int PEERS = 4;
    private static final int PORTS = 40;
    private static final int PEER_BASE = Frames.ip("10.9.0.100");
    private static final int VICTIM_IP = Frames.ip("10.9.0.1");
    private static final long PEER_MAC = 0x02000000cc00L;
    private static final int LISTEN_PORT = 80;
    /** A TIME_WAIT bound far below {@code TcpLayer.MAX_TIME_WAIT}, so the oldest record is evicted often. */
    private static final int MAX_TIME_WAIT = 1;
    private static final int MAX_ORPHANS = 16;

    /** 24 seeds in CI; {@code -Djioth.hostilePeersSeeds=N} for a longer search. */
    static LongStream seeds() {
        Long one = Long.getLong("jioth.hostilePeersSeed");
        return one != null ? LongStream.of(one) : LongStream.rangeClosed(1, Long.getLong("jioth.hostilePeersSeeds", 24));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void manyHostilePeersNeverBreakTheLayersInvariants(long seed) throws Exception {
        try (Run run = new Run(seed)) {
            for (int i = 0; i < STEPS; i++) {
                run.step(i);
                run.checkInvariants("step " + i + " of seed " + seed);
            }
            run.finish("end of seed " + seed);
        }
    }

    /**
     * The seeds CI runs reach what the test claims to attack: every state a connection passes on
     * its way to CLOSED, TIME_WAIT (and its bound), SYN cookies, a full accept queue, zero-window
     * probes, resets of established connections.
     */
    @org.junit.jupiter.api.Test
    void theSeedsReachEveryStateAndDefence() throws Exception {
        java.util.Set<String> states = new java.util.TreeSet<>();
        Map<String, Long> reached = new java.util.TreeMap<>();
        for (long seed = 1; seed <= 24; seed++) {
            try (Run run = new Run(seed)) {
                for (int i = 0; i < STEPS; i++) {
                    run.step(i);
                    run.checkInvariants("step " + i + " of seed " + seed);
                    run.sample(states, reached);
                }
                for (Counter c : List.of(Counter.TCP_SYNCOOKIES_SENT, Counter.TCP_SYNCOOKIES_RECV,
                        Counter.TCP_LISTEN_OVERFLOWS, Counter.TCP_ESTAB_RESETS, Counter.TCP_TIME_WAIT_OVERFLOW,
                        Counter.TCP_PASSIVE_OPENS, Counter.TCP_ACTIVE_OPENS, Counter.TCP_OUT_RSTS)) {
                    reached.merge(c.name(), run.victim.counter(c), Long::sum);
                }
                run.finish("end of seed " + seed);
            }
        }
        System.out.println("hostile peers, seeds 1-24: states " + states + ", " + reached);
        assertThat(states).contains("SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
                "CLOSING", "CLOSE_WAIT", "LAST_ACK");
        assertThat(reached).allSatisfy((k, v) -> assertThat(v).as(k).isPositive());
    }

    /** One tuple as its peer sees it. */
    static final class Conn {
        final int peerIp;
        final int peerPort;
        final int victimPort;
        /** Our (the peer's) ISS and next sequence number, the highest one sent so far. */
        int iss;
        int nxt;
        int maxSent;
        /** The victim's ISS (from its SYN or SYN-ACK) and the highest sequence number it sent. */
        boolean victimSynSeen;
        int victimIss;
        int victimMax;
        /** The right edge of the window we offered: the victim must not send past it. */
        boolean edgeKnown;
        int edge;
        /** The last window we advertised. */
        int window = 65535;
        /** A peer that never reads: it advertises 0 once its buffer "fills". */
        boolean neverReads;
        boolean victimOpened;
        boolean finSent;
        /** The window scale the peer's latest SYN offered (-1: none), and the shift the victim applies to its windows. */
        int offeredScale = -1;
        int shift;
        /** The options of the SYNs this tuple sent, by sequence number (the last few). */
        final Map<Integer, TcpOptions> offers = new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, TcpOptions> e) {
                return size() > 8;
            }
        };
        boolean victimOfferedScale;
        boolean victimOfferedTs;
        /** Whether the peer's latest SYN offered timestamps, and the victim agreed (then every segment carries them). */
        boolean offeredTs;
        boolean ts;
        int tsVal;
        int lastVictimTs;
        /** The victim sent its FIN (it closed or shut its output). */
        boolean victimFinSeen;

        Conn(int peerIp, int peerPort, int victimPort) {
            this.peerIp = peerIp;
            this.peerPort = peerPort;
            this.victimPort = victimPort;
        }

        long key() {
            return key(peerIp, peerPort, victimPort);
        }

        static long key(int ip, int port, int victimPort) {
            return ((long) (ip & 0xff) << 32) | ((long) port << 16) | victimPort;
        }
    }

    static final class Run implements AutoCloseable {
        final long seed;
        final Random r;
        final ManualClock clock = new ManualClock(1_000_000_000L);
        final DirectLink link = new DirectLink();
        final JnetStack victim;
        final long victimMac;
        final ConcurrentLinkedQueue<byte[]> out = new ConcurrentLinkedQueue<>();
        final Map<Long, Conn> conns = new HashMap<>();
        final List<Conn> order = new ArrayList<>();
        final List<byte[]> history = new ArrayList<>();
        final ServerSocketChannel server;
        final List<SocketChannel> app = new ArrayList<>();
        final long memoryAtStart;
        int stepNo;

        Run(long seed) throws IOException {
            this.seed = seed;
            this.r = new Random(seed);
            victim = JnetStack.builder().clock(clock)
                    .options("seed=" + seed + ",secretseed=" + seed + ",maxorphans=" + MAX_ORPHANS
                            + ",membudget=" + System.getProperty("jioth.hostilePeersBudget", "2m"))
                    .port("vde0", link.a).build();
            int idx = victim.config().ifNameToIndex("vde0");
            victim.config().linkSetUpDown(idx, true);
            victim.config().ipAddrAdd(InetAddress.ofLiteral("10.9.0.1"), 24, idx);
            victimMac = org.jioth.jnet.wire.Mac.of(victim.config().linkGetAddr(idx));
            link.tapA(f -> {
                byte[] copy = new byte[f.remaining()];
                f.duplicate().get(copy);
                out.add(copy);
            });
            victim.onLoop(() -> {
                victim.tcp.setMaxTimeWait(MAX_TIME_WAIT);
                return null;
            });
            victim.sync();
            drain();
            memoryAtStart = victim.onLoop(() -> victim.memory().used());
            server = victim.provider().openServerSocketChannel();
            server.configureBlocking(false);
            server.bind(new InetSocketAddress(LISTEN_PORT), 1 + r.nextInt(3));
        }

        // ------------------------------------------------------------ the wire

        void inject(Conn c, int seq, int ack, int flags, int window, TcpOptions o, int len) throws IOException {
            boolean syn = (flags & Tcp.SYN) != 0;
            if (syn && o != null) {
                c.offeredScale = o.windowScale;
                c.offeredTs = o.timestamps;
                c.tsVal = o.tsVal;
                c.offers.put(seq, o);
                if ((flags & Tcp.ACK) != 0) {
                    agree(c); // our SYN-ACK to the victim's SYN settles the options
                }
            }
            if (c.ts && !syn && (flags & Tcp.RST) == 0) {
                o = new TcpOptions();
                o.timestamps = true;
                c.tsVal += r.nextInt(3);
                o.tsVal = r.nextInt(40) == 0 ? c.tsVal - r.nextInt(1 << 30) : c.tsVal; // now and then an old one (PAWS)
                o.tsEcr = c.lastVictimTs;
            }
            int hl = Tcp.headerLength(o);
            ByteBuffer b = ByteBuffer.allocate(hl + len);
            for (int k = 0; k < len; k++) {
                b.put(hl + k, (byte) ('a' + k % 26));
            }
            Tcp.emit(b, 0, c.peerPort, c.victimPort, seq, ack, flags, window, o, len, c.peerIp, VICTIM_IP);
            byte[] frame = Frames.ipv4(victimMac, PEER_MAC + (c.peerIp & 0xff), c.peerIp, VICTIM_IP,
                    Ipv4.PROTO_TCP, 64, 1, 0, b.array());
            int end = seq + len + ((flags & Tcp.SYN) != 0 ? 1 : 0) + ((flags & Tcp.FIN) != 0 ? 1 : 0);
            if (SeqNum.gt(end, c.maxSent)) {
                c.maxSent = end;
            }
            // the edge a real receiver offered: an ACK of more than the victim sent is dropped unread; the
            // edge stays the highest offered (a shrunk window does not take back what it allowed)
            if ((flags & Tcp.ACK) != 0 && (flags & Tcp.RST) == 0 && c.victimSynSeen && SeqNum.le(ack, c.victimMax)) {
                int right = ack + (syn ? window : window << c.shift);
                if (!c.edgeKnown || SeqNum.gt(right, c.edge)) {
                    c.edge = right;
                    c.edgeKnown = true;
                }
                c.window = window;
            }
            if (TRACE) {
                System.out.printf("%d peer %d:%d flags %x seq %d ack %d win %d len %d%n", stepNo, c.peerIp & 0xff,
                        c.peerPort, flags, seq, ack, window, len);
            }
            history.add(frame);
            if (history.size() > 32) {
                history.remove(0);
            }
            deliver(frame);
        }

        void deliver(byte[] frame) throws IOException {
            take(frame);
            victim.sync();
            drain();
        }

        /** Hands the victim one frame and waits until its loop took it (so what it answers comes in order). */
        void take(byte[] frame) {
            long want = link.deliveredToA.get() + 1;
            link.injectIntoA(frame);
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (victim.counter(Counter.ETH_IN_FRAMES) + victim.counter(Counter.ETH_IN_QUEUE_FULL)
                    + victim.counter(Counter.ETH_IN_LINK_DOWN) < want) {
                if (System.nanoTime() > deadline) {
                    fail("the victim's loop stopped taking frames: " + victim.statistics());
                }
                Thread.yield();
            }
        }

        /** Takes what the victim sent: answers ARP, learns sequence numbers and checks each segment. */
        void drain() throws IOException {
            List<byte[]> arp = new ArrayList<>();
            for (byte[] f; (f = out.poll()) != null; ) {
                ByteBuffer b = ByteBuffer.wrap(f);
                int type = b.getShort(12) & 0xffff;
                if (type == Ethernet.TYPE_ARP) {
                    Arp a = new Arp();
                    a.wrap(b, Ethernet.HEADER, f.length - Ethernet.HEADER);
                    int target = a.targetIp();
                    if (a.operation() == Arp.REQUEST && target - PEER_BASE >= 0 && target - PEER_BASE < PEERS) {
                        arp.add(Frames.arpReply(PEER_MAC + (target & 0xff), target, a.senderMac(), a.senderIp()));
                    }
                    continue;
                }
                if (type != Ethernet.TYPE_IPV4 || f[23] != Ipv4.PROTO_TCP) {
                    continue;
                }
                int total = b.getShort(16) & 0xffff;
                int dst = b.getInt(30);
                Tcp t = new Tcp();
                assertThat(t.wrap(b, 34, total - 20, VICTIM_IP, dst)).as("checksum of a segment we sent").isEqualTo(Tcp.Check.OK);
                seen(dst, t);
            }
            for (byte[] a : arp) {
                take(a);
            }
            if (!arp.isEmpty()) {
                victim.sync();
                drain();
            }
        }

        private void seen(int dst, Tcp t) {
            if (TRACE) {
                System.out.printf("%d victim to %d:%d %s%n", stepNo, dst & 0xff, t.destinationPort(), describe(t));
            }
            String what = "step " + stepNo + " of seed " + seed + ": victim sent " + describe(t) + " to "
                    + (dst & 0xff) + ":" + t.destinationPort();
            int flags = t.flags();
            int len = t.payloadLength();
            if ((flags & Tcp.RST) != 0) {
                assertThat(len).as("%s: no data on a RST", what).isZero();
            }
            if ((flags & Tcp.SYN) != 0 && (flags & Tcp.FIN) != 0) {
                fail(what + ": SYN and FIN together");
            }
            long key = Conn.key(dst, t.destinationPort(), t.sourcePort());
            Conn c = conns.get(key);
            if (c == null) {
                if ((flags & Tcp.SYN) != 0 && (flags & Tcp.ACK) == 0) { // an active open of the victim's
                    c = new Conn(dst, t.destinationPort(), t.sourcePort());
                    c.victimOpened = true;
                    c.iss = r.nextInt();
                    c.nxt = c.iss;
                    c.maxSent = c.iss;
                    conns.put(key, c);
                    order.add(c);
                } else {
                    return; // an answer to a tuple the peer never opened (a RST for garbage)
                }
            }
            if ((flags & Tcp.FIN) != 0 && (flags & Tcp.RST) == 0) {
                c.victimFinSeen = true;
            }
            TcpOptions vo = new TcpOptions();
            t.options(vo);
            if (vo.timestamps) {
                c.lastVictimTs = vo.tsVal;
            }
            if ((flags & Tcp.SYN) != 0) {
                c.victimOfferedScale = vo.windowScale >= 0;
                c.victimOfferedTs = vo.timestamps;
                TcpOptions answered = c.offers.get(t.ack() - 1);
                if ((flags & Tcp.ACK) != 0 && answered != null) {
                    // its SYN-ACK settles them with the SYN it answers (a later SYN on the tuple may not be that one)
                    c.offeredScale = answered.windowScale;
                    c.offeredTs = answered.timestamps;
                    agree(c);
                }
                c.victimFinSeen = false;
                c.victimSynSeen = true;
                c.victimIss = t.seq();
                c.victimMax = t.seq() + 1;
                c.edgeKnown = false;
            }
            int end = t.seq() + len + ((flags & Tcp.SYN) != 0 ? 1 : 0) + ((flags & Tcp.FIN) != 0 ? 1 : 0);
            // Only data near the edge is checked: data far from it belongs to an incarnation the model does
            // not follow (a replayed cookie ACK, valid for minutes as in Linux, rebuilds an old one)
            if (len > 0 && c.edgeKnown && (flags & Tcp.RST) == 0 && Math.abs(t.seq() - c.edge) < 1 << 20) {
                // a zero-window probe may carry one byte past the edge
                assertThat(SeqNum.le(t.seq() + len, c.edge + 1)).as("%s: data within the offered window (edge %d)",
                        what, c.edge).isTrue();
            }
            if ((flags & Tcp.ACK) != 0 && (flags & Tcp.RST) == 0 && c.victimSynSeen) {
                assertThat(SeqNum.le(t.ack(), c.maxSent)).as("%s: ACK of nothing the peer sent (its highest %d)",
                        what, c.maxSent).isTrue();
            }
            if (c.victimSynSeen && (flags & Tcp.RST) == 0 && SeqNum.gt(end, c.victimMax)) {
                c.victimMax = end;
            }
            if ((flags & Tcp.RST) != 0 && (flags & Tcp.ACK) == 0) {
                return;
            }
        }

        /** A scale and timestamps hold only if both SYNs carried them (RFC 7323). */
        static void agree(Conn c) {
            c.shift = c.victimOfferedScale && c.offeredScale >= 0 ? Math.min(c.offeredScale, 14) : 0;
            c.ts = c.victimOfferedTs && c.offeredTs;
        }

        static String describe(Tcp t) {
            StringBuilder s = new StringBuilder();
            int f = t.flags();
            s.append((f & Tcp.SYN) != 0 ? "S" : "").append((f & Tcp.FIN) != 0 ? "F" : "")
                    .append((f & Tcp.RST) != 0 ? "R" : "").append((f & Tcp.ACK) != 0 ? "." : "");
            return s + " seq " + t.seq() + " ack " + t.ack() + " win " + t.window() + " len " + t.payloadLength();
        }

        // ------------------------------------------------------------ the peers and the application

        void step(int i) throws IOException {
            stepNo = i;
            int what = r.nextInt(100);
            if (what < 14) {
                syn();
            } else if (what < 17) {
                flood();
            } else if (what < 24) {
                completeHandshake();
            } else if (what < 40) {
                data();
            } else if (what < 50) {
                ack();
            } else if (what < 55) {
                fin();
            } else if (what < 56) {
                answerFin();
            } else if (what < 59) {
                rst();
            } else if (what < 62) {
                synInWindow();
            } else if (what < 66) {
                replay();
            } else if (what < 70) {
                garbage();
            } else if (what < 86) {
                application();
            } else if (what < 88) {
                connectOut();
            } else {
                advance(r.nextInt(12) == 0 ? 1_000 + r.nextInt(120_000) : 1 + r.nextInt(300));
            }
        }

        Conn pick() {
            if (order.isEmpty()) {
                return null;
            }
            // mostly recent tuples: they are the live ones
            int n = order.size();
            return order.get(r.nextInt(4) == 0 ? r.nextInt(n) : n - 1 - r.nextInt(Math.min(n, 8)));
        }

        TcpOptions synOptions() {
            TcpOptions o = new TcpOptions();
            o.mss = r.nextInt(4) == 0 ? 88 + r.nextInt(500) : 1460;
            if (r.nextBoolean()) {
                o.sackPermitted = true;
            }
            if (r.nextBoolean()) {
                o.windowScale = r.nextInt(15);
            }
            if (r.nextBoolean()) {
                o.timestamps = true;
                o.tsVal = r.nextInt();
            }
            return o;
        }

        /** A burst of SYNs from many tuples: past the SYN queue, into cookies; they stay at the back of the list. */
        void flood() throws IOException {
            for (int k = 8 + r.nextInt(32); k > 0; k--) {
                syn();
                order.add(0, order.remove(order.size() - 1));
            }
        }

        /** A SYN from a (maybe reused) tuple to the listener: reuse of TIME_WAIT and of live tuples. */
        void syn() throws IOException {
            int ip = PEER_BASE + r.nextInt(PEERS);
            int port = 1024 + r.nextInt(PORTS);
            int victimPort = r.nextInt(10) == 0 ? 81 : LISTEN_PORT; // 81: closed
            long key = Conn.key(ip, port, victimPort);
            Conn c = conns.get(key);
            if (c == null) {
                c = new Conn(ip, port, victimPort);
                conns.put(key, c);
                c.iss = r.nextInt();
            } else {
                order.remove(c);
                // a new incarnation above the old one's sequence numbers (as TIME_WAIT reuse wants; the
                // victim may still answer the old one, so the highest number sent stays comparable)
                c.iss = c.maxSent + (r.nextBoolean() ? 1 + r.nextInt(3000) : 100_000 + r.nextInt(1 << 20));
            }
            order.add(c);
            c.victimOpened = false;
            c.finSent = false;
            c.neverReads = r.nextInt(4) == 0;
            c.maxSent = c.iss;
            c.nxt = c.iss + 1;
            inject(c, c.iss, 0, Tcp.SYN, 65535, synOptions(), 0);
        }

        void completeHandshake() throws IOException {
            Conn c = pick();
            if (c == null || !c.victimSynSeen) {
                return;
            }
            if (c.victimOpened && c.nxt == c.iss) { // the victim's SYN: answer with a SYN-ACK
                inject(c, c.iss, c.victimIss + 1, Tcp.SYN | Tcp.ACK, 65535, synOptions(), 0);
                c.nxt = c.iss + 1;
                return;
            }
            inject(c, c.nxt, c.victimIss + 1, Tcp.ACK, window(c), null, r.nextInt(3) == 0 ? 1 + r.nextInt(600) : 0);
            c.nxt = c.maxSent;
        }

        int window(Conn c) {
            if (c.neverReads && r.nextInt(3) != 0) {
                return 0;
            }
            return switch (r.nextInt(8)) {
                case 0 -> 0;
                case 1 -> 1 + r.nextInt(2000); // a shrinking window
                default -> 65535 - r.nextInt(20_000);
            };
        }

        void data() throws IOException {
            Conn c = pick();
            if (c == null || !c.victimSynSeen) {
                return;
            }
            int len = 1 + r.nextInt(r.nextInt(4) == 0 ? 8000 : 1400);
            inject(c, c.nxt, c.victimMax, Tcp.ACK | (r.nextInt(4) == 0 ? Tcp.PSH : 0), window(c), null, len);
            c.nxt = c.maxSent;
        }

        void ack() throws IOException {
            Conn c = pick();
            if (c == null || !c.victimSynSeen) {
                return;
            }
            boolean old = r.nextInt(4) == 0;
            int ack = old ? c.victimMax - r.nextInt(3000) : c.victimMax;
            // an old ACK now and then rides on a newer (out-of-order) sequence number with a wide window
            int seq = old && r.nextBoolean() ? c.nxt + 1 + r.nextInt(3000) : c.nxt;
            inject(c, seq, ack, Tcp.ACK, seq == c.nxt ? window(c) : 65535 - r.nextInt(20_000), null, 0);
        }

        void fin() throws IOException {
            Conn c = pick();
            if (c == null || !c.victimSynSeen) {
                return;
            }
            inject(c, c.nxt, c.victimMax, Tcp.FIN | Tcp.ACK, window(c), null, r.nextInt(3) == 0 ? 1 + r.nextInt(500) : 0);
            c.nxt = c.maxSent;
            c.finSent = true;
        }

        /**
         * A peer whose victim closed first answers with its own FIN: with the victim's FIN acknowledged
         * (TIME_WAIT) or not yet (CLOSING, a simultaneous close).
         */
        void answerFin() throws IOException {
            for (int k = order.size() - 1; k >= 0; k--) {
                Conn c = order.get(k);
                if (c.victimFinSeen && !c.finSent) {
                    int ack = r.nextInt(4) == 0 ? c.victimMax - 1 : c.victimMax;
                    inject(c, c.nxt, ack, Tcp.FIN | Tcp.ACK, window(c), null, 0);
                    c.nxt = c.maxSent;
                    c.finSent = true;
                    return;
                }
            }
        }

        void rst() throws IOException {
            Conn c = pick();
            if (c == null) {
                return;
            }
            int off = r.nextBoolean() ? 0 : 1 + r.nextInt(3000); // exact, or in the window: a challenge ACK
            inject(c, c.nxt + off, c.victimMax, Tcp.RST | (r.nextBoolean() ? Tcp.ACK : 0), 0, null, 0);
        }

        void synInWindow() throws IOException {
            Conn c = pick();
            if (c == null || !c.victimSynSeen) {
                return;
            }
            inject(c, c.nxt + r.nextInt(100), 0, Tcp.SYN, 65535, null, 0); // no options: the live one's stay
        }

        void replay() throws IOException {
            if (!history.isEmpty()) {
                byte[] f = history.get(r.nextInt(history.size()));
                if (TRACE) {
                    ByteBuffer b = ByteBuffer.wrap(f);
                    System.out.printf("%d replay from %d:%d flags %x seq %d ack %d%n", stepNo, f[29] & 0xff,
                            b.getShort(34) & 0xffff, f[47], b.getInt(38), b.getInt(42));
                }
                deliver(f);
            }
        }

        void garbage() throws IOException {
            Conn c = pick();
            if (c == null) {
                return;
            }
            int flags = r.nextInt(64) & ~Tcp.URG;
            inject(c, c.nxt + r.nextInt(20_000) - 10_000, c.victimMax + r.nextInt(20_000) - 10_000, flags,
                    r.nextInt(65536), null, r.nextInt(3) == 0 ? r.nextInt(1400) : 0);
        }

        /** The victim's application: accept, read, write, half-close, close, abort. */
        void application() throws IOException {
            int what = r.nextInt(10);
            if (what < 2 || app.isEmpty()) {
                SocketChannel s = server.accept();
                if (s != null) {
                    if (TRACE) {
                        System.out.printf("%d accepted %s %x%n", stepNo, s, System.identityHashCode(s));
                    }
                    s.configureBlocking(false);
                    app.add(s);
                }
                return;
            }
            SocketChannel s = app.get(r.nextInt(app.size()));
            if (TRACE) {
                System.out.printf("%d application %d on %s %x%n", stepNo, what, s, System.identityHashCode(s));
            }
            try {
                boolean connected = s.isConnected() || s.isConnectionPending() && s.finishConnect();
                if (!connected && what < 7) {
                    return; // still in the handshake: only closing it is allowed
                }
                switch (what) {
                    case 2, 3 -> s.read(ByteBuffer.allocate(1 + r.nextInt(20_000)));
                    case 4, 5 -> s.write(ByteBuffer.allocate(1 + r.nextInt(30_000)));
                    case 6 -> s.shutdownOutput();
                    case 7, 8 -> {
                        app.remove(s);
                        s.close();
                    }
                    default -> {
                        app.remove(s);
                        s.setOption(StandardSocketOptions.SO_LINGER, 0);
                        s.close(); // an abort: RST
                    }
                }
            } catch (IOException | java.nio.channels.NonWritableChannelException e) {
                // reset, refused, not yet connected, output shut: the peer was hostile; the channel stays
                // until the application closes it
            }
            victim.sync();
            drain();
        }

        void connectOut() throws IOException {
            if (app.size() >= 24) {
                return;
            }
            SocketChannel s = victim.provider().openSocketChannel();
            s.configureBlocking(false);
            int ip = PEER_BASE + r.nextInt(PEERS);
            try {
                s.connect(new InetSocketAddress(org.jioth.jnet.wire.Ip4.toInet(ip), 7000 + r.nextInt(4)));
                app.add(s);
            } catch (IOException e) {
                s.close();
            }
            victim.sync();
            drain();
        }

        void advance(long millis) throws IOException {
            // in slices, so timers fire at (about) their time and the ARP cache keeps up
            long left = millis;
            while (left > 0) {
                long slice = Math.min(left, 500);
                clock.advance(Duration.ofMillis(slice));
                left -= slice;
                victim.sync();
                drain();
            }
        }

        // ------------------------------------------------------------ invariants

        /** Adds the states the victim's connections are in now, the most TIME_WAIT records and zero-window probes seen. */
        void sample(java.util.Set<String> states, Map<String, Long> reached) throws IOException {
            String tables = victim.onLoop(victim.tcp::describe);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(": tcp (\\w+) .* zwp=(\\d+)").matcher(tables);
            while (m.find()) {
                states.add(m.group(1));
                reached.merge("zeroWindowProbes", Long.parseLong(m.group(2)), Math::max);
            }
            reached.merge("timeWait", (long) victim.onLoop(victim.tcp::timeWaitCount), Math::max);
        }

        void checkInvariants(String where) throws IOException {
            if (victim.counter(Counter.LOOP_ERRORS) != 0) {
                fail(where + ": an exception escaped the loop: " + victim.statistics());
            }
            List<Long> now = victim.onLoop(() -> List.of((long) victim.tcp.connectionCount(),
                    (long) victim.tcp.timeWaitCount(), (long) victim.tcp.orphanCount(), victim.memory().used(),
                    victim.memory().limit()));
            assertThat(now.get(0)).as("%s: connections", where)
                    .isLessThanOrEqualTo((long) PEERS * PORTS * 2 + 24 + 4);
            assertThat(now.get(1)).as("%s: TIME_WAIT records", where).isLessThanOrEqualTo(MAX_TIME_WAIT);
            assertThat(now.get(2)).as("%s: orphans", where).isLessThanOrEqualTo(MAX_ORPHANS);
            assertThat(now.get(3)).as("%s: memory charged", where).isBetween(0L, now.get(4));
        }

        /** The application closes everything, the peers fall silent and time runs on: all must be given back. */
        void finish(String where) throws IOException {
            for (SocketChannel s : app) {
                s.close();
            }
            app.clear();
            server.close();
            victim.sync();
            drain();
            // long enough for every retransmission, persist and FIN_WAIT_2 timer to give up
            for (int k = 0; k < 40 * 60 / 5; k++) {
                clock.advance(Duration.ofSeconds(5));
                victim.sync();
                drain();
                checkInvariants(where + ", closing at +" + (k * 5) + " s");
            }
            String tables = victim.onLoop(victim.tcp::describe);
            assertThat(victim.onLoop(victim.tcp::connectionCount)).as("%s: connections left: %s", where, tables)
                    .isZero();
            assertThat(victim.onLoop(victim.tcp::timeWaitCount)).as("%s: TIME_WAIT left", where).isZero();
            assertThat(victim.onLoop(() -> victim.memory().used())).as("%s: memory charged after all closed: %s",
                    where, victim.statistics()).isEqualTo(memoryAtStart);
            assertThat(victim.counter(Counter.LOOP_ERRORS)).isZero();
        }

        @Override
        public void close() throws IOException {
            victim.sockets().closeAll();
            victim.close();
        }
    }
}
