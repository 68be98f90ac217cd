package org.jioth.jnet;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;

/**
 * Two in-JVM ports wired back to back without a switch thread: what one end sends reaches the
 * other end's sink in the sender's thread. A test can also inject frames into end A (as if they
 * came from B's side of the wire) and tap what A sends. Counts the frames handed to A's sink, so a
 * test can wait until A's stack has taken them all.
 */
final class DirectLink {
    final End a = new End("direct link end A");
    final End b = new End("direct link end B");
    /** Frames handed to A's sink (from B or injected). */
    final AtomicLong deliveredToA = new AtomicLong();
    private volatile Consumer<ByteBuffer> tapA = f -> { };

    DirectLink() {
        a.peer = b;
        b.peer = a;
    }

    /** Sees every frame A sends (in A's sending thread; the buffer is only valid during the call). */
    void tapA(Consumer<ByteBuffer> tap) {
        this.tapA = tap;
    }

    /** A frame arriving at A from the wire. */
    void injectIntoA(byte[] frame) {
        a.receive(ByteBuffer.wrap(frame));
    }

    final class End implements EthernetPort {
        private final String name;
        private final PortStatistics stats = new PortStatistics();
        private volatile FrameSink sink;
        private End peer;
        private volatile boolean closed;

        End(String name) {
            this.name = name;
        }

        void receive(ByteBuffer frame) {
            FrameSink s = sink;
            if (s == null || closed) {
                stats.droppedNoSink.increment();
                return;
            }
            if (this == a) {
                deliveredToA.incrementAndGet();
            }
            stats.framesIn.increment();
            stats.bytesIn.add(frame.remaining());
            s.frame(frame);
            s.endOfBatch();
        }

        @Override
        public boolean send(ByteBuffer frame) {
            if (closed || frame.remaining() < MIN_FRAME || frame.remaining() > MAX_FRAME) {
                stats.droppedBadLength.increment();
                return false;
            }
            stats.framesOut.increment();
            stats.bytesOut.add(frame.remaining());
            if (this == a) {
                tapA.accept(frame.duplicate());
            }
            peer.receive(frame.duplicate());
            return true;
        }

        @Override
        public void setSink(FrameSink sink) {
            this.sink = sink;
        }

        @Override
        public PortStatistics statistics() {
            return stats;
        }

        @Override
        public String description() {
            return name;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
