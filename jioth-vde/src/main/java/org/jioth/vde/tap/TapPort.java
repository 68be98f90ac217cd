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
 */
public final class TapPort extends PortBase {
    private static final Logger LOG = System.getLogger(TapPort.class.getName());
    private static final int POLL_MILLIS = 250;

    private final TapSettings settings;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sendState = NativeSupport.newCallState(arena);
    private final MemorySegment sendSegment = arena.allocate(MAX_FRAME);
    private final ByteBuffer sendView = sendSegment.asByteBuffer();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Thread receiver;
    private volatile boolean closed;

    public TapPort(TapSettings settings) throws IOException {
        this(settings, open(settings));
    }

    private static int open(TapSettings settings) throws IOException {
        try {
            return TunTap.openTap(settings.interfaceName());
        } catch (IOException e) {
            throw new IOException(settings + ": cannot open the tap: " + e.getMessage(), e);
        }
    }

    /**
     * A port over a tap descriptor opened elsewhere (for example by a process in another network
     * namespace, which handed it over): the port owns and closes {@code fd}.
     */
    public static TapPort adopt(int fd, TapSettings settings) {
        return new TapPort(settings, fd);
    }

    private TapPort(TapSettings settings, int fd) {
        super(settings.toString());
        this.settings = settings;
        this.fd = fd;
        this.receiver = Thread.ofPlatform().daemon().name("jioth-tap-rx " + settings.interfaceName())
                .unstarted(this::receiveLoop);
        receiver.start();
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
            sendView.put(0, frame, frame.position(), length);
            long n = TunTap.write(sendState, fd, sendSegment, length);
            if (n != length) {
                stats.droppedQueueFull.increment(); // e.g. EIO while the interface is down
                return false;
            }
        } finally {
            sendLock.unlock();
        }
        stats.framesOut.increment();
        stats.bytesOut.add(length);
        return true;
    }

    private void receiveLoop() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(local);
            MemorySegment pollfd = local.allocate(8);
            MemorySegment buf = local.allocate(MAX_FRAME + 1);
            ByteBuffer view = buf.asByteBuffer();
            while (!closed) {
                if (org.jioth.linux.Poll.pollIn(state, pollfd, fd, POLL_MILLIS) <= 0) {
                    continue;
                }
                long n = TunTap.read(state, fd, buf, MAX_FRAME + 1);
                if (n < 0) {
                    if (!closed && n != -TunTap.EAGAIN) {
                        LOG.log(Level.DEBUG, () -> settings + ": read failed, errno " + (-n));
                    }
                    continue;
                }
                view.clear().limit((int) n);
                if (deliver(view)) {
                    endOfBatch();
                }
            }
        }
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
