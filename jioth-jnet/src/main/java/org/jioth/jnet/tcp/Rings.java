package org.jioth.jnet.tcp;

/**
 * Growth of the byte rings of {@link SendBuffer} and {@link ReceiveBuffer}, which address bytes
 * by stream offset ({@code offset % ring.length}): a ring starts at {@link #FIRST} bytes on its first
 * byte and doubles as data needs it, up to the socket's buffer size, so a connection holds what it
 * buffers, not what it may buffer (as Linux charges skbs, not SO_RCVBUF).
 */
final class Rings {
    /**
     * What a connection's admission prepays per ring and what a ring may always grow to, memory
     * pressure or not: a request/response connection carries a few hundred bytes each way (two
     * 4 KiB first rings were 8 of 15 KB per accepted connection, JFR); a stream doubles past this
     * within a few segments.
     */
    static final int MIN = 1024;
    /**
     * The length of a ring's first allocation when what it must hold fits: an HTTP request or
     * response, an echoed byte, take 100-200 bytes, and the two 1 KiB rings were half of what the
     * stack loop allocated per Netty request under {@code ab} (JFR: 2 of 3.75 KB). Below
     * {@link #MIN}, so within the prepaid reserve: growing up to MIN charges nothing, and memory
     * pressure still lets a ring grow to MIN.
     */
    static final int FIRST = 256;

    private Rings() {
    }

    /** The length a ring needs to hold {@code needed} bytes, at most {@code capacity}. */
    static int lengthFor(int needed, int capacity) {
        int n = FIRST;
        while (n < needed && n < capacity) {
            n <<= 1;
        }
        return Math.min(n, Math.max(capacity, 1));
    }

    /** A ring of {@code length} holding the {@code count} bytes of {@code old} from stream offset {@code base}. */
    static byte[] grow(byte[] old, long base, int count, int length) {
        byte[] ring = new byte[length];
        long off = base;
        int left = old.length == 0 ? 0 : count;
        while (left > 0) {
            int from = (int) (off % old.length);
            int to = (int) (off % length);
            int chunk = Math.min(left, Math.min(old.length - from, length - to));
            System.arraycopy(old, from, ring, to, chunk);
            off += chunk;
            left -= chunk;
        }
        return ring;
    }
}
