package org.jioth.bench;

import java.io.IOException;

/** One client of the network under test: sends a frame as fast as it is accepted, counts what arrives. */
interface Endpoint extends AutoCloseable {
    /** Sends one frame (a hello, so a switch learns where this endpoint is). */
    void sendOnce(byte[] frame) throws IOException;

    /**
     * Sends {@code frame} repeatedly until {@code deadlineNanos} ({@link System#nanoTime()}) or
     * {@code maxFrames}; returns how many the endpoint's next hop accepted.
     */
    long blast(byte[] frame, long deadlineNanos, long maxFrames) throws IOException;

    /** What this endpoint has received. */
    FrameCounter received();

    /** Frames the next hop refused while blasting (sender-side back-pressure), when known. */
    long refused();

    @Override
    void close() throws IOException;
}
