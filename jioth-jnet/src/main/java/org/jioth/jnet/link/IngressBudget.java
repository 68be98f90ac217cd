package org.jioth.jnet.link;

/**
 * How many full frames the connections whose packets arrive on one port may have in flight toward
 * it together: a share of what the port's ingress queues while the stack is not reading ({@link
 * org.jioth.vde.EthernetPort#ingressQueueFrames()}; a {@code vde://} port ~92 frames, the switch's
 * socket send buffer), beyond which the network drops. A receiver on a short path keeps its window
 * within its {@link #share}: a sender that close puts its whole window on the wire at once.
 * Loop-owned; one per interface, made when a bounded port's first segment arrives.
 */
public final class IngressBudget {
    /**
     * The part of the queue that windows may promise, in percent: the rest is headroom for the
     * port's other traffic (other peers, ARP, pings) and for frames shorter than a full segment.
     * With the switch's 92 frames this is the 64-segment window measured loss-free against a Linux
     * sender on {@code vde_switch} (docs/benchmarks.md, "One-way bulk into a jnet server").
     */
    static final int USABLE_PERCENT = 70;
    /**
     * The smallest share, however many connections there are: four segments in flight, so a lost
     * one still draws the three duplicate ACKs of a fast retransmit instead of waiting for the RTO.
     */
    public static final int MIN_SHARE = 4;

    private final int usable;
    private int members;
    /** Frames promised by every member together (the windows they advertised and have not received yet). */
    private long promised;

    /** A budget over a queue of {@code queueFrames} full frames. */
    public IngressBudget(int queueFrames) {
        if (queueFrames < 1) {
            throw new IllegalArgumentException("an ingress queue of " + queueFrames + " frames");
        }
        this.usable = Math.max(MIN_SHARE, (int) ((long) queueFrames * USABLE_PERCENT / 100));
    }

    /** The frames all windows together may promise. */
    public int usable() {
        return usable;
    }

    /** Connections sharing the budget now. */
    public int members() {
        return members;
    }

    /** Frames promised now by every member together. */
    public long promised() {
        return promised;
    }

    /** A connection starts receiving on this port (it promises nothing yet). */
    public void join() {
        members++;
    }

    /** A member that had promised {@code promise} frames stops receiving on this port. */
    public void leave(int promise) {
        members--;
        promised -= promise;
    }

    /** A member's promise went from {@code before} to {@code now} frames. */
    public void promise(int before, int now) {
        promised += now - before;
    }

    /**
     * The most frames a member that promised {@code mine} may promise: what the others leave, but
     * never less than an equal split among the members (the others' windows shrink as their data
     * arrives, so a newcomer is not starved by idle ones) nor than {@link #MIN_SHARE}.
     */
    public int share(int mine) {
        long free = usable - (promised - mine);
        int fair = usable / Math.max(1, members);
        return (int) Math.max(MIN_SHARE, Math.max(fair, Math.min(free, usable)));
    }
}
