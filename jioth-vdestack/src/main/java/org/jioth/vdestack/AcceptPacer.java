package org.jioth.vdestack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jioth.linux.fdnio.FdServerSocketChannel;

/**
 * Holds a TCP segment bound for a listening port of the namespace while that listener's accept
 * queue is full, until the program accepts (at most {@link #MAX_WAIT_NANOS}).
 *
 * <p>Why: the bridge writes a burst of frames into the tap back to back, and the namespace's kernel
 * handles each inside that write; with a small backlog (5 for {@code ioth server}) the queue of
 * finished connections fills within a few frames, and every handshake that completes after that,
 * and every SYN, is dropped (SYN cookies do not help there). The clients then retransmit with
 * exponential back-off, so a lag of a few hundred microseconds of the acceptor becomes seconds or
 * minutes, and a reset once a cookie expired. A NIC would drop too; but here the frames wait in a
 * switch that holds them anyway, so pacing them to the acceptor loses nothing.
 *
 * <p>Bounded: a listener whose queue stays full for {@link #MAX_WAIT_NANOS} (a program that does
 * not accept) is marked stalled and is not waited for again until its queue was seen with room, so
 * such a program costs the bridge one wait per accept it makes, not one per frame. The wait runs on
 * the thread that delivers frames (the shared reactor): an acceptor that itself waits through that
 * reactor (a virtual thread) cannot be woken during it, and such a wait always ends stalled, as
 * before this pacer. Counts frames held and waits that timed out.
 */
final class AcceptPacer {
    static final long MAX_WAIT_NANOS = 5_000_000;
    private static final long PARK_NANOS = 20_000;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int TCP = 6;
    private static final int RST = 0x04;

    /** One listener of the stack and whether its program stopped accepting. */
    private static final class Listener {
        final FdServerSocketChannel channel;
        volatile boolean stalled;
        /** Known once the channel is bound (it is opened unbound). */
        private volatile int port = -1;

        Listener(FdServerSocketChannel channel) {
            this.channel = channel;
        }

        int port() {
            int p = port;
            if (p < 0) {
                try {
                    p = channel.getLocalAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
                } catch (IOException e) {
                    p = -1;
                }
                port = p;
            }
            return p;
        }
    }

    /** The stack's listeners: one entry per open listening channel (closed ones are pruned on add). */
    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    final LongAdder held = new LongAdder();
    final LongAdder timedOut = new LongAdder();

    /** Told of every channel the stack's provider opens; keeps the server channels. */
    void opened(Channel channel) {
        if (channel instanceof FdServerSocketChannel server) {
            listeners.removeIf(l -> !l.channel.isOpen());
            listeners.add(new Listener(server));
        }
    }

    /** Called before {@code frame} (an Ethernet frame, position unchanged) is written into the tap. */
    void beforeDelivery(ByteBuffer frame) {
        if (listeners.isEmpty()) {
            return;
        }
        int port = tcpDestinationPort(frame);
        if (port < 0) {
            return;
        }
        for (Listener l : listeners) {
            if (l.port() == port) {
                await(l);
            }
        }
    }

    private void await(Listener l) {
        if (!l.channel.acceptQueueFull()) {
            l.stalled = false;
            return;
        }
        if (l.stalled) {
            return;
        }
        held.increment();
        long start = System.nanoTime();
        while (l.channel.acceptQueueFull()) {
            if (System.nanoTime() - start > MAX_WAIT_NANOS) {
                l.stalled = true;
                timedOut.increment();
                return;
            }
            LockSupport.parkNanos(PARK_NANOS);
        }
    }

    /** The TCP destination port of a frame that is not a reset, or -1 (not TCP, fragment, short). */
    static int tcpDestinationPort(ByteBuffer frame) {
        int p = frame.position();
        int len = frame.remaining();
        if (len < 14) {
            return -1;
        }
        int type = frame.getShort(p + 12) & 0xffff;
        int l4;
        if (type == ETHERTYPE_IPV4) {
            if (len < 34 || (frame.get(p + 23) & 0xff) != TCP || (frame.getShort(p + 20) & 0x1fff) != 0) {
                return -1; // not TCP, or a non-first fragment
            }
            l4 = p + 14 + (frame.get(p + 14) & 0x0f) * 4;
        } else if (type == ETHERTYPE_IPV6) {
            if (len < 54 || (frame.get(p + 20) & 0xff) != TCP) {
                return -1; // extension headers are not followed: such frames are not held
            }
            l4 = p + 54;
        } else {
            return -1;
        }
        if (l4 + 14 > p + len || (frame.get(l4 + 13) & RST) != 0) {
            return -1;
        }
        return frame.getShort(l4 + 2) & 0xffff;
    }
}
