package org.jioth.jnet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.jioth.jnet.wire.Tcp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two connections talking through a simulated lossy link on virtual time: every segment may be
 * lost, duplicated or delayed (reordered). Both directions stream pseudo-random bytes, then close;
 * the bytes must arrive exactly and both ends must finish the close handshake.
 */
class TcpPairTest {

    /** A segment in flight. */
    record InFlight(long at, long order, TcpConnection to, Segment seg) { }

    static final class Sim {
        final SplittableRandom rnd;
        final double loss;
        final double dup;
        final long delay = 5_000_000L;
        final long jitter;
        long now = 1_000_000_000L;
        long order;
        final PriorityQueue<InFlight> wire = new PriorityQueue<>((a, b) ->
                a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
        TcpConnection a;
        TcpConnection b;
        long delivered;

        Sim(long seed, double loss, double dup, long jitter) {
            this.rnd = new SplittableRandom(seed);
            this.loss = loss;
            this.dup = dup;
            this.jitter = jitter;
        }

        void send(TcpConnection from, Segment s) {
            TcpConnection to = from == a ? b : a;
            int copies = rnd.nextDouble() < dup ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                if (rnd.nextDouble() < loss) {
                    continue;
                }
                Segment c = new Segment();
                c.seq = s.seq;
                c.ack = s.ack;
                c.flags = s.flags;
                c.window = s.window;
                c.options.copyFrom(s.options);
                ByteBuffer p = ByteBuffer.allocate(s.payloadLength);
                s.copyPayload(p, 0);
                c.payload(p, 0, s.payloadLength);
                long j = jitter > 0 ? rnd.nextLong(jitter) : 0;
                wire.add(new InFlight(now + delay + j, order++, to, c));
            }
        }
    }

    /** One direction's application: writes a pseudo-random stream, the other side checks it. */
    static final class Stream {
        final long total;
        long written;
        long read;
        final byte[] chunk = new byte[8192];
        boolean closed;

        Stream(long total) {
            this.total = total;
        }

        static byte at(long i) {
            long x = i * 0x9E3779B97F4A7C15L;
            return (byte) (x >>> 56 ^ x >>> 29);
        }

        void pump(TcpConnection from, TcpConnection to, long now) {
            if (written < total) {
                int n = (int) Math.min(chunk.length, Math.min(total - written, from.sendBuffer().free()));
                if (n > 0) {
                    for (int i = 0; i < n; i++) {
                        chunk[i] = at(written + i);
                    }
                    written += from.sendBuffer().write(ByteBuffer.wrap(chunk, 0, n));
                    from.output(now);
                }
            } else if (!closed && from.state().synchronizedState()) {
                closed = true;
                from.shutdownOutput(now);
            }
            ByteBuffer b = ByteBuffer.allocate(16384);
            int n = to.receiveBuffer().read(b);
            for (int i = 0; i < n; i++) {
                if (b.get(i) != at(read + i)) {
                    throw new AssertionError("byte " + (read + i) + " differs");
                }
            }
            read += n;
            if (n > 0) {
                to.windowUpdate(now);
            }
        }
    }

    @ParameterizedTest(name = "{0} bytes, loss {1}, dup {2}, jitter {3} ms, {4}, sack {5}, ts {6}")
    @CsvSource({
        "2000000, 0.0,  0.0,  0,  cubic,   true,  true",
        "2000000, 0.01, 0.0,  0,  cubic,   true,  true",
        "2000000, 0.05, 0.01, 3,  cubic,   true,  true",
        "1000000, 0.05, 0.01, 3,  newreno, false, false",
        "1000000, 0.05, 0.0,  0,  newreno, true,  false",
        " 300000, 0.20, 0.05, 5,  cubic,   true,  true",
        " 200000, 0.20, 0.0,  10, newreno, false, true",
    })
    void bothDirectionsArriveExactlyAndBothSidesClose(long bytes, double loss, double dup, long jitterMs,
            String cc, boolean sack, boolean ts) {
        run(bytes ^ Double.doubleToLongBits(loss), bytes, loss, dup, jitterMs, cc, sack, ts);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void randomisedLinksAndSettings(long seed) {
        SplittableRandom r = new SplittableRandom(seed * 7919);
        run(seed, 50_000 + r.nextInt(150_000), r.nextDouble() * 0.15, r.nextDouble() * 0.05, r.nextInt(8),
                r.nextBoolean() ? "cubic" : "newreno", r.nextBoolean(), r.nextBoolean());
    }

    private void run(long seed, long bytes, double loss, double dup, long jitterMs, String cc, boolean sack,
            boolean ts) {
        Sim sim = new Sim(seed, loss, dup, jitterMs * 1_000_000L);
        TcpConfig cfg = new TcpConfig();
        cfg.congestionControl = cc;
        cfg.sack = sack;
        cfg.timestamps = ts;
        cfg.receiveBuffer = 64 * 1024;
        cfg.sendBuffer = 64 * 1024;
        cfg.synRetries = 20;
        cfg.maxRetries = 20;
        sim.a = new TcpConnection(cfg.copy(), sim::send, 1234);
        sim.b = new TcpConnection(cfg.copy(), sim::send, 98765);
        TcpConnection listenerSide = sim.b;
        // the passive side takes the first SYN that gets through
        sim.a.connect(777, sim.now);
        Stream ab = new Stream(bytes);
        Stream ba = new Stream(bytes / 2);
        long limit = sim.now + 3_600_000_000_000L;
        int steps = 0;
        while (sim.now < limit) {
            steps++;
            InFlight f = sim.wire.peek();
            long timer = Math.min(sim.a.nextDeadline(), sim.b.nextDeadline());
            long next = Math.min(f == null ? Long.MAX_VALUE : f.at, timer);
            if (next == Long.MAX_VALUE) {
                break;
            }
            sim.now = Math.max(sim.now, next);
            if (f != null && f.at <= sim.now) {
                sim.wire.poll();
                if (f.to == listenerSide && listenerSide.state() == TcpState.CLOSED && f.seg.has(Tcp.SYN)
                        && !f.seg.has(Tcp.ACK) && listenerSide.error() == null && sim.delivered == 0) {
                    listenerSide.acceptSyn(f.seg, -5, sim.now);
                    sim.delivered++;
                } else {
                    f.to.input(f.seg, sim.now);
                }
            }
            if (sim.a.nextDeadline() <= sim.now) {
                sim.a.onTimer(sim.now);
            }
            if (sim.b.nextDeadline() <= sim.now) {
                sim.b.onTimer(sim.now);
            }
            ab.pump(sim.a, sim.b, sim.now);
            ba.pump(sim.b, sim.a, sim.now);
            if (done(sim.a) && done(sim.b) && sim.a.receiveBuffer().available() == 0
                    && sim.b.receiveBuffer().available() == 0) {
                break;
            }
        }
        assertThat(ab.read).as("a -> b bytes; a: " + sim.a + " " + sim.a.error() + " b: " + sim.b + " " + sim.b.error()
                + " at " + sim.now).isEqualTo(bytes);
        assertThat(ba.read).as("b -> a bytes; a: " + sim.a + " " + sim.a.error() + " b: " + sim.b + " " + sim.b.error() + " ab=" + ab.read).isEqualTo(bytes / 2);
        assertThat(sim.a.finReceived()).isTrue();
        assertThat(sim.b.finReceived()).isTrue();
        assertThat(done(sim.a)).as("a closed: " + sim.a).isTrue();
        assertThat(done(sim.b)).as("b closed: " + sim.b).isTrue();
        assertThat(sim.a.error()).isNull();
        assertThat(sim.b.error()).isNull();
        assertThat(steps).isPositive();
        if (loss > 0) {
            assertThat(sim.a.stats().retransmissions + sim.b.stats().retransmissions).isPositive();
        }
    }

    private static boolean done(TcpConnection c) {
        return c.state() == TcpState.CLOSED || c.state() == TcpState.TIME_WAIT;
    }
}
