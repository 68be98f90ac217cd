package org.jioth.vde.ip;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.function.LongSupplier;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.portsupport.FrameDelivery;
import org.jioth.vde.portsupport.PortBase;

/**
 * {@code vxlan://}: a VXLAN (RFC 7348) tunnel endpoint, interoperable with the Linux kernel's vxlan
 * device. One UDP socket bound to the wildcard address at {@code port} (no SO_REUSEADDR: one per
 * host and port), joined to the group, multicast loopback off; frames go to the group for group or
 * unknown MACs, else to the learned sender IP at {@code port}.
 *
 * <p>The receiver is a virtual thread blocked in the JDK's blocking {@link DatagramChannel} (parked
 * on the JDK poller, no carrier pinned); each frame is followed by {@code endOfBatch()}.
 */
public final class VxlanPort extends PortBase {
    private static final Logger LOG = System.getLogger(VxlanPort.class.getName());

    private final VxlanSettings settings;
    private final InetSocketAddress groupAddress;
    private final DatagramChannel channel;
    private final PeerTable table;
    private final VxSender sender;
    private final Thread receiver;
    private volatile boolean closed;

    public VxlanPort(VxlanSettings settings) throws IOException {
        this(settings, System::nanoTime);
    }

    /** With an injected clock for the MAC table's expiry. */
    public VxlanPort(VxlanSettings settings, LongSupplier nanoClock) throws IOException {
        super(settings.toString());
        this.settings = settings;
        this.groupAddress = new InetSocketAddress(settings.group(), settings.port());
        this.table = new PeerTable(settings.hashSize(), settings.expireTime().toNanos(), nanoClock);
        NetworkInterface nif = MulticastInterfaces.forGroup(settings.group(), settings.port(),
                settings.interfaceName(), "vxlan");
        DatagramChannel ch = DatagramChannel.open(MulticastInterfaces.familyOf(settings.group()));
        try {
            if (settings.receiveBuffer() > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, (int) settings.receiveBuffer());
            }
            ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, settings.ttl());
            ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
            if (settings.interfaceName() != null) {
                ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            }
            ch.bind(new InetSocketAddress(MulticastInterfaces.wildcardLike(settings.group()), settings.port()));
            ch.join(settings.group(), nif);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw new IOException(settings + ": cannot open (" + e.getMessage() + ")", e);
        }
        this.channel = ch;
        this.sender = new VxSender(settings.toString(), settings.vni(), ch, groupAddress, table, stats);
        this.receiver = startReceiver(true, "jioth-vxlan-rx " + settings, this::receiveLoop);
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return sender.send(frame);
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(VxHeader.LENGTH + MAX_FRAME + 1);
        while (!closed) {
            buf.clear();
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) channel.receive(buf);
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                LOG.log(Level.DEBUG, () -> settings + ": receive failed: " + e);
                continue;
            }
            int length = buf.position();
            if (length < VxHeader.LENGTH || !VxHeader.matchesVxlan(buf, 0, settings.vni())) {
                stats.droppedMalformed.increment();
                continue;
            }
            buf.limit(length).position(VxHeader.LENGTH);
            if (!FrameDelivery.validLength(buf.remaining())) {
                stats.droppedBadLength.increment();
                continue;
            }
            // Learn the sender's IP; replies go to the VXLAN port, whatever source port it used.
            table.learn(PeerTable.macAt(buf, VxHeader.LENGTH + 6), from.getAddress(), settings.port());
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
