package org.jioth.jnet.mem;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jioth.jnet.time.Clock;
import org.jioth.jnet.time.Timer;
import org.jioth.jnet.time.TimerHeap;

/**
 * Gives back a stack's working buffers when it goes idle. While anything is held, a timer looks
 * every {@link #PERIOD_NANOS}: what was not used since the last look is dropped. Once nothing is
 * held the timer stays disarmed, so an idle stack costs no wake-up and no buffer. Loop thread only.
 */
public final class IdleTrim {
    /** How long a buffer may sit unused before it is given back. */
    public static final long PERIOD_NANOS = 1_000_000_000L;

    private final TimerHeap timers;
    private final Clock clock;
    private final Timer timer = new Timer(this::run);
    private final List<Scratch> scratches = new ArrayList<>();
    private final List<BooleanSupplier> others = new ArrayList<>();

    public IdleTrim(TimerHeap timers, Clock clock) {
        this.timers = timers;
        this.clock = clock;
    }

    /** A new scratch buffer given back when idle. */
    public Scratch scratch() {
        Scratch s = new Scratch(this);
        scratches.add(s);
        return s;
    }

    /**
     * Adds a holder trimmed with the rest: {@code trim} lets go of what was not used since its last
     * call and answers true when it holds nothing now.
     */
    public void add(BooleanSupplier trim) {
        others.add(trim);
    }

    /** Something was allocated: make sure it is looked at later. */
    public void held() {
        if (!timer.isArmed()) {
            timers.schedule(timer, clock.nanos() + PERIOD_NANOS);
        }
    }

    /** Bytes the scratch buffers hold now. */
    public long scratchBytes() {
        long n = 0;
        for (Scratch s : scratches) {
            n += s.held();
        }
        return n;
    }

    private void run() {
        boolean empty = true;
        for (Scratch s : scratches) {
            empty &= s.trim();
        }
        for (BooleanSupplier o : others) {
            empty &= o.getAsBoolean();
        }
        if (!empty) {
            timers.schedule(timer, clock.nanos() + PERIOD_NANOS);
        }
    }
}
