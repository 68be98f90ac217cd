package org.jioth.jnet.udp;

import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.jioth.jnet.wire.Ip128;

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

    /** A received datagram; its source of either family ({@link Ip128}, IPv4 v4-mapped). */
    public record Datagram(long sourceHi, long sourceLo, int sourcePort, int scope, byte[] data) {
        /** The IPv4 source (of an IPv4 datagram). */
        public int source() {
            return (int) sourceLo;
        }

        /** The source as the JDK shows it (IPv4 as an {@link java.net.Inet4Address}). */
        public java.net.InetAddress sourceInet() {
            return Ip128.toInet(sourceHi, sourceLo, scope);
        }

        public boolean from(long hi, long lo, int port) {
            return sourceLo == lo && sourceHi == hi && sourcePort == port;
        }
    }

    /** Addresses of either family ({@link Ip128}); unbound is the IPv4 wildcard, or {@code ::} for INET6. */
    volatile long localHi;
    volatile long localLo = Ip128.MAPPED;
    volatile int localPort;
    volatile long remoteHi;
    volatile long remoteLo = Ip128.MAPPED;
    volatile int remotePort;
    /** The interface of a link-local IPv6 peer. */
    volatile int scope;
    /** AF_INET6 (dual-stack unless {@link #v6only}). */
    volatile boolean inet6;
    volatile boolean v6only;
    volatile boolean reuseAddress;
    volatile boolean broadcast;
    volatile int tos;
    volatile int ttl = 64;
    volatile int multicastTtl = 1;
    volatile boolean multicastLoop = true;
    /** IP_MULTICAST_IF: the interface index multicast leaves by (0: the route's, else the only NIC). */
    volatile int multicastIf;
    volatile int receiveBufferSize = DEFAULT_BUFFER;
    /** The groups this socket joined (loop-only; at most {@link UdpLayer#MAX_MEMBERSHIPS}). */
    final java.util.List<Joined> joined = new java.util.ArrayList<>(0);

    /** A socket's join of {@code group} on interface {@code ifindex}: the network layer's handle. */
    record Joined(int ifindex, org.jioth.jnet.ip.SourceFilter.Source group,
            org.jioth.jnet.ip.GroupMemberships.Membership membership) { }
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

    /** The local IPv4 address (0: the wildcard or an IPv6 address). */
    public int localAddress() {
        return Ip128.isV4(localHi, localLo) ? (int) localLo : 0;
    }

    public java.net.InetAddress localInet() {
        return Ip128.toInet(localHi, localLo, scope);
    }

    public java.net.InetAddress remoteInet() {
        return Ip128.toInet(remoteHi, remoteLo, scope);
    }

    public long remoteHi() {
        return remoteHi;
    }

    public long remoteLo() {
        return remoteLo;
    }

    public int scope() {
        return scope;
    }

    public boolean inet6() {
        return inet6;
    }

    public boolean v6only() {
        return v6only;
    }

    /** The family, before binding: INET6 unbound is {@code ::}. */
    public void setFamily(boolean inet6, boolean v6only) {
        this.inet6 = inet6;
        this.v6only = v6only;
        if (localPort == 0) {
            localLo = inet6 ? 0 : Ip128.MAPPED;
        }
    }

    public int localPort() {
        return localPort;
    }

    /** The remote IPv4 address (of an IPv4 peer). */
    public int remoteAddress() {
        return (int) remoteLo;
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

    public int multicastIf() {
        return multicastIf;
    }

    public void setMulticastIf(int ifindex) {
        this.multicastIf = ifindex;
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
    boolean enqueue(long shi, long slo, int sport, int scope, byte[] data) {
        return enqueue(shi, slo, sport, scope, data, null);
    }

    /**
     * As above; {@code accepted} (the loop's count of it) runs once the datagram is taken, before a
     * reader can see it: whoever reads the datagram sees it counted.
     */
    boolean enqueue(long shi, long slo, int sport, int scope, byte[] data, Runnable accepted) {
        lock.lock();
        try {
            if (closed) {
                if (accepted != null) {
                    accepted.run(); // counted, as a datagram that raced the close always was
                }
                return true;
            }
            int cost = data.length + DATAGRAM_OVERHEAD;
            if (queuedBytes + cost > receiveBufferSize && !queue.isEmpty()) {
                return false;
            }
            if (!charge(cost)) {
                return false;
            }
            if (accepted != null) {
                accepted.run();
            }
            queue.add(new Datagram(shi, slo, sport, scope, data));
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
