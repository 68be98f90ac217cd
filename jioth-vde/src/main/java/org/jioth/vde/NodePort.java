package org.jioth.vde;

import java.nio.ByteBuffer;

/**
 * A port of an {@link EthernetNode} in this JVM. {@link #send} copies the frame into the node's
 * bounded queue and returns; no system call. The sink is called on whichever thread drains the node
 * (see {@link EthernetNode}); it must be quick and must not block.
 */
public final class NodePort implements EthernetPort {
    private final EthernetNode node;
    private final String description;
    private final boolean host;
    private final PortStatistics statistics = new PortStatistics();
    private volatile FrameSink sink;
    private volatile boolean open = true;
    /** Set by the drainer when this port got frames since its last endOfBatch. */
    boolean batchPending;

    NodePort(EthernetNode node, String description, boolean host) {
        this.node = node;
        this.description = description;
        this.host = host;
    }

    @Override
    public boolean send(ByteBuffer frame) {
        int len = frame.remaining();
        if (len < MIN_FRAME || len > MAX_FRAME) {
            statistics.droppedBadLength.increment();
            return false;
        }
        if (!open || !node.submit(this, frame)) {
            statistics.droppedQueueFull.increment();
            return false;
        }
        statistics.framesOut.increment();
        statistics.bytesOut.add(len);
        return true;
    }

    /**
     * As {@link #send}, but the frame waits in the node's queue until {@link #flush} (or another
     * sender's drain) delivers it: a reader of a batch of frames queues them all, then flushes once,
     * so deliveries to one receiver are batched too. The node queue is bounded: when it stays full
     * the frame is dropped and counted, as in {@link #send}.
     */
    boolean enqueue(ByteBuffer frame) {
        int len = frame.remaining();
        if (len < MIN_FRAME || len > MAX_FRAME) {
            statistics.droppedBadLength.increment();
            return false;
        }
        if (!open || !node.enqueue(this, frame)) {
            statistics.droppedQueueFull.increment();
            return false;
        }
        statistics.framesOut.increment();
        statistics.bytesOut.add(len);
        return true;
    }

    /** Delivers frames {@linkplain #enqueue queued} before ({@link #send} delivers at once). */
    @Override
    public void flush() {
        node.flush();
    }

    /** Delivers one frame from the node to the sink (drainer thread). */
    void deliver(ByteBuffer frame, int len) {
        FrameSink s = sink;
        if (s == null || !open) {
            statistics.droppedNoSink.increment();
            return;
        }
        statistics.framesIn.increment();
        statistics.bytesIn.add(len);
        batchPending = true;
        try {
            s.frame(frame);
        } catch (RuntimeException e) {
            statistics.droppedMalformed.increment();
            EthernetNode.LOG.log(System.Logger.Level.WARNING, "sink of " + description + " threw; frame dropped", e);
        }
    }

    void endOfBatch() {
        batchPending = false;
        FrameSink s = sink;
        if (s != null) {
            try {
                s.endOfBatch();
            } catch (RuntimeException e) {
                EthernetNode.LOG.log(System.Logger.Level.WARNING, "sink of " + description + " threw in endOfBatch", e);
            }
        }
    }

    @Override
    public void setSink(FrameSink sink) {
        this.sink = sink;
    }

    @Override
    public PortStatistics statistics() {
        return statistics;
    }

    @Override
    public String description() {
        return description;
    }

    /** The node this port belongs to. */
    public EthernetNode node() {
        return node;
    }

    /** Whether this is the node's host port (matters for multi and bonding). */
    public boolean isHost() {
        return host;
    }

    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            node.detach(this);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
