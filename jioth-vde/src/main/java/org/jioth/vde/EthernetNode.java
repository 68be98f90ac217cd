package org.jioth.vde;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A switch, hub, multi or bonding node (vde-protocols.md §3.2) that ports of this JVM
 * {@linkplain #attach attach} to directly. {@code switch://} and {@code hub://} host one for other
 * processes too.
 *
 * <h2>Threads and reentrancy</h2>
 * There is no node thread. {@link NodePort#send} copies the frame into the node's bounded queue
 * (the one copy of the in-JVM path) and then tries to become the node's <em>drainer</em>: the one
 * thread that takes queued frames, forwards them and calls the receiving ports' sinks. If another
 * thread is draining, the sender just returns and that thread delivers its frame. A sink that sends
 * from inside {@link FrameSink#frame} (a stack answering an ARP request) finds the node already
 * drained by itself, so its frame is queued and delivered after the current one: no recursion, no
 * lock held while sinks run, so nodes cabled to each other cannot deadlock. Frames keep their order
 * per sender. A full queue drops the frame (counted as {@code droppedQueueFull} on the sender).
 * Sinks therefore run on sender threads (or I/O reactor threads for external ports): they must be
 * quick and must not block, typically copying the frame and posting to their stack loop.
 */
public final class EthernetNode implements Closeable {
    static final System.Logger LOG = System.getLogger(EthernetNode.class.getName());
    private static final NodePort[] NONE = {};
    /** A drainer calls endOfBatch at least this often even while frames keep coming. */
    private static final int BATCH = 64;

    /** The forwarding policy. */
    public enum Kind {
        /** Learns source MACs, forwards known unicast to one port, floods the rest. */
        SWITCH,
        /** Floods every frame to every other port. */
        HUB,
        /** Client frames go to the host only; host frames to every client. */
        MULTI,
        /** Client frames go to the host only; host frames to one client, round robin. */
        BONDING
    }

    private final Kind kind;
    private final NodeOptions options;
    private final MacTable macs;
    private final FrameRing queue;
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile NodePort[] ports = NONE;
    private volatile NodePort host;
    private volatile boolean closed;
    private int roundRobin = -1;

    public EthernetNode(Kind kind, NodeOptions options) {
        this.kind = kind;
        this.options = options;
        this.macs = kind == Kind.SWITCH
                ? new MacTable(options.hashSize(), options.hashSeed(), options.expireTime().toNanos())
                : null;
        this.queue = new FrameRing(options.queueFrames());
    }

    public static EthernetNode newSwitch() {
        return new EthernetNode(Kind.SWITCH, NodeOptions.defaults());
    }

    public static EthernetNode newHub() {
        return new EthernetNode(Kind.HUB, NodeOptions.defaults());
    }

    public Kind kind() {
        return kind;
    }

    public NodeOptions options() {
        return options;
    }

    /** A new client port. */
    public NodePort attach(String description) {
        return add(new NodePort(this, description, false));
    }

    /**
     * The host port (the plug of {@code switch://} itself); at most one. On a switch or hub it is
     * an ordinary port; multi and bonding forward client frames only to it.
     */
    public synchronized NodePort attachHost(String description) {
        if (host != null && host.isOpen()) {
            throw new IllegalStateException("node already has a host port: " + host);
        }
        NodePort p = add(new NodePort(this, description, true));
        host = p;
        return p;
    }

    private synchronized NodePort add(NodePort p) {
        if (closed) {
            throw new IllegalStateException("node is closed");
        }
        NodePort[] a = Arrays.copyOf(ports, ports.length + 1);
        a[a.length - 1] = p;
        ports = a;
        return p;
    }

    synchronized void detach(NodePort p) {
        NodePort[] a = ports;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == p) {
                NodePort[] b = new NodePort[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                ports = b;
                break;
            }
        }
        if (host == p) {
            host = null;
        }
        if (macs != null) {
            synchronized (macs) { // a scan of the table, once per closed port; the drainer holds it only briefly
                macs.forget(p);
            }
        }
    }

    /** The attached ports, host included. */
    public List<NodePort> ports() {
        return List.of(ports);
    }

    /** Where a frame to {@code mac} on {@code vlan} would go now (switch only), or null to flood. */
    public NodePort lookup(byte[] mac, int vlan) {
        if (macs == null) {
            return null;
        }
        long now = options.nanoClock().getAsLong();
        synchronized (macs) {
            return macs.lookup(MacTable.key(mac48(ByteBuffer.wrap(mac), 0), vlan), now);
        }
    }

    /** How many MAC table entries refer to {@code port} (0 on a node that does not learn). */
    int macEntriesOf(NodePort port) {
        if (macs == null) {
            return 0;
        }
        synchronized (macs) {
            return macs.entriesOf(port);
        }
    }

    boolean submit(NodePort from, ByteBuffer frame) {
        if (closed || !queue.offer(from, frame)) {
            return false;
        }
        drain();
        return true;
    }

    /**
     * Queues a frame without draining (a reactor reading a batch of frames defers the drain to its
     * endOfBatch, so frames to one client leave together); when the queue is full it drains first.
     */
    boolean enqueue(NodePort from, ByteBuffer frame) {
        if (closed) {
            return false;
        }
        if (queue.offer(from, frame)) {
            return true;
        }
        drain();
        return queue.offer(from, frame);
    }

    /** Delivers the queued frames now (unless another thread is already at it: then it will). */
    void flush() {
        if (!queue.isEmpty()) {
            drain();
        }
    }

    private void drain() {
        while (draining.compareAndSet(false, true)) {
            try {
                int sinceBatch = 0;
                int slot;
                while ((slot = queue.head()) >= 0) {
                    forward(queue.source(slot), slot);
                    queue.pop();
                    if (++sinceBatch == BATCH) {
                        endBatches();
                        sinceBatch = 0;
                    }
                }
                endBatches();
            } finally {
                draining.set(false);
            }
            if (queue.isEmpty()) {
                return; // else a frame came in after our last look and its sender saw us draining
            }
        }
    }

    private void endBatches() {
        for (NodePort p : ports) {
            if (p.batchPending) {
                p.endOfBatch();
            }
        }
    }

    private void forward(NodePort from, int slot) {
        int len = queue.length(slot);
        switch (kind) {
            case HUB -> floodExcept(from, slot, len);
            case SWITCH -> switchFrame(from, slot, len);
            case MULTI, BONDING -> {
                NodePort h = host;
                if (from != h) {
                    if (h != null) {
                        h.deliver(queue.frame(slot), len);
                    }
                } else if (kind == Kind.MULTI) {
                    floodExcept(from, slot, len);
                } else {
                    NodePort[] a = ports;
                    int clients = a.length - (h == null ? 0 : 1);
                    if (clients > 0) {
                        roundRobin = (roundRobin + 1) % clients;
                        int seen = -1;
                        for (NodePort p : a) {
                            if (p != h && ++seen == roundRobin) {
                                p.deliver(queue.frame(slot), len);
                                break;
                            }
                        }
                    }
                }
            }
        }
    }

    private void switchFrame(NodePort from, int slot, int len) {
        ByteBuffer f = queue.frame(slot);
        int vlan = 0;
        if (len >= 18 && (f.getShort(12) & 0xffff) == 0x8100) {
            vlan = f.getShort(14) & 0x3ff; // 10 bits, as vde: tagged frames pass unchanged (trunk)
        }
        long now = options.nanoClock().getAsLong();
        NodePort to = null;
        synchronized (macs) { // uncontended: only the drainer and lookup() take it
            if ((f.get(6) & 1) == 0) {
                macs.learn(MacTable.key(mac48(f, 6), vlan), from, now);
            }
            if ((f.get(0) & 1) == 0) {
                to = macs.lookup(MacTable.key(mac48(f, 0), vlan), now);
            }
        }
        if (to == null) {
            floodExcept(from, slot, len);
        } else if (to != from) {
            to.deliver(queue.frame(slot), len);
        }
    }

    private void floodExcept(NodePort from, int slot, int len) {
        for (NodePort p : ports) {
            if (p != from) {
                p.deliver(queue.frame(slot), len);
            }
        }
    }

    private static long mac48(ByteBuffer f, int at) {
        return (f.getShort(at) & 0xffffL) << 32 | (f.getInt(at + 2) & 0xffffffffL);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes every port; later sends are dropped. */
    @Override
    public void close() {
        NodePort[] a;
        synchronized (this) {
            closed = true;
            a = ports;
        }
        for (NodePort p : a) {
            p.close();
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " node with " + ports.length + " ports";
    }
}
