package org.jioth.jnet.tcp;

import org.jioth.jnet.time.Timer;

/**
 * One connection as the stack knows it: its 4-tuple, its {@link TcpConnection}, its timer, and a
 * snapshot of the state that application threads read (published by the loop after every event,
 * through volatile fields, so channels never touch loop-owned state).
 */
public final class TcpSocket extends FourTuple {
    final TcpConfig config;
    TcpConnection conn;
    Timer timer;
    boolean ownsPort;
    boolean reuseAddress;
    /** Set while the connection waits in a listener's SYN queue. */
    TcpListener pendingListener;
    /** Established, still counted in its listener's SYN queue, waiting for room in the accept queue. */
    boolean parked;
    boolean registered;
    /** Counted in the layer's orphans (closed by the application, not yet gone or in TIME_WAIT). */
    boolean orphanCounted;
    /** What the connection's admission charged the memory budget and still holds (loop only). */
    long memoryCost;
    /** Listed in the layer's current frame batch (loop only). */
    boolean inBatch;
    /** Told when the neighbour layer could not deliver one of our segments. */
    org.jioth.jnet.link.DeliveryFailure undeliverable = org.jioth.jnet.link.DeliveryFailure.IGNORE;
    /** The same for IPv6 connections (the neighbour layer's callback type). */
    java.util.function.IntConsumer undeliverable6 = errno -> { };
    private volatile Runnable onChange = () -> { };

    private volatile TcpState state = TcpState.CLOSED;
    private volatile TcpError error;
    private volatile boolean finReceived;
    private volatile boolean outputShut;
    private volatile boolean connectStarted;
    private volatile boolean sendDrained;
    private volatile Thread lingerer;
    /** {@link TcpConnection#roomForWindowUpdate()} as of the last publish (0: not known yet, always ask). */
    private volatile int roomForWindowUpdate;
    /*
     * Hand-off flags between application threads and the loop, as plain volatile fields with
     * VarHandles rather than an AtomicBoolean each (three objects per connection).
     */
    private volatile boolean outputPending;
    private volatile boolean windowPending;
    /** The application read since the loop last checked for a due window update. */
    private volatile boolean readUnchecked;
    private static final java.lang.invoke.VarHandle OUTPUT_PENDING;
    private static final java.lang.invoke.VarHandle WINDOW_PENDING;
    private static final java.lang.invoke.VarHandle READ_UNCHECKED;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            OUTPUT_PENDING = l.findVarHandle(TcpSocket.class, "outputPending", boolean.class);
            WINDOW_PENDING = l.findVarHandle(TcpSocket.class, "windowPending", boolean.class);
            READ_UNCHECKED = l.findVarHandle(TcpSocket.class, "readUnchecked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public TcpSocket(TcpConfig config) {
        this.config = config;
    }

    /** Runs (on the loop) whenever the published state may have changed. */
    public void onChange(Runnable r) {
        this.onChange = r;
        r.run();
    }

    void publish() {
        TcpConnection c = conn;
        if (c != null) {
            state = c.state();
            error = c.error();
            finReceived = c.finReceived();
            outputShut = c.outputShut();
            sendDrained = c.sendBuffer().size() == 0 && (c.state() == TcpState.CLOSED
                    || c.state() == TcpState.FIN_WAIT_2 || c.state() == TcpState.TIME_WAIT);
            roomForWindowUpdate = c.roomForWindowUpdate();
        }
        onChange.run();
        Thread t = lingerer;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }

    /**
     * SO_LINGER: waits until everything sent, FIN included, was acknowledged (or the connection
     * ended), at most {@code nanos}; true when it was.
     */
    public boolean awaitDrained(long nanos) {
        long deadline = System.nanoTime() + nanos;
        lingerer = Thread.currentThread();
        try {
            while (!sendDrained) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || Thread.currentThread().isInterrupted()) {
                    return false;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(this, left);
            }
            return true;
        } finally {
            lingerer = null;
        }
    }

    void connectStarted() {
        connectStarted = true;
    }

    /** True when the caller should post an output run (coalesces nudges from many writes). */
    public boolean outputPendingRequest() {
        return OUTPUT_PENDING.compareAndSet(this, false, true);
    }

    /**
     * True when the caller, having read, should post a window update: the room it left may make
     * one due (else the loop, which checks after each publish, has it covered), and none is
     * pending yet (coalesced like output).
     */
    public boolean windowPendingRequest() {
        // Flag the read before looking at the threshold: the loop publishes the threshold before
        // it looks at the flag, so either it sees our read or we see its threshold.
        readUnchecked = true;
        TcpConnection c = conn;
        if (c == null || c.receiveBuffer().window() < roomForWindowUpdate) {
            return false;
        }
        return WINDOW_PENDING.compareAndSet(this, false, true);
    }

    /** The loop took the posted output request (loop only). */
    void outputTaken() {
        outputPending = false;
    }

    /** The loop took the posted window update (loop only). */
    void windowTaken() {
        windowPending = false;
    }

    /** Whether the application read since the last call (clears it; loop only). */
    boolean takeReadUnchecked() {
        return readUnchecked && (boolean) READ_UNCHECKED.getAndSet(this, false);
    }

    /** SO_REUSEADDR (loop only). */
    public void setReuseAddress(boolean on) {
        reuseAddress = on;
    }

    public boolean reuseAddress() {
        return reuseAddress;
    }

    public TcpConfig config() {
        return config;
    }

    public TcpState state() {
        return state;
    }

    public TcpError error() {
        return error;
    }

    public boolean connectStartedFlag() {
        return connectStarted;
    }

    /** The peer's FIN arrived (reads return -1 once the buffer is drained). */
    public boolean finReceived() {
        return finReceived;
    }

    public boolean outputShut() {
        return outputShut;
    }

    /** The connection's buffers (null before connect/accept). */
    public TcpConnection connection() {
        return conn;
    }

    /** The local IPv4 address (0 for the wildcard or an IPv6 connection). */
    public int localAddress() {
        return local4();
    }

    /** The local address as Java shows it (IPv4 as {@link java.net.Inet4Address}, even on AF_INET6). */
    public java.net.InetAddress localInet() {
        return org.jioth.jnet.wire.Ip128.toInet(localHi, localLo, scope);
    }

    public java.net.InetAddress remoteInet() {
        return org.jioth.jnet.wire.Ip128.toInet(remoteHi, remoteLo, scope);
    }

    /** AF_INET6 (dual-stack unless {@link #v6only()}). */
    public boolean inet6() {
        return inet6;
    }

    public boolean v6only() {
        return v6only;
    }

    /** Sets the family before binding (loop or before first use). */
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

    /** The remote IPv4 address (0 for an IPv6 connection). */
    public int remoteAddress() {
        return isV4() ? remote4() : 0;
    }

    public int remotePort() {
        return remotePort;
    }

    @Override
    public String toString() {
        return "tcp " + org.jioth.jnet.wire.Ip128.toString(localHi, localLo) + ":" + localPort + " -> "
                + org.jioth.jnet.wire.Ip128.toString(remoteHi, remoteLo) + ":" + remotePort + " " + state;
    }
}
