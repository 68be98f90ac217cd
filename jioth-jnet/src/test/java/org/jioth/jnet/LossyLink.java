package org.jioth.jnet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jioth.jnet.time.ManualClock;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * A faulty medium on virtual time between stacks and a switch: every frame a stack sends through
 * one of the link's {@linkplain #end ends} is held until the {@link ManualClock} reaches its release
 * time (one-way delay plus jitter, first-in first-out per end), and IPv4 frames may be lost,
 * duplicated (the copy arrives a little later) or reordered (held back so that later frames
 * overtake it). Each end draws from its own seeded random source, so a direction's fault pattern
 * depends only on the frames sent that way. Frames move on only when {@link #releaseDue} is called
 * (by a {@link VirtualTimeDriver}); {@link #activity} and {@link #inSwitch} let the driver see
 * whether anything is still on its way.
 */
final class LossyLink {
    /** What happens to frames: probabilities per IPv4 frame, and virtual delays. */
    record Faults(double loss, double duplication, double reordering, Duration delay, Duration jitter) {
        static final Faults NONE = new Faults(0, 0, 0, Duration.ZERO, Duration.ZERO);

        @Override
        public String toString() {
            return "loss %.0f%%, dup %.0f%%, reorder %.0f%%, delay %d ms + jitter %d ms".formatted(100 * loss,
                    100 * duplication, 100 * reordering, delay.toMillis(), jitter.toMillis());
        }
    }

    /** Jitter comes in steps of this size, so frames of one burst share a few release times. */
    private static final long JITTER_STEP = 250_000;

    private final ManualClock clock;
    private final PriorityQueue<Held> held = new PriorityQueue<>();
    private final List<End> ends = new ArrayList<>();
    private long sequence;
    private final AtomicLong activity = new AtomicLong();
    private final AtomicLong inSwitch = new AtomicLong();
    final AtomicLong framesIn = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    final AtomicLong refusedBySwitch = new AtomicLong();

    LossyLink(ManualClock clock) {
        this.clock = clock;
    }

    /** The same faults for the frames of every end. */
    synchronized void faults(Faults f) {
        for (End e : ends) {
            e.faults = f;
        }
    }

    static Faults faultsOf(EthernetPort end) {
        return ((End) end).faults;
    }

    /** Faults for the frames sent through {@code end} (one direction). */
    void faults(EthernetPort end, Faults f) {
        ((End) end).faults = f;
    }

    /** Wraps {@code inner} (a switch port): what a stack sends through the result goes through this link. */
    synchronized EthernetPort end(EthernetPort inner, long seed) {
        End e = new End(inner, new SplittableRandom(seed));
        ends.add(e);
        return e;
    }

    /** Bumped whenever a frame enters the link, leaves it or comes out of the switch. */
    long activity() {
        return activity.get();
    }

    /** Frames handed to the switch and not yet delivered to an end's stack. */
    long inSwitch() {
        return inSwitch.get();
    }

    /** Forgets frames the switch swallowed without a trace (the driver gives up waiting for them). */
    void forgetInSwitch() {
        inSwitch.set(0);
    }

    /** The release time of the earliest held frame, {@link Long#MAX_VALUE} when none is held. */
    synchronized long nextRelease() {
        Held h = held.peek();
        return h == null ? Long.MAX_VALUE : h.release;
    }

    /** Hands every frame due at the clock's time to the switch, in release order; how many. */
    int releaseDue() throws IOException {
        long now = clock.nanos();
        int n = 0;
        while (true) {
            Held h;
            synchronized (this) {
                h = held.peek();
                if (h == null || h.release - now > 0) {
                    return n;
                }
                held.poll();
            }
            n++;
            activity.incrementAndGet();
            inSwitch.incrementAndGet(); // before: the switch may deliver it during send
            if (!h.from.inner.send(ByteBuffer.wrap(h.frame))) {
                inSwitch.decrementAndGet();
                refusedBySwitch.incrementAndGet();
            }
        }
    }

    /** A frame waiting for its release time; ties keep send order. */
    private record Held(long release, long sequence, End from, byte[] frame) implements Comparable<Held> {
        @Override
        public int compareTo(Held o) {
            int c = Long.compare(release, o.release);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    /** One stack's attachment: its frames go through the link, the switch's frames straight to it. */
    private final class End implements EthernetPort {
        final EthernetPort inner;
        final SplittableRandom random;
        /** Release time of the last in-order frame: later ones never leave before it. */
        long lastRelease = Long.MIN_VALUE;
        volatile Faults faults = Faults.NONE;

        End(EthernetPort inner, SplittableRandom random) {
            this.inner = inner;
            this.random = random;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            int len = frame.remaining();
            if (len < MIN_FRAME || len > MAX_FRAME) {
                return false;
            }
            byte[] copy = new byte[len];
            frame.get(frame.position(), copy);
            boolean ip = (copy[12] & 0xff) == 0x08 && copy[13] == 0x00;
            framesIn.incrementAndGet();
            Faults f = faults;
            try {
                holdOrLose(copy, ip, f);
            } finally {
                // after the frame is held: a driver that sees no new activity has seen the frame in
                // nextRelease() (bumped before, a driver could read nextRelease() without it, see
                // the count unchanged and jump the clock past the frame's release)
                activity.incrementAndGet();
            }
            return true;
        }

        private void holdOrLose(byte[] copy, boolean ip, Faults f) {
            synchronized (LossyLink.this) {
                long now = clock.nanos();
                if (ip && random.nextDouble() < f.loss()) {
                    lost.incrementAndGet();
                    return;
                }
                long release = now + f.delay().toNanos() + jitter(f);
                if (ip && random.nextDouble() < f.reordering()) {
                    // held back by up to two jitter ranges (at least 1 ms): later frames overtake it
                    reordered.incrementAndGet();
                    hold(Math.max(release, lastRelease) + 1_000_000 + 2 * jitter(f), copy);
                } else {
                    lastRelease = Math.max(release, lastRelease);
                    hold(lastRelease, copy);
                }
                if (ip && random.nextDouble() < f.duplication()) {
                    duplicated.incrementAndGet();
                    hold(Math.max(release, lastRelease) + jitter(f), copy);
                }
            }
        }

        private long jitter(Faults f) {
            long steps = f.jitter().toNanos() / JITTER_STEP;
            return steps == 0 ? 0 : random.nextLong(steps + 1) * JITTER_STEP;
        }

        private void hold(long release, byte[] frame) {
            held.add(new Held(release, sequence++, this, frame));
        }

        @Override
        public void setSink(FrameSink sink) {
            inner.setSink(new FrameSink() {
                @Override
                public void frame(ByteBuffer frame) {
                    sink.frame(frame);
                    inSwitch.decrementAndGet();
                    activity.incrementAndGet();
                }

                @Override
                public void endOfBatch() {
                    sink.endOfBatch();
                }
            });
        }

        @Override
        public PortStatistics statistics() {
            return inner.statistics();
        }

        @Override
        public String description() {
            return "lossy link over " + inner.description();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }
}
