package org.jioth.jnet.tcp;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A listening socket: its address, a bounded SYN queue (half-open connections) and a bounded
 * accept queue (established, not yet accepted). Loop-owned, except {@link #poll} and the
 * readiness snapshot, which application threads use under this object's lock.
 */
public final class TcpListener extends Binding {
    /** The largest backlog a listener gets, whatever it asks for (Linux's default somaxconn). */
    public static final int SOMAXCONN = 4096;
    final TcpConfig template;
    /** The accept queue's bound, 1..{@link #SOMAXCONN}. */
    int backlog;
    int synQueueLength;
    /** When this listener last answered a SYN with a cookie; cookie ACKs count only soon after. */
    long lastCookieSent;
    boolean cookiesSent;
    boolean reuseAddress;
    boolean closed;
    private final ArrayDeque<TcpSocket> acceptQueue = new ArrayDeque<>();
    /**
     * Connections whose handshake completed while the accept queue was full (loop only): they stay
     * in the SYN queue's count, so at most {@link #synQueueLimit} of them, and move to the accept
     * queue as the application makes room.
     */
    final ArrayDeque<TcpSocket> parked = new ArrayDeque<>();
    /** How many are parked, for application threads. */
    volatile int parkedCount;
    /** Asks the loop to move parked connections on (set by the layer); coalesced by {@link #roomRequested}. */
    Runnable onRoom = () -> { };
    final AtomicBoolean roomRequested = new AtomicBoolean();
    private volatile Runnable onChange = () -> { };

    public TcpListener(TcpConfig template) {
        this.template = template;
    }

    /** SO_REUSEADDR (loop only, before listening). */
    public void setReuseAddress(boolean on) {
        reuseAddress = on;
    }

    public void onChange(Runnable r) {
        this.onChange = r;
    }

    void changed() {
        onChange.run();
    }

    static int clampBacklog(int backlog) {
        return Math.clamp(backlog, 1, SOMAXCONN);
    }

    /** The SYN queue's bound: beyond it SYN cookies answer. */
    int synQueueLimit() {
        return Math.max(16, backlog);
    }

    synchronized boolean offer(TcpSocket s) {
        if (acceptQueue.size() >= backlog) {
            return false;
        }
        acceptQueue.add(s);
        return true;
    }

    synchronized boolean acceptQueueFull() {
        return acceptQueue.size() >= backlog;
    }

    /** The next established connection, or null (application thread). */
    public TcpSocket poll() {
        TcpSocket s;
        synchronized (this) {
            s = acceptQueue.poll();
        }
        if (s != null && parkedCount > 0 && roomRequested.compareAndSet(false, true)) {
            onRoom.run();
        }
        return s;
    }

    public synchronized boolean hasPending() {
        return !acceptQueue.isEmpty();
    }

    synchronized TcpSocket[] drain() {
        TcpSocket[] all = acceptQueue.toArray(new TcpSocket[0]);
        acceptQueue.clear();
        return all;
    }

    public TcpConfig template() {
        return template;
    }

    /** The local IPv4 address (0 for the wildcard or an IPv6 one). */
    public int localAddress() {
        return local4();
    }

    /** The bound address as Java shows it ({@code ::} for a dual-stack wildcard). */
    public java.net.InetAddress localInet() {
        return org.jioth.jnet.wire.Ip128.toInet(localHi, localLo, 0);
    }

    /** Sets the family before listening (AF_INET6 is dual-stack unless {@code v6only}). */
    public void setFamily(boolean inet6, boolean v6only) {
        this.inet6 = inet6;
        this.v6only = v6only;
        if (localPort == 0) {
            localLo = inet6 ? 0 : org.jioth.jnet.wire.Ip128.MAPPED; // unbound: the family's wildcard
        }
    }

    public int localPort() {
        return localPort;
    }
}
