import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.jioth.jnet.tcp.Segment;
import org.jioth.jnet.tcp.TcpConfig;
import org.jioth.jnet.tcp.TcpConnection;
import org.jioth.jnet.tcp.TcpState;

/**
 * What a jnet TcpConnection costs, on one thread and without I/O, to compare two builds (see
 * tcp-connection-cost.sh): the exact bytes one `new TcpConnection` allocates; then two connections
 * joined by a FIFO wire (no delay; seeded loss LOSS after the handshake), ROUNDS rounds of a one-way
 * bulk of MIB MiB and PINGS 1-byte ping-pongs on virtual time, printing the thread's CPU time and
 * allocation per MiB and per ping-pong, and a hash of every segment either side sent (seq, ack,
 * flags, window, length, TSval, SACK blocks): equal hashes mean the two builds put the same
 * segments on the wire. Usage: TcpConnectionCost MIB PINGS LOSS ROUNDS [cc] [pushesBack]
 */
public class TcpConnectionCost {
    static final class Pkt { TcpConnection to; final Segment seg = new Segment(); final ByteBuffer buf = ByteBuffer.allocate(70_000); }
    static final ArrayDeque<Pkt> wire = new ArrayDeque<>(), pool = new ArrayDeque<>();
    static TcpConnection a, b;
    static SplittableRandom rnd = new SplittableRandom(7);
    static double loss;
    static long now = 1_000_000_000L;

    static long hash = 17;

    static void send(TcpConnection from, Segment s) {
        hash = hash * 31 + (from == a ? 1 : 2); hash = hash * 31 + s.seq; hash = hash * 31 + s.ack; hash = hash * 31 + s.flags;
        hash = hash * 31 + s.window; hash = hash * 31 + s.payloadLength; hash = hash * 31 + s.options.tsVal; hash = hash * 31 + s.options.sackCount;
        for (int i = 0; i < s.options.sackCount; i++) { hash = hash * 31 + s.options.sackLeft(i); hash = hash * 31 + s.options.sackRight(i); }
        if (loss > 0 && rnd.nextDouble() < loss) return;
        Pkt p = pool.isEmpty() ? new Pkt() : pool.poll();
        p.to = from == a ? b : a;
        Segment c = p.seg;
        c.seq = s.seq; c.ack = s.ack; c.flags = s.flags; c.window = s.window;
        c.options.copyFrom(s.options);
        s.copyPayload(p.buf, 0);
        c.payload(p.buf, 0, s.payloadLength);
        wire.add(p);
    }

    static void drain() {
        Pkt p;
        while ((p = wire.poll()) != null) { p.to.input(p.seg, now); pool.add(p); }
    }

    static void timers() {
        if (a.nextDeadline() <= now) a.onTimer(now);
        if (b.nextDeadline() <= now) b.onTimer(now);
    }

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        constructionBytes(mx, args.length > 4 ? args[4] : null);
        int mib = Integer.parseInt(args[0]); int pings = Integer.parseInt(args[1]); double lossAfter = Double.parseDouble(args[2]);
        int rounds = Integer.parseInt(args[3]);
        TcpConfig cfg = new TcpConfig();
        if (args.length > 4) cfg.congestionControl = args[4];
        cfg.receiveBuffer = 256 * 1024; cfg.sendBuffer = 256 * 1024; cfg.noDelay = true;
        a = new TcpConnection(cfg.copy(), TcpConnectionCost::send, 1); b = new TcpConnection(cfg.copy(), TcpConnectionCost::send, 2);
        boolean pushesBack = args.length > 5 && Boolean.parseBoolean(args[5]); // as behind vde://: unpaced on a short path
        a.setFirstHopPushesBack(pushesBack); b.setFirstHopPushesBack(pushesBack);
        a.connect(100, now);
        Pkt syn = wire.poll(); b.acceptSyn(syn.seg, 200, now); pool.add(syn);
        drain();
        if (a.state() != TcpState.ESTABLISHED || b.state() != TcpState.ESTABLISHED) throw new AssertionError(a + " / " + b);
        loss = lossAfter;
        byte[] chunk = new byte[65536]; ByteBuffer rd = ByteBuffer.allocate(1 << 20); ByteBuffer one = ByteBuffer.allocate(1);
        for (int r = 0; r < rounds; r++) {
            long target = (long) mib << 20, got = 0;
            long c0 = mx.getCurrentThreadCpuTime(), m0 = mx.getCurrentThreadAllocatedBytes();
            while (got < target) {
                now += 20_000;
                int n = a.sendBuffer().write(ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, target - got)));
                if (n > 0) a.output(now);
                drain(); timers(); drain();
                rd.clear(); int k = b.receiveBuffer().read(rd); got += k;
                if (k > 0) { b.windowUpdate(now); drain(); }
            }
            long c1 = mx.getCurrentThreadCpuTime(), m1 = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < pings; i++) {
                now += 20_000;
                one.clear(); a.sendBuffer().write(one); a.output(now); drain();
                rd.clear(); while (b.receiveBuffer().read(rd) == 0) { now += 1_000_000; timers(); drain(); }
                b.windowUpdate(now);
                one.clear(); b.sendBuffer().write(one); b.output(now); drain();
                rd.clear(); while (a.receiveBuffer().read(rd) == 0) { now += 1_000_000; timers(); drain(); }
                a.windowUpdate(now); drain();
            }
            long c2 = mx.getCurrentThreadCpuTime(), m2 = mx.getCurrentThreadAllocatedBytes();
            System.out.printf("round %d: bulk %.1f us CPU/MiB, %.0f B alloc/MiB; ping-pong %.2f us CPU, %.1f B alloc; retrans %d%n", r,
                (c1 - c0) / 1e3 / mib, (m1 - m0) / (double) mib, (c2 - c1) / 1e3 / pings, (m2 - m1) / (double) pings,
                a.stats().retransmissions);
        }
        System.out.printf("wire hash %016x, segments out %d + %d%n", hash, a.stats().segmentsOut, b.stats().segmentsOut);
    }

    static Object sink;

    /** Exact bytes of one new TcpConnection (median of rounds of 100,000, after a warm-up). */
    static void constructionBytes(com.sun.management.ThreadMXBean mx, String cc) {
        TcpConfig cfg = new TcpConfig();
        cfg.congestionControl = cc;
        TcpConnection.Output out = (c, s) -> { };
        long per = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                sink = new TcpConnection(cfg, out, i);
            }
            per = (mx.getCurrentThreadAllocatedBytes() - t0) / 100_000;
        }
        System.out.printf("new TcpConnection (cc=%s): %d bytes%n", cc == null ? "default" : cc, per);
    }
}
