package org.jioth.slirp;

import java.nio.ByteBuffer;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * Two ports wired to each other in this JVM: a frame sent on one is handed, on the sender's thread
 * and without a copy or a queue, to the other's sink (which copies it if it keeps it, as every sink
 * must). Sinks never block (the contract of {@link FrameSink}), so neither does {@link End#send}.
 * The slirp port and its gateway stack are the two ends; an in-JVM hub in between cost a copy and
 * a queue per frame.
 */
final class PortPair {
    final End a;
    final End b;

    PortPair(String aDescription, String bDescription) {
        a = new End(aDescription);
        b = new End(bDescription);
        a.peer = b;
        b.peer = a;
    }

    /** One end. Closing either end closes both. */
    static final class End implements EthernetPort {
        private final String description;
        private final PortStatistics statistics = new PortStatistics();
        private volatile FrameSink sink;
        private volatile boolean closed;
        private End peer;

        End(String description) {
            this.description = description;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            int len = frame.remaining();
            if (len < MIN_FRAME || len > MAX_FRAME) {
                statistics.droppedBadLength.increment();
                return false;
            }
            return handOver(frame, len, 0);
        }

        /** A TSO frame goes to the other end's sink as such (a cable to a tap with offload). */
        @Override
        public boolean sendSegmented(ByteBuffer frame, int segmentSize) {
            int len = frame.remaining();
            if (len < MIN_FRAME || len > maxSegmentedFrame() || segmentSize <= 0) {
                statistics.droppedBadLength.increment();
                return false;
            }
            return handOver(frame, len, segmentSize);
        }

        /** As the other end's sink: a cable to a tap with offload takes TSO frames. */
        @Override
        public int maxSegmentedFrame() {
            FrameSink s = peer.sink;
            return !closed && s != null ? s.maxSegmentedFrame() : 0;
        }

        private boolean handOver(ByteBuffer frame, int len, int segmentSize) {
            FrameSink s = peer.sink;
            if (closed || s == null) {
                statistics.droppedQueueFull.increment();
                peer.statistics.droppedNoSink.increment();
                return false;
            }
            statistics.framesOut.increment();
            statistics.bytesOut.add(len);
            peer.statistics.framesIn.increment();
            peer.statistics.bytesIn.add(len);
            int pos = frame.position();
            try {
                if (segmentSize > 0) {
                    s.segmentedFrame(frame, segmentSize);
                } else {
                    s.frame(frame);
                }
            } finally {
                frame.position(pos);
            }
            return true;
        }

        /**
         * The sender's burst ends: the other end's sink hears it as the end of a batch (a cable
         * behind it then flushes the port it forwards to, a tap joining TCP segments into TSO
         * super-frames).
         */
        @Override
        public void flush() {
            FrameSink s = peer.sink;
            if (!closed && s != null) {
                s.endOfBatch();
            }
        }

        /** As the other end's sink: a cable to a tap with offload takes partial checksums. */
        @Override
        public boolean acceptsPartialChecksums() {
            FrameSink s = peer.sink;
            return !closed && s != null && s.acceptsPartialChecksums();
        }

        @Override
        public void setSink(FrameSink sink) {
            this.sink = sink;
        }

        @Override
        public PortStatistics statistics() {
            return statistics;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public boolean hasEnded() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
            peer.closed = true;
        }
    }
}
