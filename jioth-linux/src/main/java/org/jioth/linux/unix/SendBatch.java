package org.jioth.linux.unix;

import static org.jioth.linux.unix.UnixNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;

/**
 * Datagrams waiting to go out on a connected socket with one {@code sendmmsg}: each {@link #add}
 * copies a frame into one native buffer right after the previous one (so small frames take little
 * room, unlike {@link DatagramBatch}'s fixed slots), and {@link #send} moves them all in one system
 * call. Native memory, iovecs and mmsghdrs are allocated once; adding and sending allocate nothing.
 * Not thread-safe: the owner serialises calls, including {@link #close}.
 */
public final class SendBatch implements AutoCloseable {
    // struct mmsghdr on LP64 Linux: msghdr (56 bytes) + unsigned msg_len, padded to 64.
    private static final long MMSG_SIZE = 64;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long IOV_SIZE = 16;

    private final Arena arena = Arena.ofShared();
    private final int maxDatagrams;
    private final MemorySegment bytes;
    private final ByteBuffer view;
    private final MemorySegment iovs;
    private final MemorySegment msgs;
    private final long base;
    private final int[] lengths;
    private int count;
    private int used;

    /**
     * Room for up to {@code maxDatagrams} datagrams of {@code byteCapacity} bytes in all; a single
     * datagram may be up to {@code byteCapacity} long.
     */
    public SendBatch(int maxDatagrams, int byteCapacity) {
        if (maxDatagrams < 1 || byteCapacity < 1) {
            throw new IllegalArgumentException("batch sizes must be positive: " + maxDatagrams + ", " + byteCapacity);
        }
        this.maxDatagrams = maxDatagrams;
        bytes = arena.allocate(byteCapacity, 64);
        view = bytes.asByteBuffer();
        iovs = arena.allocate(maxDatagrams * IOV_SIZE, 8);
        msgs = arena.allocate(maxDatagrams * MMSG_SIZE, 8);
        base = bytes.address();
        lengths = new int[maxDatagrams];
        for (int i = 0; i < maxDatagrams; i++) {
            msgs.set(ValueLayout.ADDRESS, i * MMSG_SIZE + MSG_IOV, iovs.asSlice(i * IOV_SIZE, IOV_SIZE));
            msgs.set(ValueLayout.JAVA_LONG, i * MMSG_SIZE + MSG_IOVLEN, 1L);
        }
    }

    /** Datagrams added since the last {@link #send}. */
    public int size() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Bytes added since the last {@link #send}. */
    public long bytes() {
        return used;
    }

    /** The bytes of the first {@code n} datagrams of the last send (valid until the next add). */
    public long bytesOfFirst(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += lengths[i];
        }
        return sum;
    }

    /** Whether a datagram of {@code length} bytes would fit now. */
    public boolean fits(int length) {
        return count < maxDatagrams && length <= view.capacity() - used;
    }

    /**
     * Copies {@code frame} (position..limit, position unchanged) in after the datagrams already
     * added; false when it does not fit now (send first) or never could.
     */
    public boolean add(ByteBuffer frame) {
        int len = frame.remaining();
        if (!fits(len)) {
            return false;
        }
        view.put(used, frame, frame.position(), len);
        long iov = count * IOV_SIZE;
        iovs.set(ValueLayout.JAVA_LONG, iov, base + used);
        iovs.set(ValueLayout.JAVA_LONG, iov + 8, len);
        lengths[count] = len;
        used += len;
        count++;
        return true;
    }

    /**
     * Sends the added datagrams in order with one {@code sendmmsg} (never blocks) and empties the
     * batch. Returns how many went out (0 when the socket queue was full at the first); the rest
     * are dropped, as a full queue would have dropped them one by one.
     */
    public int send(UnixSocket socket) throws ErrnoException {
        int n = count;
        count = 0;
        used = 0;
        if (n == 0) {
            return 0;
        }
        int sent;
        socket.begin("sendmmsg");
        try {
            sent = (int) SENDMMSG.invokeExact(state(), socket.fd(), msgs, n, MSG_DONTWAIT | MSG_NOSIGNAL);
        } catch (Throwable t) {
            throw fatal(t);
        } finally {
            socket.end();
        }
        if (sent < 0) {
            int e = errno();
            if (e == EAGAIN || e == EINTR) {
                return 0;
            }
            throw new ErrnoException("sendmmsg", e);
        }
        return sent;
    }

    /** Forgets the added datagrams without sending them. */
    public void clear() {
        count = 0;
        used = 0;
    }

    @Override
    public void close() {
        count = 0;
        arena.close();
    }
}
