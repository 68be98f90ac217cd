package org.jioth.jnet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * Wraps a port (a tap, say) so that IPv4 frames are lost or reordered on real time, in both
 * directions: what the stack sends and what it receives. A reordered frame is held back and goes
 * after the next frame of its direction, or after {@link #HOLD_NANOS} when none comes (so the last
 * frame of a flight is late, not lost). Each direction has its own seeded random source. It also
 * counts the TCP segments that carry SACK blocks each way, so a test can show SACK was used.
 */
final class FaultyPort implements EthernetPort {
    static final long HOLD_NANOS = 1_000_000;

    private final ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faulty port releaser");
        t.setDaemon(true);
        return t;
    });
    private final EthernetPort inner;
    private final double loss;
    private final double reorder;
    private final Direction out;
    private final Direction in;
    final AtomicLong lost = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    /** TCP segments with SACK blocks: sent by our stack, and received from the peer. */
    final AtomicLong sackSegmentsOut = new AtomicLong();
    final AtomicLong sackSegmentsIn = new AtomicLong();

    FaultyPort(EthernetPort inner, double loss, double reorder, long seed) {
        this.inner = inner;
        this.loss = loss;
        this.reorder = reorder;
        this.out = new Direction(new SplittableRandom(seed));
        this.in = new Direction(new SplittableRandom(~seed));
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        if (carriesSack(frame)) {
            sackSegmentsOut.incrementAndGet();
        }
        synchronized (out) {
            return out.pass(frame, f -> inner.send(f));
        }
    }

    @Override
    public void setSink(FrameSink sink) {
        inner.setSink(new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                if (carriesSack(frame)) {
                    sackSegmentsIn.incrementAndGet();
                }
                synchronized (in) {
                    in.pass(frame, f -> {
                        sink.frame(f);
                        return true;
                    });
                }
            }

            @Override
            public void endOfBatch() {
                sink.endOfBatch();
            }
        });
    }

    /** Where a frame goes once it passed. */
    private interface Next {
        boolean accept(ByteBuffer frame) throws IOException;
    }

    /** One direction's faults: its random source and the frame it holds back. */
    private final class Direction {
        final SplittableRandom random;
        ByteBuffer held;
        Next heldNext;

        Direction(SplittableRandom random) {
            this.random = random;
        }

        boolean pass(ByteBuffer frame, Next next) {
            try {
                if (!isIpv4(frame)) {
                    return next.accept(frame);
                }
                if (random.nextDouble() < loss) {
                    lost.incrementAndGet();
                    return true;
                }
                if (held == null && random.nextDouble() < reorder) {
                    reordered.incrementAndGet();
                    ByteBuffer h = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
                    held = h;
                    heldNext = next;
                    releaser.schedule(() -> release(h), HOLD_NANOS, TimeUnit.NANOSECONDS);
                    return true;
                }
                boolean r = next.accept(frame);
                release(held);
                return r;
            } catch (IOException e) {
                return false;
            }
        }

        /** Sends {@code h} on if it is still the frame held back. */
        void release(ByteBuffer h) {
            synchronized (this) {
                if (h == null || held != h) {
                    return;
                }
                held = null;
                try {
                    heldNext.accept(h);
                } catch (IOException | RuntimeException e) {
                    // the port closed meanwhile: the frame is lost, as on a wire
                }
            }
        }
    }

    static boolean isIpv4(ByteBuffer f) {
        int p = f.position();
        return f.remaining() >= 34 && f.getShort(p + 12) == 0x0800;
    }

    /** Whether {@code f} is an IPv4 TCP segment whose options hold a SACK option (kind 5). */
    static boolean carriesSack(ByteBuffer f) {
        if (!isIpv4(f)) {
            return false;
        }
        int ip = f.position() + 14;
        int ihl = (f.get(ip) & 0x0f) * 4;
        if ((f.get(ip + 9) & 0xff) != 6 || ihl < 20) {
            return false;
        }
        int tcp = ip + ihl;
        if (f.limit() < tcp + 20) {
            return false;
        }
        int end = tcp + ((f.get(tcp + 12) & 0xf0) >>> 4) * 4;
        int i = tcp + 20;
        while (i < end && i < f.limit()) {
            int kind = f.get(i) & 0xff;
            if (kind == 0) {
                return false;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return false;
            }
            int len = f.get(i + 1) & 0xff;
            if (kind == 5 && len >= 10) {
                return true;
            }
            if (len < 2) {
                return false;
            }
            i += len;
        }
        return false;
    }

    @Override
    public PortStatistics statistics() {
        return inner.statistics();
    }

    @Override
    public String description() {
        return "faulty " + inner.description();
    }

    @Override
    public void close() throws IOException {
        releaser.shutdownNow();
        inner.close();
    }
}
