package org.jioth.jnet.mem;

import java.nio.ByteBuffer;

/**
 * A layer's transmit (or reassembly output) buffer, owned by the stack loop: allocated on the first
 * send, grown to the largest datagram asked for, and given back by {@link IdleTrim} once the
 * stack has not used it for a while. An idle stack holds none.
 */
public final class Scratch {
    /** The smallest buffer handed out: an Ethernet frame with headroom. */
    static final int MIN_CAPACITY = 2048;

    private final IdleTrim trim;
    private ByteBuffer buffer;
    private boolean usedSinceTrim;

    Scratch(IdleTrim trim) {
        this.trim = trim;
    }

    /**
     * A buffer of at least {@code capacity} bytes, the same as the last call's when it is big
     * enough (its content is then kept). Loop thread only.
     */
    public ByteBuffer get(int capacity) {
        usedSinceTrim = true;
        ByteBuffer b = buffer;
        if (b == null || b.capacity() < capacity) {
            int c = MIN_CAPACITY;
            while (c < capacity) {
                c <<= 1;
            }
            ByteBuffer grown = ByteBuffer.allocate(c);
            if (b != null) {
                grown.put(0, b, 0, b.capacity());
            }
            buffer = b = grown;
            trim.held();
        }
        return b;
    }

    /** The buffer of the last {@link #get} (for the code that finishes what that caller began). */
    public ByteBuffer current() {
        return buffer;
    }

    /** Bytes held now. */
    public int held() {
        return buffer == null ? 0 : buffer.capacity();
    }

    /** Lets go of the buffer unless it was used since the last trim; true when none is held now. */
    boolean trim() {
        if (usedSinceTrim) {
            usedSinceTrim = false;
            return buffer == null;
        }
        buffer = null;
        return true;
    }
}
