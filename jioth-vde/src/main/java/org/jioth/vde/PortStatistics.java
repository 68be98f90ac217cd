package org.jioth.vde;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one {@link EthernetPort}. Updated by the port, read by anyone. */
public final class PortStatistics {
    public final LongAdder framesIn = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder framesOut = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    /** Frames dropped because they were shorter than 14 or longer than 9234 bytes. */
    public final LongAdder droppedBadLength = new LongAdder();
    /** Frames dropped because a bounded queue was full or the peer could not take them. */
    public final LongAdder droppedQueueFull = new LongAdder();
    /** Received frames dropped because no sink was set. */
    public final LongAdder droppedNoSink = new LongAdder();
    /** Malformed input (a bad header, a wrong VNI…) counted and dropped. */
    public final LongAdder droppedMalformed = new LongAdder();
    /**
     * System calls that sent frames (one {@code sendmmsg} per batch), on ports that batch their
     * sends: with {@link #framesOut}, the frames each call carried. Zero on other ports.
     */
    public final LongAdder sendCalls = new LongAdder();
    /**
     * Times the peer's socket queue was full (EAGAIN) and frames waited in the port's transmit ring
     * for room: back-pressure from the switch, not a loss. Zero on ports without such a ring.
     */
    public final LongAdder sendRefused = new LongAdder();
    /** System calls that read frames (one {@code recvmmsg} per batch), on ports that read in batches. */
    public final LongAdder receiveCalls = new LongAdder();

    /** A snapshot by name, for printing. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("framesIn", framesIn.sum());
        m.put("bytesIn", bytesIn.sum());
        m.put("framesOut", framesOut.sum());
        m.put("bytesOut", bytesOut.sum());
        m.put("droppedBadLength", droppedBadLength.sum());
        m.put("droppedQueueFull", droppedQueueFull.sum());
        m.put("droppedNoSink", droppedNoSink.sum());
        m.put("droppedMalformed", droppedMalformed.sum());
        m.put("sendCalls", sendCalls.sum());
        m.put("sendRefused", sendRefused.sum());
        m.put("receiveCalls", receiveCalls.sum());
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
