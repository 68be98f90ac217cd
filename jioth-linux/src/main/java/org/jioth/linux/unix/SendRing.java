package org.jioth.linux.unix;

import static org.jioth.linux.unix.UnixNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;

/**
 * A bounded transmit queue of datagrams for a connected socket, like a NIC's tx ring: {@link #offer}
 * copies a frame in at the tail, {@link #send} pushes frames from the head with {@code sendmmsg}
 * until the socket refuses (EAGAIN) and keeps the rest, in order, for the next call. Frames are
 * never reordered and never dropped here; the owner decides what a full ring means.
 *
 * <p>Two rings share one index: slot {@code k} has its own iovec and mmsghdr (so the slots from the
 * head to the end of the arrays are one contiguous {@code sendmmsg} vector), and the frame bytes
 * sit back to back in one native buffer that wraps; a frame never straddles the end (it goes to
 * the start instead, leaving the tail unused until the head passes it). Everything is allocated
 * once; offering and sending allocate nothing. Not thread-safe: the owner serialises calls,
 * including {@link #close}.
 */
public final class SendRing implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final int slots;
    private final int capacity;
    private final MemorySegment bytes;
    private final ByteBuffer view;
    private final MemorySegment iovs;
    private final MemorySegment msgs;
    /** The mmsghdr vector starting at each slot, made once so a send allocates no slice. */
    private final MemorySegment[] vectorAt;
    private final long base;
    private final int[] offsets;
    private final int[] lengths;
    /** Slot of the oldest frame. */
    private int head;
    private int count;
    /** Where the next frame's bytes go. */
    private int writePos;
    private long queuedBytes;
    private long lastSentBytes;

    /**
     * Room for up to {@code maxDatagrams} datagrams of {@code byteCapacity} bytes in all; a single
     * datagram may be up to {@code byteCapacity} long.
     */
    public SendRing(int maxDatagrams, int byteCapacity) {
        if (maxDatagrams < 1 || byteCapacity < 1) {
            throw new IllegalArgumentException("ring sizes must be positive: " + maxDatagrams + ", " + byteCapacity);
        }
        this.slots = maxDatagrams;
        this.capacity = byteCapacity;
        bytes = arena.allocate(byteCapacity, 64);
        view = bytes.asByteBuffer();
        iovs = arena.allocate(maxDatagrams * Mmsghdr.IOV_SIZE, 8);
        msgs = arena.allocate(maxDatagrams * Mmsghdr.SIZE, 8);
        base = bytes.address();
        offsets = new int[maxDatagrams];
        lengths = new int[maxDatagrams];
        vectorAt = new MemorySegment[maxDatagrams];
        for (int i = 0; i < maxDatagrams; i++) {
            vectorAt[i] = msgs.asSlice(i * Mmsghdr.SIZE);
            msgs.set(ValueLayout.ADDRESS, i * Mmsghdr.SIZE + Mmsghdr.MSG_IOV, iovs.asSlice(i * Mmsghdr.IOV_SIZE, Mmsghdr.IOV_SIZE));
            msgs.set(ValueLayout.JAVA_LONG, i * Mmsghdr.SIZE + Mmsghdr.MSG_IOVLEN, 1L);
        }
    }

    /** Datagrams waiting. */
    public int size() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** Bytes waiting. */
    public long bytes() {
        return queuedBytes;
    }

    /** The bytes of the datagrams the last {@link #send} moved out. */
    public long lastSentBytes() {
        return lastSentBytes;
    }

    /**
     * Copies {@code frame} (position..limit, position unchanged) in behind the datagrams waiting;
     * false, with nothing changed, when there is no room for it now.
     */
    public boolean offer(ByteBuffer frame) {
        int len = frame.remaining();
        int at = placeFor(len);
        if (at < 0) {
            return false;
        }
        view.put(at, frame, frame.position(), len);
        int slot = (head + count) % slots;
        long iov = slot * Mmsghdr.IOV_SIZE;
        iovs.set(ValueLayout.JAVA_LONG, iov, base + at);
        iovs.set(ValueLayout.JAVA_LONG, iov + 8, len);
        offsets[slot] = at;
        lengths[slot] = len;
        writePos = at + len;
        queuedBytes += len;
        count++;
        return true;
    }

    /** The offset a frame of {@code len} bytes would go to now, or -1 when it does not fit. */
    private int placeFor(int len) {
        if (count == slots || len > capacity) {
            return -1;
        }
        if (count == 0) {
            return 0; // empty: start over at the beginning
        }
        int readPos = offsets[head];
        if (writePos > readPos) { // frames lie in [readPos, writePos): room after them, else before readPos
            if (capacity - writePos >= len) {
                return writePos;
            }
            return len <= readPos ? 0 : -1;
        }
        // wrapped: frames in [readPos, end) and [0, writePos)
        return readPos - writePos >= len ? writePos : -1;
    }

    /**
     * Sends waiting datagrams from the oldest on, in order, until all went out or the socket
     * refuses (never blocks); the ones sent leave the ring, the rest stay. Returns how many went out
     * (0 when the socket was full at once); {@link #lastSentBytes} tells their bytes.
     *
     * @throws ErrnoException on errors other than EAGAIN/EINTR (for example ECONNREFUSED: the
     *     peer is gone); the datagrams stay queued for the owner to {@link #clear}
     */
    public int send(UnixSocket socket) throws ErrnoException {
        int total = 0;
        lastSentBytes = 0;
        while (count > 0) {
            int run = Math.min(count, slots - head); // contiguous slots from the head
            int sent;
            socket.begin("sendmmsg");
            try {
                sent = (int) SENDMMSG.invokeExact(state(), socket.fd(), vectorAt[head], run,
                        MSG_DONTWAIT | MSG_NOSIGNAL);
            } catch (Throwable t) {
                throw fatal(t);
            } finally {
                socket.end();
            }
            if (sent < 0) {
                int e = errno();
                if (e == EAGAIN || e == EINTR) {
                    return total;
                }
                throw new ErrnoException("sendmmsg", e);
            }
            remove(sent);
            total += sent;
            if (sent < run) {
                return total; // the socket took only part: it is full now
            }
        }
        return total;
    }

    private void remove(int n) {
        for (int i = 0; i < n; i++) {
            int len = lengths[head];
            lastSentBytes += len;
            queuedBytes -= len;
            head = (head + 1) % slots;
        }
        count -= n;
        if (count == 0) {
            head = 0;
            writePos = 0;
        }
    }

    /** Forgets every waiting datagram without sending it; returns how many there were. */
    public int clear() {
        int n = count;
        count = 0;
        head = 0;
        writePos = 0;
        queuedBytes = 0;
        return n;
    }

    @Override
    public void close() {
        clear();
        arena.close();
    }
}
