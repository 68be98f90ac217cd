package org.jioth.vde.portsupport;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/** The receive-side checks every port shares: length limits, a missing sink, counters, a throwing sink. */
public final class FrameDelivery {
    private static final Logger LOG = System.getLogger(FrameDelivery.class.getName());

    private FrameDelivery() {
    }

    public static boolean validLength(int length) {
        return length >= EthernetPort.MIN_FRAME && length <= EthernetPort.MAX_FRAME;
    }

    /**
     * Hands {@code frame} (position..limit) to {@code sink}, or counts why not. A sink that throws
     * loses that frame only: the exception is logged, never propagated into the receive loop.
     * Returns true when the sink got the frame.
     */
    public static boolean deliver(FrameSink sink, ByteBuffer frame, PortStatistics stats, String port) {
        int length = frame.remaining();
        if (!validLength(length)) {
            stats.droppedBadLength.increment();
            return false;
        }
        if (sink == null) {
            stats.droppedNoSink.increment();
            return false;
        }
        stats.framesIn.increment();
        stats.bytesIn.add(length);
        try {
            sink.frame(frame);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, port + ": the frame sink threw; frame lost", e);
        }
        return true;
    }

    /** Tells the sink a batch ended, shielding the loop from its exceptions. */
    public static void endOfBatch(FrameSink sink, String port) {
        if (sink == null) {
            return;
        }
        try {
            sink.endOfBatch();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, port + ": the frame sink threw at end of batch", e);
        }
    }

    /** Counts an outgoing frame of bad length; returns false for the caller to return. */
    public static boolean checkSendLength(ByteBuffer frame, PortStatistics stats) {
        if (validLength(frame.remaining())) {
            return true;
        }
        stats.droppedBadLength.increment();
        return false;
    }
}
