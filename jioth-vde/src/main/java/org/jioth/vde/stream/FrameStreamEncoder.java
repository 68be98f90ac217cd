package org.jioth.vde.stream;

import java.nio.ByteBuffer;
import org.jioth.vde.EthernetPort;

/**
 * Writes frames in the stream framing of vde-protocols.md §12: a 2-byte unsigned big-endian length,
 * then the frame. Stateless.
 */
public final class FrameStreamEncoder {
    /** Bytes of the length prefix. */
    public static final int HEADER = 2;
    /** The longest frame the framing carries (vde_plug refuses longer ones). */
    public static final int MAX_FRAME = EthernetPort.MAX_FRAME;
    /** The longest record: prefix and largest frame. */
    public static final int MAX_RECORD = HEADER + MAX_FRAME;

    private FrameStreamEncoder() {
    }

    /**
     * Appends the record of {@code frame} (position..limit; its position is left unchanged) to
     * {@code out} at its position, advancing it. Returns the record length.
     *
     * @throws IllegalArgumentException for an empty frame or one longer than {@link #MAX_FRAME}
     * @throws java.nio.BufferOverflowException when {@code out} has no room for the record
     */
    public static int encode(ByteBuffer frame, ByteBuffer out) {
        int length = frame.remaining();
        if (length == 0 || length > MAX_FRAME) {
            throw new IllegalArgumentException("a stream record carries 1.." + MAX_FRAME + " bytes, not " + length);
        }
        if (out.remaining() < HEADER + length) {
            throw new java.nio.BufferOverflowException();
        }
        out.put((byte) (length >>> 8)).put((byte) length);
        out.put(out.position(), frame, frame.position(), length);
        out.position(out.position() + length);
        return HEADER + length;
    }

    /** The record of {@code frame} as a new array (for tests and one-off writes). */
    public static byte[] encode(byte[] frame) {
        ByteBuffer out = ByteBuffer.allocate(HEADER + frame.length);
        encode(ByteBuffer.wrap(frame), out);
        return out.array();
    }
}
