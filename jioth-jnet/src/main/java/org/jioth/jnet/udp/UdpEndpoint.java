package org.jioth.jnet.udp;

import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One UDP socket's state. The binding (addresses, ports, options) is written only by the stack
 * loop and read by anyone (volatile); the receive queue and the pending error are shared with
 * application threads under a small lock. The receive queue is bounded in bytes
 * ({@link #receiveBufferSize}); what does not fit is dropped and counted by the layer.
 */
public final class UdpEndpoint {
    /** Linux's default rmem/wmem. */
    public static final int DEFAULT_BUFFER = 212992;
    /** SO_RCVBUF and SO_SNDBUF are capped here (silently, as Linux caps them at rmem_max/wmem_max). */
    public static final int MAX_BUFFER = 4 * 1024 * 1024;
    /**
     * What a queued datagram costs the receive buffer beyond its payload (its record, array
     * header and queue slot; Linux charges an skb's truesize likewise), so a flood of empty
     * datagrams fills the buffer as surely as a flood of full ones.
     */
    public static final int DATAGRAM_OVERHEAD = 128;

    /** A received datagram. */
    public record Datagram(int source, int sourcePort, byte[] data) { }

    volatile int localAddress;
    volatile int localPort;
    volatile int remoteAddress;
    volatile int remotePort;
    volatile boolean reuseAddress;
    volatile boolean broadcast;
    volatile int tos;
    volatile int ttl = 64;
    volatile int multicastTtl = 1;
    volatile boolean multicastLoop = true;
    volatile int receiveBufferSize = DEFAULT_BUFFER;
    volatile int sendBufferSize = DEFAULT_BUFFER;

    /** The stack's budget the queue is charged to (set by the layer before it queues; loop writes). */
    volatile org.jioth.jnet.mem.MemoryBudget memory;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private int queuedBytes;
    private int pendingError;
    private boolean closed;
    private volatile Runnable listener = () -> { };

    /** Called (outside the lock) whenever data or an error arrives, or the endpoint closes. */
    public void setListener(Runnable listener) {
        this.listener = listener;
    }

    public int localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteAddress;
    }

    public int remotePort() {
        return remotePort;
    }

    public boolean isConnected() {
        return remotePort != 0;
    }

    public boolean reuseAddress() {
        return reuseAddress;
    }

    public void setReuseAddress(boolean on) {
        reuseAddress = on;
    }

    public boolean broadcast() {
        return broadcast;
    }

    public void setBroadcast(boolean on) {
        broadcast = on;
    }

    public int tos() {
        return tos;
    }

    public void setTos(int tos) {
        this.tos = tos & 0xff;
    }

    public int ttl() {
        return ttl;
    }

    public int multicastTtl() {
        return multicastTtl;
    }

    public void setMulticastTtl(int ttl) {
        this.multicastTtl = ttl;
    }

    public boolean multicastLoop() {
        return multicastLoop;
    }

    public void setMulticastLoop(boolean on) {
        this.multicastLoop = on;
    }

    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    public void setReceiveBufferSize(int n) {
        receiveBufferSize = Math.clamp(n, 256, MAX_BUFFER);
    }

    public int sendBufferSize() {
        return sendBufferSize;
    }

    public void setSendBufferSize(int n) {
        sendBufferSize = Math.clamp(n, 256, MAX_BUFFER);
    }

    /** Loop: queues a copy; false when the receive buffer is full. */
    boolean enqueue(int src, int sport, byte[] data) {
        lock.lock();
        try {
            if (closed) {
                return true;
            }
            int cost = data.length + DATAGRAM_OVERHEAD;
            if (queuedBytes + cost > receiveBufferSize && !queue.isEmpty()) {
                return false;
            }
            if (!charge(cost)) {
                return false;
            }
            queue.add(new Datagram(src, sport, data));
            queuedBytes += cost;
        } finally {
            lock.unlock();
        }
        listener.run();
        return true;
    }

    /**
     * Charges a datagram to the budget: within its limit, and under memory pressure only into an
     * empty queue (so each socket still gets a datagram through). Under the lock.
     */
    private boolean charge(int cost) {
        org.jioth.jnet.mem.MemoryBudget m = memory;
        if (m == null) {
            return true;
        }
        if ((m.underPressure() && !queue.isEmpty()) || !m.charge(cost)) {
            m.count(org.jioth.jnet.mem.MemoryBudget.Event.UDP_DROPS);
            return false;
        }
        return true;
    }

    private void uncharge(int cost) {
        org.jioth.jnet.mem.MemoryBudget m = memory;
        if (m != null) {
            m.release(cost);
        }
    }

    /** Loop: records an asynchronous error (errno) for the next operation. */
    void setError(int errno) {
        lock.lock();
        try {
            pendingError = errno;
        } finally {
            lock.unlock();
        }
        listener.run();
    }

    /** The pending error (cleared), or 0. */
    public int takeError() {
        lock.lock();
        try {
            int e = pendingError;
            pendingError = 0;
            return e;
        } finally {
            lock.unlock();
        }
    }

    /** The next datagram, or null when none is queued. */
    public Datagram poll() {
        lock.lock();
        try {
            Datagram d = queue.poll();
            if (d != null) {
                queuedBytes -= d.data().length + DATAGRAM_OVERHEAD;
                uncharge(d.data().length + DATAGRAM_OVERHEAD);
            }
            return d;
        } finally {
            lock.unlock();
        }
    }

    /** True when a datagram or an error waits. */
    public boolean isReadable() {
        lock.lock();
        try {
            return !queue.isEmpty() || pendingError != 0;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes waiters for good; later arrivals are ignored. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            uncharge(queuedBytes);
            queuedBytes = 0;
        } finally {
            lock.unlock();
        }
        listener.run();
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }
}
