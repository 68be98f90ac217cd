package org.jioth.vde;

import java.nio.ByteBuffer;

/**
 * Receives frames from an {@link EthernetPort}. Called on the port's delivery thread, one frame at a
 * time, in arrival order; the buffer (position..limit is the frame) is only valid during the call,
 * so a sink that keeps a frame copies it. {@link #endOfBatch()} follows each batch of frames that
 * arrived together, so a stack can flush acknowledgements once per batch.
 */
@FunctionalInterface
public interface FrameSink {
    void frame(ByteBuffer frame);

    default void endOfBatch() {
    }

    /**
     * True when this sink forwards frames to a port that {@linkplain EthernetPort#acceptsPartialChecksums()
     * accepts partial checksums} (a cable's end), so a port feeding it may accept them too.
     */
    default boolean acceptsPartialChecksums() {
        return false;
    }

    /**
     * The longest TSO frame this sink forwards to a port that {@linkplain EthernetPort#sendSegmented
     * segments} it (a cable's end), or 0.
     */
    default int maxSegmentedFrame() {
        return 0;
    }

    /**
     * A TSO frame to be cut into TCP segments of {@code segmentSize} payload bytes (see
     * {@link EthernetPort#sendSegmented}); a sink that does not forward it to a segmenting port
     * takes it whole, as a receiver takes a GRO'd packet.
     */
    default void segmentedFrame(ByteBuffer frame, int segmentSize) {
        frame(frame);
    }
}
