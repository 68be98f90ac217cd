package org.jioth.vde.ip;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.ReentrantLock;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.PortStatistics;
import org.jioth.vde.portsupport.FrameDelivery;

/**
 * The send side shared by {@code vxlan://} and {@code vxvde://}: each frame goes from one socket
 * behind the {@link VxHeader} of the port's VNI, to the learned peer of its destination MAC, else
 * (group or unknown MAC) to the group. A full socket buffer or a send error drops the frame,
 * counted in {@code droppedQueueFull}; sends from several threads take turns on one buffer.
 */
final class VxSender {
    private static final Logger LOG = System.getLogger(VxSender.class.getName());

    private final String name;
    private final DatagramChannel channel;
    private final InetSocketAddress group;
    private final PeerTable table;
    private final PortStatistics stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(VxHeader.LENGTH + EthernetPort.MAX_FRAME);

    /** {@code name} names the port in logs; {@code channel} may be non-blocking (a full buffer drops). */
    VxSender(String name, int vni, DatagramChannel channel, InetSocketAddress group, PeerTable table,
            PortStatistics stats) {
        this.name = name;
        this.channel = channel;
        this.group = group;
        this.table = table;
        this.stats = stats;
        VxHeader.write(buffer, 0, vni);
    }

    /** Sends {@code frame} (position..limit, unchanged); false when it was dropped (counted). */
    boolean send(ByteBuffer frame) throws IOException {
        if (!FrameDelivery.checkSendLength(frame, stats)) {
            return false;
        }
        int length = frame.remaining();
        long dstMac = PeerTable.macAt(frame, frame.position());
        InetSocketAddress to = PeerTable.isGroup(dstMac) ? null : table.lookup(dstMac);
        lock.lock();
        try {
            buffer.clear();
            buffer.put(VxHeader.LENGTH, frame, frame.position(), length);
            buffer.limit(VxHeader.LENGTH + length);
            if (channel.send(buffer, to == null ? group : to) == 0) {
                stats.droppedQueueFull.increment(); // a non-blocking socket's buffer is full
                return false;
            }
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            stats.droppedQueueFull.increment();
            LOG.log(Level.DEBUG, () -> name + ": send failed: " + e);
            return false;
        } finally {
            lock.unlock();
        }
        stats.framesOut.increment();
        stats.bytesOut.add(length);
        return true;
    }

    /** vxvde's goodbye: the header alone, to the group. */
    void sendHeaderToGroup() throws IOException {
        lock.lock();
        try {
            buffer.clear().limit(VxHeader.LENGTH);
            channel.send(buffer, group);
        } finally {
            lock.unlock();
        }
    }
}
