package org.jioth.linux.unix;

import static org.jioth.linux.unix.UnixNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;

/**
 * A batch of datagram buffers in native memory for {@code recvmmsg}/{@code sendmmsg}: one system
 * call moves up to {@link #capacity()} frames. Everything (slots, iovecs, mmsghdrs) is allocated once;
 * receiving and sending allocate nothing. Used by one thread at a time.
 */
public final class DatagramBatch implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final int slotSize;
    private final MemorySegment slots;
    private final MemorySegment iovs;
    private final MemorySegment msgs;
    private final ByteBuffer[] views;
    private final int[] lengths;
    private int count;

    public DatagramBatch(int capacity, int slotSize) {
        this.capacity = capacity;
        this.slotSize = slotSize;
        slots = arena.allocate((long) capacity * slotSize, 64);
        iovs = arena.allocate(capacity * Mmsghdr.IOV_SIZE, 8);
        msgs = arena.allocate(capacity * Mmsghdr.SIZE, 8);
        views = new ByteBuffer[capacity];
        lengths = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            MemorySegment slot = slots.asSlice((long) i * slotSize, slotSize);
            iovs.set(ValueLayout.ADDRESS, i * Mmsghdr.IOV_SIZE, slot);
            iovs.set(ValueLayout.JAVA_LONG, i * Mmsghdr.IOV_SIZE + 8, slotSize);
            msgs.set(ValueLayout.ADDRESS, i * Mmsghdr.SIZE + Mmsghdr.MSG_IOV, iovs.asSlice(i * Mmsghdr.IOV_SIZE, Mmsghdr.IOV_SIZE));
            msgs.set(ValueLayout.JAVA_LONG, i * Mmsghdr.SIZE + Mmsghdr.MSG_IOVLEN, 1L);
            views[i] = slot.asByteBuffer();
        }
    }

    public int capacity() {
        return capacity;
    }

    public int slotSize() {
        return slotSize;
    }

    /** Frames held: received by the last {@link #receive}, or added for the next {@link #send}. */
    public int size() {
        return count;
    }

    /**
     * Receives up to {@link #capacity()} waiting datagrams (never blocks). Returns how many (0 when
     * none was waiting); datagrams longer than a slot are truncated.
     */
    public int receive(UnixSocket socket) throws ErrnoException {
        for (int i = 0; i < capacity; i++) {
            iovs.set(ValueLayout.JAVA_LONG, i * Mmsghdr.IOV_SIZE + 8, slotSize);
            // msg_name/msg_control stay NULL, msg_flags is output only
        }
        int n;
        socket.begin("recvmmsg");
        try {
            n = (int) RECVMMSG.invokeExact(state(), socket.fd(), msgs, capacity, MSG_DONTWAIT, MemorySegment.NULL);
        } catch (Throwable t) {
            throw fatal(t);
        } finally {
            socket.end();
        }
        if (n < 0) {
            int e = errno();
            count = 0;
            if (e == EAGAIN || e == EINTR) {
                return 0;
            }
            throw new ErrnoException("recvmmsg", e);
        }
        for (int i = 0; i < n; i++) {
            lengths[i] = msgs.get(ValueLayout.JAVA_INT, i * Mmsghdr.SIZE + Mmsghdr.MSG_LEN);
        }
        count = n;
        return n;
    }

    /** The length of frame {@code i}. */
    public int length(int i) {
        check(i);
        return lengths[i];
    }

    /** A view of frame {@code i}: position 0, limit its length. Valid until the next receive/clear. */
    public ByteBuffer frame(int i) {
        check(i);
        return views[i].clear().limit(Math.min(lengths[i], slotSize));
    }

    /** Copies {@code frame} (position unchanged) into the next slot; false when full or too long. */
    public boolean add(ByteBuffer frame) {
        int len = frame.remaining();
        if (count == capacity || len > slotSize) {
            return false;
        }
        views[count].clear().put(0, frame, frame.position(), len);
        lengths[count] = len;
        iovs.set(ValueLayout.JAVA_LONG, count * Mmsghdr.IOV_SIZE + 8, len);
        count++;
        return true;
    }

    /**
     * Sends the added frames on a connected socket with one {@code sendmmsg} (never blocks) and
     * empties the batch. Returns how many went out; the rest (a full socket queue) are dropped.
     */
    public int send(UnixSocket socket) throws ErrnoException {
        int n = count;
        count = 0;
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

    public void clear() {
        count = 0;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(i + " of " + count);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
