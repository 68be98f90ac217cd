package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * A test context for one {@link TcpConnection} (smoltcp/gVisor style): craft the peer's segments
 * with {@link #seg()}, check ours with {@link #recv()} / {@link #recvNothing()}, move virtual time
 * with {@link #advance}. Our ISS is {@link #LOCAL_ISS}, the peer's {@link #REMOTE_ISS}.
 */
final class TcpHarness {
    static final int LOCAL_ISS = 10_000;
    static final int REMOTE_ISS = -100; // wraps around 2^32 during the tests
    static final int MSS = 1460;

    final TcpConfig cfg;
    final TcpConnection c;
    long now = 1_000_000_000L;
    final ArrayDeque<Seg> sent = new ArrayDeque<>();
    int changes;
    /** What the link may take in one TSO segment ({@link TcpConnection.Output#segmentationLimit}); 0: no TSO. */
    int segmentationLimit;
    /** What {@link TcpConnection.Output#sendLimited} reported, summed by reason (the layer's counters). */
    final long[] limitedNanos = new long[TcpStats.SendLimit.values().length];

    /** One segment we sent, copied out ({@code segmentSize}: the TSO cut, 0 for a plain segment). */
    record Seg(int seq, int ack, int flags, int window, TcpOptions options, byte[] payload, int segmentSize) {
        boolean has(int f) {
            return (flags & f) != 0;
        }

        int len() {
            return payload.length;
        }

        String text() {
            return new String(payload, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            Segment s = new Segment();
            s.seq = seq;
            s.ack = ack;
            s.flags = flags;
            s.window = window;
            s.payloadLength = payload.length;
            return s.toString();
        }
    }

    TcpHarness() {
        this(unpaced());
    }

    /** The default config without pacing: crafted-segment tests see a window's burst at once ({@code TcpPacingTest} paces). */
    static TcpConfig unpaced() {
        TcpConfig c = new TcpConfig();
        c.pacing = false;
        return c;
    }

    TcpHarness(TcpConfig cfg) {
        this.cfg = cfg;
        this.c = new TcpConnection(cfg, new TcpConnection.Output() {
            @Override
            public void send(TcpConnection conn, Segment s) {
                byte[] p = new byte[s.payloadLength];
                ByteBuffer b = ByteBuffer.wrap(p);
                s.copyPayload(b, 0);
                TcpOptions o = new TcpOptions();
                o.copyFrom(s.options);
                sent.add(new Seg(s.seq, s.ack, s.flags, s.window, o, p, s.segmentSize));
            }

            @Override
            public int segmentationLimit(TcpConnection conn) {
                return segmentationLimit;
            }

            @Override
            public void sendLimited(TcpConnection conn, TcpStats.SendLimit why, long nanos) {
                limitedNanos[why.ordinal()] += nanos;
            }
        }, 0);
        c.setListener(x -> changes++);
    }

    /** Plain config: no window scaling, SACK or timestamps, so numbers in tests stay simple. */
    static TcpConfig plain() {
        TcpConfig c = unpaced();
        c.windowScaling = false;
        c.sack = false;
        c.timestamps = false;
        c.receiveBuffer = 64 * 1024 - 1;
        return c;
    }

    // ------------------------------------------------------------ fixtures

    /** Passive open with the peer offering MSS 1460 and whatever {@code synOpts} adds. */
    SegBuilder synFromPeer() {
        return seg().flags(Tcp.SYN).seq(REMOTE_ISS).win(65535).mss(MSS);
    }

    /** ESTABLISHED through a passive open (peer: MSS 1460 only; our ISS LOCAL_ISS). */
    TcpHarness established() {
        return established(synFromPeer());
    }

    TcpHarness established(SegBuilder syn) {
        return established(syn, 0);
    }

    /** As {@link #established(SegBuilder)}, with the peer's ACK arriving {@code roundTripMillis} after our SYN-ACK. */
    TcpHarness established(SegBuilder syn, long roundTripMillis) {
        Segment s = syn.build();
        c.acceptSyn(s, LOCAL_ISS, now);
        Seg synAck = recv();
        advance(roundTripMillis);
        assertThat(synAck.flags()).isEqualTo(Tcp.SYN | Tcp.ACK);
        SegBuilder ack = seg().flags(Tcp.ACK).seq(REMOTE_ISS + 1).ack(LOCAL_ISS + 1).win(65535);
        if (synAck.options().timestamps && s.options.timestamps) {
            ack.ts(s.options.tsVal + 1 + (int) roundTripMillis, synAck.options().tsVal);
        }
        ack.send();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        recvNothing();
        return this;
    }

    // ------------------------------------------------------------ peer side

    SegBuilder seg() {
        return new SegBuilder();
    }

    /** A segment from the peer. */
    final class SegBuilder {
        private final Segment s = new Segment();
        private byte[] data = new byte[0];

        SegBuilder flags(int f) {
            s.flags = f;
            return this;
        }

        SegBuilder seq(int v) {
            s.seq = v;
            return this;
        }

        SegBuilder ack(int v) {
            s.ack = v;
            s.flags |= Tcp.ACK;
            return this;
        }

        SegBuilder win(int v) {
            s.window = v;
            return this;
        }

        SegBuilder mss(int v) {
            s.options.mss = v;
            return this;
        }

        SegBuilder wscale(int v) {
            s.options.windowScale = v;
            return this;
        }

        SegBuilder sackPermitted() {
            s.options.sackPermitted = true;
            return this;
        }

        SegBuilder ts(int val, int ecr) {
            s.options.timestamps = true;
            s.options.tsVal = val;
            s.options.tsEcr = ecr;
            return this;
        }

        SegBuilder sack(int left, int right) {
            s.options.addSack(left, right);
            return this;
        }

        SegBuilder data(String text) {
            return data(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        SegBuilder data(byte[] d) {
            this.data = d;
            return this;
        }

        Segment build() {
            // payload behind some junk so offsets are exercised
            ByteBuffer b = ByteBuffer.allocate(data.length + 7);
            b.put(7, data);
            s.payload(b, 7, data.length);
            return s;
        }

        void send() {
            c.input(build(), now);
        }
    }

    // ------------------------------------------------------------ our side

    Seg recv() {
        Seg s = sent.poll();
        if (s == null) {
            fail("expected a segment, none was sent (" + c + ")");
        }
        return s;
    }

    List<Seg> recvAll() {
        List<Seg> l = new ArrayList<>(sent);
        sent.clear();
        return l;
    }

    void recvNothing() {
        assertThat(sent).as("segments sent").isEmpty();
    }

    /** Writes into the send buffer and lets the connection send. */
    int write(String text) {
        return write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    int write(byte[] data) {
        int n = c.sendBuffer().write(ByteBuffer.wrap(data));
        c.output(now);
        return n;
    }

    String read() {
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        c.receiveBuffer().read(b);
        c.windowUpdate(now);
        return new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1);
    }

    /** Moves time forward by {@code ms}, running every timer due on the way at its own time. */
    void advance(long ms) {
        long target = now + ms * 1_000_000L;
        while (c.nextDeadline() <= target) {
            now = Math.max(now, c.nextDeadline());
            c.onTimer(now);
        }
        now = target;
    }

    /** Time until the next timer, in ms. */
    long msToDeadline() {
        return (c.nextDeadline() - now) / 1_000_000L;
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
