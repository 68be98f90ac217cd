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
    protected final PortStatistics stats = new PortStatistics();
    private final String description;
    private volatile FrameSink sink;

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

    /** Delivers one received frame; true when the sink got it. */
    protected final boolean deliver(ByteBuffer frame) {
        return FrameDelivery.deliver(sink, frame, stats, description);
    }

    /** Ends a batch of delivered frames. */
    protected final void endOfBatch() {
        FrameDelivery.endOfBatch(sink, description);
    }
}
