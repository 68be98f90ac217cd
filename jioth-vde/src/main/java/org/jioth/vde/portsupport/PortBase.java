package org.jioth.vde.portsupport;

import java.nio.ByteBuffer;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * What every port with its own receive loop shares: the sink, the counters, the description, and
 * delivery through {@link FrameDelivery} (length checks, a missing or throwing sink counted and
 * logged, never propagated into the loop).
 */
public abstract class PortBase implements EthernetPort {
    private static final System.Logger LOG = System.getLogger(PortBase.class.getName());
    protected final PortStatistics stats = new PortStatistics();
    private final String description;
    private volatile FrameSink sink;
    /** Why the receive thread ended by itself, or null. */
    private volatile Throwable failure;
    /** Told when the carrier drops because the receive thread failed. */
    private final java.util.concurrent.CopyOnWriteArrayList<Runnable> carrierListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    protected PortBase(String description) {
        this.description = description;
    }

    @Override
    public final void setSink(FrameSink sink) {
        this.sink = sink;
    }

    /** The sink now set, or null. */
    protected final FrameSink sink() {
        return sink;
    }

    @Override
    public final PortStatistics statistics() {
        return stats;
    }

    @Override
    public final String description() {
        return description;
    }

    /**
     * Starts this port's receive thread, the one way a port with a blocking receiver of its own
     * makes it: {@code virtual} for a receiver blocked in a JDK channel (the JDK parks it on its own
     * poller, so many ports cost no platform thread), a platform daemon thread for one that blocks
     * a carrier (a native read, a selector). Anything {@code body} throws, an {@link Error} included,
     * marks the port failed ({@link #failure()}, {@link #hasEnded()}), is logged, and drops the
     * carrier ({@link #onCarrierChange} listeners are told, so a NIC on the port goes down), instead
     * of ending the thread silently.
     */
    protected final Thread startReceiver(boolean virtual, String name, Runnable body) {
        Runnable guarded = () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure = e; // first, without allocating: memory may be what ran out
                try {
                    LOG.log(System.Logger.Level.ERROR, description + ": the receive thread failed; the port has ended", e);
                } catch (Throwable ignored) {
                    // failure() has it
                }
                carrierLost();
            }
        };
        Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
        return builder.name(name).start(guarded);
    }

    private void carrierLost() {
        for (Runnable r : carrierListeners) {
            try {
                r.run();
            } catch (Throwable e) {
                try {
                    LOG.log(System.Logger.Level.WARNING, description + ": a carrier listener failed", e);
                } catch (Throwable ignored) {
                    // the other listeners still run
                }
            }
        }
    }

    /** Runs {@code listener} when the carrier drops: the receive thread failed ({@link #failure()}). */
    @Override
    public void onCarrierChange(Runnable listener) {
        carrierListeners.add(listener);
        if (failure != null) {
            listener.run(); // failed before the listener came: it still learns
        }
    }

    @Override
    public java.util.Optional<Throwable> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    @Override
    public boolean hasEnded() {
        return failure != null;
    }

    /** Delivers one received frame; true when the sink got it. */
    protected final boolean deliver(ByteBuffer frame) {
        return FrameDelivery.deliver(sink, frame, stats, description);
    }

    /** Ends a batch of delivered frames. */
    protected final void endOfBatch() {
        FrameDelivery.endOfBatch(sink, description);
    }
}
