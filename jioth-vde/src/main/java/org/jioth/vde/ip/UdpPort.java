package org.jioth.vde.ip;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.ReentrantLock;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.portsupport.FrameDelivery;
import org.jioth.vde.portsupport.PortBase;

/**
 * {@code udp://}: a point-to-point tunnel, one UDP datagram per raw frame. The socket is connected
 * to the destination from the start, so the kernel delivers datagrams only from that peer and binds
 * the local address its route uses when the VNL names none. Deliberately stricter than the
 * reference, which hears anyone until it first sends and "disconnects" on a zero-length datagram
 * (so anyone could unlock the tunnel and inject frames): here a zero-length datagram is just a bad
 * length, and the sender of every datagram is checked again (datagrams queued between bind and
 * connect), counted as malformed when it is not the peer.
 *
 * <p>The receiver is a virtual thread blocked in the JDK's blocking {@link DatagramChannel}: the
 * JDK parks it on its own poller without pinning a carrier, so many ports cost no platform thread
 * each. Received frames are delivered one at a time, each followed by {@code endOfBatch()} (a
 * blocking receive cannot tell whether more datagrams are waiting).
 */
public final class UdpPort extends PortBase {
    private static final Logger LOG = System.getLogger(UdpPort.class.getName());

    private final UdpSettings settings;
    private final DatagramChannel channel;
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Where heap frames are copied before sending, so the JDK needs no temporary direct buffer. */
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(MAX_FRAME);
    private final Thread receiver;
    private volatile boolean closed;

    public UdpPort(UdpSettings settings) throws IOException {
        super(settings.toString());
        this.settings = settings;
        InetSocketAddress dst = settings.destination();
        this.channel = DatagramChannel.open(MulticastInterfaces.familyOf(dst.getAddress()));
        try {
            channel.bind(settings.sourceAddress() == null
                    ? new InetSocketAddress(MulticastInterfaces.wildcardLike(dst.getAddress()), settings.sourcePort())
                    : new InetSocketAddress(settings.sourceAddress(), settings.sourcePort()));
        } catch (IOException e) {
            channel.close();
            throw new IOException(settings + ": cannot bind the source socket: " + e.getMessage(), e);
        }
        try {
            channel.connect(dst); // only the peer is heard; a wildcard bind narrows to the routed address
        } catch (IOException e) {
            channel.close();
            throw new IOException(settings + ": cannot connect the socket to " + dst + ": " + e.getMessage(), e);
        }
        this.receiver = startReceiver(true, "jioth-udp-rx " + settings, this::receiveLoop);
    }

    /** The bound local address (useful when the source port was 0). */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (!FrameDelivery.checkSendLength(frame, stats)) {
            return false;
        }
        int length = frame.remaining();
        int position = frame.position();
        sendLock.lock();
        try {
            ByteBuffer out = frame;
            if (!frame.isDirect()) {
                sendBuffer.clear();
                sendBuffer.put(0, frame, position, length);
                sendBuffer.limit(length);
                out = sendBuffer;
            }
            int sent = channel.write(out);
            if (sent != length) {
                stats.droppedQueueFull.increment();
                return false;
            }
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            stats.droppedQueueFull.increment();
            LOG.log(Level.DEBUG, () -> settings + ": send failed: " + e);
            return false;
        } finally {
            frame.position(position);
            sendLock.unlock();
        }
        stats.framesOut.increment();
        stats.bytesOut.add(length);
        return true;
    }

    private void receiveLoop() {
        // One byte more than the largest frame, so an oversized datagram shows as too long.
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_FRAME + 1);
        InetSocketAddress peer = settings.destination();
        while (!closed) {
            buf.clear();
            SocketAddress from;
            try {
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                break;
            } catch (PortUnreachableException e) {
                continue; // an ICMP error for an earlier send (the peer is not up yet): not input
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                stats.droppedMalformed.increment();
                LOG.log(Level.DEBUG, () -> settings + ": receive failed: " + e);
                continue;
            }
            buf.flip();
            if (!peer.equals(from)) {
                stats.droppedMalformed.increment(); // queued before connect: a connected socket refuses it
                continue;
            }
            if (deliver(buf)) {
                endOfBatch();
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        channel.close();
        try {
            receiver.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
