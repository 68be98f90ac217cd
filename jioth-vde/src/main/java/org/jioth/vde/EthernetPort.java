package org.jioth.vde;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One attachment to a virtual Ethernet network: sends whole frames and hands received ones to a
 * {@link FrameSink}. Knows nothing of IP. Frames are 14..9234 bytes; shorter or longer ones are
 * dropped and counted, on both directions.
 */
public interface EthernetPort extends Closeable {
    /** The smallest frame a port accepts: an Ethernet header. */
    int MIN_FRAME = 14;
    /** The largest frame a port accepts (a jumbo frame with a VLAN tag). */
    int MAX_FRAME = 9234;

    /**
     * Sends the frame between {@code frame.position()} and {@code frame.limit()}. The buffer is not
     * retained after the call returns and its position is left unchanged. Returns false when the
     * frame was dropped (bad length, full queue, peer gone); the drop is counted.
     */
    boolean send(ByteBuffer frame) throws IOException;

    /**
     * Pushes out the frames {@link #send} took but held back to batch them (a port with a transmit
     * queue then sends them all with one system call). A caller that sends bursts calls this once
     * after each burst; from then on, the port may hold back that thread's sends until its next
     * {@code flush()}. Sends from threads that never called it, and sends on ports that do not
     * batch, go out at once, and there this does nothing. Never blocks; frames that cannot go out
     * now stay queued in the port (or are dropped and counted when its queue is full).
     */
    default void flush() {
    }

    /**
     * True when TCP/IPv4 frames sent here may carry a partial checksum: the checksum field holding
     * only the folded pseudo-header sum (Linux's CHECKSUM_PARTIAL), to be completed from the TCP
     * header on (a tap with offload has the kernel do it, or trust it). A sender that asks per
     * frame (the answer may change when a cable behind the port is joined) saves summing the
     * payload. False by default.
     */
    default boolean acceptsPartialChecksums() {
        return false;
    }

    /**
     * True when a frame sent here is never dropped for lack of room downstream of the port at the
     * first hop: the next hop refuses what it cannot take now (a {@code vde_switch}'s datagram
     * socket answers EAGAIN) and the frame waits in the port's transmit ring, so a burst leaves at
     * the next hop's own pace. A TCP sender need not pace toward it on a short path
     * ({@code org.jioth.jnet.tcp.PacingPolicy}). False by default.
     */
    default boolean pushesBackLosslessly() {
        return false;
    }

    /**
     * The longest frame {@link #sendSegmented} takes (TSO: a tap with offload cuts it into TCP
     * segments), or 0 when this port does not segment. Asked per burst (the answer may change when
     * a cable behind the port is joined).
     */
    default int maxSegmentedFrame() {
        return 0;
    }

    /**
     * Sends one TCP/IPv4 frame (up to {@link #maxSegmentedFrame()} bytes, no IP options) whose
     * payload the link cuts into segments of {@code segmentSize} bytes each (the last may be
     * shorter), with its TCP checksum partial (as {@link #acceptsPartialChecksums()}): a TSO
     * super-segment, left unchanged. Returns false when it was dropped (counted); ports that do
     * not segment drop it as too long.
     */
    default boolean sendSegmented(ByteBuffer frame, int segmentSize) throws IOException {
        statistics().droppedBadLength.increment();
        return false;
    }

    /**
     * How many full-size frames the network queues toward this port while nobody reads it, beyond
     * which it drops them: what a close sender may have in flight toward us without loss. A
     * {@code vde://} port answers what its switch's socket toward us holds. {@link
     * Integer#MAX_VALUE} (the default): no such bound, because the peer pushes back (a tap, a
     * stream, an in-JVM port delivering on the sender's thread) or its queue is deeper than any
     * window.
     */
    default int ingressQueueFrames() {
        return Integer.MAX_VALUE;
    }

    /**
     * Sets where received frames go (replacing any earlier sink). Frames that arrive while no
     * sink is set are dropped and counted.
     */
    void setSink(FrameSink sink);

    /** This port's counters. */
    PortStatistics statistics();

    /** A short human description, for example the VNL it was opened from. */
    String description();

    /**
     * True once the network let go of this port by itself: a switch closed our connection, a
     * command exited, a stream or peer ended. A cable ({@code ioth plug}) stops then. Ports that
     * never end on their own (a hosted switch, multicast) always answer false.
     */
    default boolean hasEnded() {
        return false;
    }

    /**
     * Why this port stopped working by itself because of a failure inside jioth (its receive handler
     * threw, even an {@link OutOfMemoryError}): the port then {@linkplain #hasEnded() has ended} and
     * drops what it is sent, counted. Empty while it works, and for ports that cannot fail this way.
     */
    default java.util.Optional<Throwable> failure() {
        return java.util.Optional.empty();
    }

    /**
     * True while the port is attached to its network: the carrier of a NIC on it. A port that
     * reconnects by itself ({@code vde://}) is without carrier while its switch is gone.
     */
    default boolean carrier() {
        return !hasEnded();
    }

    /**
     * Moves this port's receiving onto the caller's thread (a stack loop with this one port), or
     * empty when the port cannot (in-JVM ports deliver on the sender's thread already). While the
     * returned handle is open the port's reactor no longer reads the socket; the owner must
     * {@link DirectReceive#poll} it. Each call takes a new handle; close the one before.
     */
    default java.util.Optional<DirectReceive> directReceive() {
        return java.util.Optional.empty();
    }

    /** Runs {@code listener} (on any thread) whenever {@link #carrier()} may have changed. */
    default void onCarrierChange(Runnable listener) {
    }

    /** Detaches from the network; idempotent. */
    @Override
    void close() throws IOException;
}
