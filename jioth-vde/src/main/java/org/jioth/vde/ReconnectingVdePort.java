package org.jioth.vde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@code vde://} port that outlives its switch: when the switch hangs up (killed, restarted) the
 * carrier goes down, frames sent meanwhile are dropped and counted, and the port dials the same
 * switch directory again with back-off ({@link #FIRST_DELAY_MILLIS} doubling up to
 * {@link #MAX_DELAY_MILLIS}) until it is back, then the carrier comes up. Like a cable pulled and
 * plugged in again: a stack on it keeps its addresses and connections. {@code [reconnect=0]} turns
 * it off (the port then ends with its switch, as Debian's {@code vde_plug}).
 */
final class ReconnectingVdePort implements EthernetPort {
    private static final System.Logger LOG = System.getLogger(ReconnectingVdePort.class.getName());
    static final long FIRST_DELAY_MILLIS = 100;
    static final long MAX_DELAY_MILLIS = 5_000;

    /** Opens a new connection to the same switch, counting into the same {@link PortStatistics} as the first. */
    interface Dialer {
        VdePort dial() throws IOException;
    }

    private final Dialer dialer;
    private final String switchDir;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Frames sent while the switch was gone. */
    private final LongAdder droppedWhileDown = new LongAdder();
    /** Shared by every connection the dialer makes: counts keep growing across reconnects. */
    private final PortStatistics statistics;
    private volatile VdePort current;
    private volatile FrameSink sink;
    private volatile boolean closed;
    private volatile long outages;
    private Thread redialer;

    ReconnectingVdePort(VdePort first, String switchDir, Dialer dialer) {
        this.dialer = dialer;
        this.switchDir = switchDir;
        this.current = first;
        this.statistics = first.statistics();
        first.onHangUp(() -> lost(first));
    }

    /** The connection now, or null while the switch is gone (for tests). */
    VdePort current() {
        return current;
    }

    /** How many times the switch went away. */
    long outages() {
        return outages;
    }

    private void lost(VdePort dead) {
        synchronized (this) {
            if (closed || current != dead) {
                return;
            }
            current = null;
            outages++;
            redialer = Thread.ofVirtual().name("vde-redial " + switchDir).start(this::redial);
        }
        dead.close();
        LOG.log(System.Logger.Level.WARNING, "vde://" + switchDir + ": the switch is gone; carrier down, reconnecting");
        changed();
    }

    private void redial() {
        long delay = FIRST_DELAY_MILLIS;
        while (!closed) {
            try {
                TimeUnit.MILLISECONDS.sleep(delay);
            } catch (InterruptedException e) {
                return; // closed
            }
            VdePort p;
            try {
                p = dialer.dial();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "vde://" + switchDir + ": reconnect failed: " + e.getMessage());
                delay = Math.min(2 * delay, MAX_DELAY_MILLIS);
                continue;
            }
            synchronized (this) {
                if (closed) {
                    p.close();
                    return;
                }
                FrameSink s = sink;
                if (s != null) {
                    p.setSink(s);
                }
                current = p;
            }
            LOG.log(System.Logger.Level.WARNING, "vde://" + switchDir + ": reconnected; carrier up");
            p.onHangUp(() -> lost(p));
            changed();
            return;
        }
    }

    private void changed() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "carrier listener failed", e);
            }
        }
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        VdePort c = current;
        if (c == null) {
            droppedWhileDown.increment();
            return false;
        }
        return c.send(frame);
    }

    /** Every connection it makes is a {@link VdePort}'s. */
    @Override
    public boolean pushesBackLosslessly() {
        return true;
    }

    @Override
    public void flush() {
        VdePort c = current;
        if (c != null) {
            c.flush();
        }
    }

    /** Reads whichever connection the port has now: the reader follows it across reconnects. */
    @Override
    public java.util.Optional<DirectReceive> directReceive() {
        try {
            return java.util.Optional.of(LinkReceive.open(() -> {
                VdePort c = current;
                return c == null ? null : c.dataLink();
            }, "vde://" + switchDir));
        } catch (org.jioth.linux.ErrnoException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "vde://" + switchDir + ": no direct receive: " + e.getMessage());
            return java.util.Optional.empty();
        }
    }

    /** What the switch's socket toward our data socket holds ({@link SwitchQueue}). */
    @Override
    public int ingressQueueFrames() {
        return SwitchQueue.FRAMES;
    }

    @Override
    public synchronized void setSink(FrameSink sink) {
        this.sink = sink;
        VdePort c = current;
        if (c != null) {
            c.setSink(sink);
        }
    }

    /** The counters of every connection the port made (the dialer gives each the same ones). */
    @Override
    public PortStatistics statistics() {
        return statistics;
    }

    /** Frames dropped because the switch was gone. */
    long droppedWhileDown() {
        return droppedWhileDown.sum();
    }

    @Override
    public String description() {
        VdePort c = current;
        return c != null ? c.description() : "vde://" + switchDir + " (reconnecting)";
    }

    @Override
    public boolean carrier() {
        return current != null && !closed;
    }

    @Override
    public void onCarrierChange(Runnable listener) {
        listeners.add(listener);
    }

    /**
     * True while the switch is gone (the port keeps dialling it): a cable ({@code ioth plug}) or a
     * capture then stops, as {@code vde_plug} does, while a stack keeps the port and waits.
     */
    @Override
    public boolean hasEnded() {
        return current == null;
    }

    @Override
    public void close() {
        VdePort c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
            current = null;
            if (redialer != null) {
                redialer.interrupt();
            }
        }
        if (c != null) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return description();
    }
}
