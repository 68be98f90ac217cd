package org.jioth.vde.tap;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.ReentrantLock;
import org.jioth.linux.NativeSupport;
import org.jioth.linux.tap.TunTap;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.portsupport.FrameDelivery;
import org.jioth.vde.portsupport.PortBase;

/**
 * {@code tap://IFNAME}: a Linux tap interface (IFF_TAP | IFF_NO_PI), one read/write per frame. The
 * tap is created in the network namespace of the thread that opens the port. Needs CAP_NET_ADMIN
 * (root, or inside a user+net namespace); otherwise the constructor fails with EPERM explained.
 * The receiver is a platform thread (blocking native calls pin virtual threads), polling with a
 * short timeout so close needs no signal.
 *
 * <p>With {@code offload=1} the tap is opened with IFF_VNET_HDR: frames carry a virtio-net header,
 * and the consecutive TCP segments of one flow that the thread which {@linkplain #flush() flushes}
 * sends in one burst are joined into one TSO super-frame ({@link TsoCoalescer}), written at its
 * next flush or when a frame that does not continue it comes.
 */
public final class TapPort extends PortBase {
    private static final Logger LOG = System.getLogger(TapPort.class.getName());
    private static final int POLL_MILLIS = 250;

    private final TapSettings settings;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sendState = NativeSupport.newCallState(arena);
    private final MemorySegment sendSegment;
    private final ByteBuffer sendView;
    /** The virtio-net header's size in front of every frame read or written: 0 without offload. */
    private final int header;
    /** Offload only: the pending super-frame, in its own native buffer. */
    private final TsoCoalescer coalescer;
    private final MemorySegment coalescerSegment;
    /** Offload only: the coalescer's buffer, also where a TSO frame sent as such is written from. */
    private final ByteBuffer superView;
    /** Offload only: the thread whose sends may be held back until its next flush. */
    private Thread batcher;
    private final java.util.concurrent.atomic.LongAdder superFrames = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder segmentedFrames = new java.util.concurrent.atomic.LongAdder();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Thread receiver;
    private volatile boolean closed;
    /** The descriptor is O_NONBLOCK (opened here): the receiver reads it until EAGAIN after each poll. */
    private final boolean nonBlocking;
    /** Frames read after one poll at most, before the batch ends (the sink then processes them together). */
    static final int RECEIVE_BATCH = 64;

    public TapPort(TapSettings settings) throws IOException {
        this(settings, open(settings), true);
    }

    private static int open(TapSettings settings) throws IOException {
        try {
            return TunTap.openTap(settings.interfaceName(), settings.offload(), true);
        } catch (IOException e) {
            throw new IOException(settings + ": cannot open the tap: " + e.getMessage(), e);
        }
    }

    /**
     * A port over a tap descriptor opened elsewhere (for example by a process in another network
     * namespace, which handed it over): the port owns and closes {@code fd}.
     */
    public static TapPort adopt(int fd, TapSettings settings) {
        return new TapPort(settings, fd, false);
    }

    private TapPort(TapSettings settings, int fd, boolean nonBlocking) {
        super(settings.toString());
        this.settings = settings;
        this.fd = fd;
        this.nonBlocking = nonBlocking;
        this.header = settings.offload() ? TsoCoalescer.VNET_HDR : 0;
        this.sendSegment = arena.allocate(header + MAX_FRAME);
        this.sendView = sendSegment.asByteBuffer();
        if (settings.offload()) {
            coalescerSegment = arena.allocate(TsoCoalescer.CAPACITY);
            superView = coalescerSegment.asByteBuffer();
            coalescer = new TsoCoalescer(superView);
        } else {
            coalescerSegment = null;
            superView = null;
            coalescer = null;
        }
        this.receiver = startReceiver(false, "jioth-tap-rx " + settings.interfaceName(), this::receiveLoop); // native poll pins
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        if (!FrameDelivery.checkSendLength(frame, stats)) {
            return false;
        }
        int length = frame.remaining();
        sendLock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (coalescer != null && Thread.currentThread() == batcher) {
                if (!coalescer.offer(frame)) {
                    writePending();
                    if (!coalescer.offer(frame)) {
                        return writeAlone(frame, length);
                    }
                }
            } else {
                writePending();
                return writeAlone(frame, length);
            }
        } finally {
            sendLock.unlock();
        }
        stats.framesOut.increment();
        stats.bytesOut.add(length);
        return true;
    }

    /** Writes one frame behind a zero virtio-net header (if the tap has one); the caller holds the lock. */
    private boolean writeAlone(ByteBuffer frame, int length) {
        sendView.put(header, frame, frame.position(), length);
        if (header > 0) {
            TsoCoalescer.loneHeader(sendView, length);
        }
        long n = TunTap.write(sendState, fd, sendSegment, header + length);
        if (n != header + length) {
            stats.droppedQueueFull.increment(); // e.g. EIO while the interface is down
            return false;
        }
        stats.framesOut.increment();
        stats.bytesOut.add(length);
        return true;
    }

    /** Writes the pending super-frame, if any; the caller holds the lock. */
    private void writePending() {
        if (coalescer == null || coalescer.isEmpty()) {
            return;
        }
        int segments = coalescer.segments();
        int n = coalescer.finish();
        if (segments > 1) {
            superFrames.increment();
        }
        if (TunTap.write(sendState, fd, coalescerSegment, n) != n) {
            // counted once per frame that went into it (their framesOut were counted when taken)
            stats.droppedQueueFull.add(segments);
        }
    }

    /**
     * Writes the held-back super-frame, and from now on holds back this thread's TCP segments
     * until its next flush (offload only; otherwise nothing to do).
     */
    @Override
    public void flush() {
        if (coalescer == null) {
            return;
        }
        sendLock.lock();
        try {
            if (closed) {
                return;
            }
            batcher = Thread.currentThread();
            writePending();
        } finally {
            sendLock.unlock();
        }
    }

    /** With offload: partial TCP/IPv4 checksums go to the kernel as such (NEEDS_CSUM). */
    @Override
    public boolean acceptsPartialChecksums() {
        return coalescer != null;
    }

    /** With offload: a TSO frame of up to the largest IPv4 packet. */
    @Override
    public int maxSegmentedFrame() {
        return coalescer != null ? TsoCoalescer.CAPACITY - TsoCoalescer.VNET_HDR : 0;
    }

    /**
     * With offload: the sender's TSO frame joins the coalescer as the segments it stands for when
     * it comes from the thread whose sends wait for its flush (a stack loop): so the segments and
     * TSO frames of one flow that a turn of the loop sends (a lone MSS, bursts, the short tail)
     * still leave in one write, as they did when the loop sent MSS-sized segments. Otherwise (or
     * when it cannot join) it is written at once behind a virtio-net header asking the kernel to
     * cut it ({@link TsoCoalescer#segmentedHeader}), after what the coalescer held.
     */
    @Override
    public boolean sendSegmented(ByteBuffer frame, int segmentSize) throws IOException {
        int length = frame.remaining();
        if (length < MIN_FRAME || length > maxSegmentedFrame()) {
            stats.droppedBadLength.increment();
            return false;
        }
        sendLock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (Thread.currentThread() == batcher
                    && (coalescer.offerSegmented(frame, segmentSize)
                        || (!coalescer.isEmpty() && writePendingAndOffer(frame, segmentSize)))) {
                segmentedFrames.increment();
                stats.framesOut.increment();
                stats.bytesOut.add(length);
                return true;
            }
            writePending();
            superView.put(TsoCoalescer.VNET_HDR, frame, frame.position(), length);
            if (!TsoCoalescer.segmentedHeader(superView, length, segmentSize)) {
                stats.droppedMalformed.increment();
                return false;
            }
            int n = TsoCoalescer.VNET_HDR + length;
            if (TunTap.write(sendState, fd, coalescerSegment, n) != n) {
                stats.droppedQueueFull.increment();
                return false;
            }
        } finally {
            sendLock.unlock();
        }
        segmentedFrames.increment();
        superFrames.increment();
        stats.framesOut.increment();
        stats.bytesOut.add(length);
        return true;
    }

    /** Writes the pending super-frame and offers the TSO frame to the emptied coalescer; the caller holds the lock. */
    private boolean writePendingAndOffer(ByteBuffer frame, int segmentSize) {
        writePending();
        return coalescer.offerSegmented(frame, segmentSize);
    }

    /** The TSO frames a sender cut itself ({@link #sendSegmented}) that went out, each joined into a super-frame or alone. */
    public long segmentedFramesOut() {
        return segmentedFrames.sum();
    }

    /** How many TSO super-frames (of two or more segments, joined here or cut by the sender) went to the tap: 0 without offload. */
    public long superFramesOut() {
        return superFrames.sum();
    }

    private void receiveLoop() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(local);
            MemorySegment pollfd = local.allocate(8);
            MemorySegment buf = local.allocate(header + MAX_FRAME + 1);
            ByteBuffer view = buf.asByteBuffer();
            while (!closed) {
                if (org.jioth.linux.Poll.pollIn(state, pollfd, fd, POLL_MILLIS) <= 0) {
                    continue;
                }
                // a blocking descriptor (adopted) gives one frame per poll; ours, what is queued
                int limit = nonBlocking ? RECEIVE_BATCH : 1;
                boolean delivered = false;
                for (int i = 0; i < limit && !closed; i++) {
                    long n = TunTap.read(state, fd, buf, header + MAX_FRAME + 1);
                    if (n < 0) {
                        if (!closed && n != -TunTap.EAGAIN) {
                            LOG.log(Level.DEBUG, () -> settings + ": read failed, errno " + (-n));
                        }
                        break;
                    }
                    delivered |= receive(view, (int) n);
                }
                if (delivered) {
                    endOfBatch();
                }
            }
        }
    }

    /** Hands one frame read into {@code view} ({@code n} bytes with the vnet header) to the sink. */
    private boolean receive(ByteBuffer view, int n) {
        view.clear().limit(n);
        if (header > 0) {
            if (!VnetReceive.accept(view, n)) {
                stats.droppedMalformed.increment();
                return false;
            }
            view.position(header);
        }
        return deliver(view);
    }

    @Override
    public void close() throws IOException {
        sendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            sendLock.unlock();
        }
        try {
            receiver.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TunTap.close(fd);
        arena.close();
    }
}
