package org.jioth.vdestack;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.jioth.Errno;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;
import org.jioth.linux.unix.FdPassing;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixSocket;

/**
 * Our end of the connection to a {@link NamespaceHelper}: one request at a time, each waiting at
 * most {@code timeout} for its answer and the descriptor attached to it. Every request has a new
 * id; an answer with another id (one that came after its request had timed out) is dropped and
 * the descriptor it carries closed, so it neither answers the wrong request nor leaks.
 */
final class HelperChannel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HelperChannel.class.getName());
    private final UnixSocket channel;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteBuffer reply = ByteBuffer.allocate(HelperProtocol.REPLY).order(ByteOrder.nativeOrder());
    private volatile boolean closed;
    /** The id of the last request sent (guarded by lock). */
    private int lastId;
    /** Answers dropped because they came too late (or malformed), for tests and diagnostics. */
    private volatile long staleReplies;

    HelperChannel(UnixSocket channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
    }

    /** socket(domain, type, protocol) inside the namespace. */
    int socket(int domain, int type, int protocol) throws ErrnoException {
        return request(id -> HelperProtocol.request(id, HelperProtocol.OP_SOCKET, domain, type, protocol, null),
                "socket(" + domain + ", " + type + ", " + protocol + ") in the vdestack namespace");
    }

    /** A new tap interface {@code name} inside the namespace. */
    int tap(String name) throws ErrnoException {
        return request(id -> HelperProtocol.request(id, HelperProtocol.OP_TAP, 0, 0, 0, name), "tap " + name + " in the vdestack namespace");
    }

    long staleReplies() {
        return staleReplies;
    }

    private int request(java.util.function.IntFunction<ByteBuffer> build, String what) throws ErrnoException {
        lock.lock();
        try {
            if (closed) {
                throw new ErrnoException(what, Errno.EBADF.value(), "the stack is closed");
            }
            int id = ++lastId;
            ByteBuffer request = build.apply(id);
            while (FdPassing.send(channel, request, -1) < 0) {
                waitFor(what);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                reply.clear();
                FdPassing.Received r = FdPassing.receive(channel, reply);
                if (r != null) {
                    if (r.bytes() == 0) {
                        throw new ErrnoException(what, Errno.ECONNRESET.value(), "the namespace helper is gone");
                    }
                    if (r.bytes() != HelperProtocol.REPLY || reply.getInt(0) != id) {
                        dropStale(r, id);
                        continue;
                    }
                    int errno = reply.getInt(4);
                    if (errno != 0 || r.fd() < 0) {
                        if (r.fd() >= 0) {
                            org.jioth.linux.tap.TunTap.close(r.fd());
                        }
                        throw new ErrnoException(what, errno != 0 ? errno : Errno.EIO.value());
                    }
                    return r.fd();
                }
                if (System.nanoTime() > deadline) {
                    throw new ErrnoException(what, Errno.ETIMEDOUT.value(), "no answer from the namespace helper");
                }
                waitFor(what);
            }
        } finally {
            lock.unlock();
        }
    }

    /** An answer to an earlier, timed-out request (or a malformed one): its descriptor is closed. */
    private void dropStale(FdPassing.Received r, int expected) {
        staleReplies++;
        if (r.fd() >= 0) {
            org.jioth.linux.tap.TunTap.close(r.fd());
        }
        int got = r.bytes() >= 4 ? reply.getInt(0) : -1;
        LOG.log(System.Logger.Level.WARNING, () -> "vdestack helper: dropped a late or malformed answer (id " + got
                + ", " + r.bytes() + " bytes" + (r.fd() >= 0 ? ", descriptor closed" : "") + ") while waiting for request " + expected);
    }

    private void waitFor(String what) throws ErrnoException {
        try {
            waitReadable(channel.fd(), Duration.ofMillis(Math.min(500, Math.max(1, timeout.toMillis()))));
        } catch (IOException e) {
            throw new ErrnoException(what, Errno.EIO.value(), e.getMessage());
        }
    }

    /**
     * Waits until {@code fd} is readable or the time passes: poll(2) on a platform thread, the shared
     * reactor on a virtual thread (which must not pin its carrier).
     */
    static void waitReadable(int fd, Duration timeout) throws IOException {
        if (Thread.currentThread().isVirtual()) {
            try {
                Reactor.shared().awaitReadable(fd, timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the vdestack helper");
            }
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(arena);
            org.jioth.linux.Poll.pollIn(state, arena.allocate(8), fd, (int) timeout.toMillis());
        }
    }

    /** Closes the connection (the helper exits on end of file); requests fail with EBADF from now on. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            channel.close();
        } finally {
            lock.unlock();
        }
    }
}
