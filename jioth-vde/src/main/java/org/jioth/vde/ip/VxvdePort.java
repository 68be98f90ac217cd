package org.jioth.vde.ip;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.portsupport.FrameDelivery;
import org.jioth.vde.portsupport.PortBase;

/**
 * {@code vxvde://}: one node of a distributed switch over IP multicast. Two sockets: the multicast
 * socket (bound to group:port with SO_REUSEADDR, joined) and the unicast socket (ephemeral port)
 * from which everything is sent. Frames for group or unknown MACs go to the group, others to the
 * learned sender. Every payload carries the 8-byte {@link VxHeader}; an 8-byte payload is a goodbye.
 *
 * <p>One platform thread receives from both sockets through a {@link Selector}: a single thread
 * keeps delivery to the sink serial and in order, and it lets a burst be drained and closed with
 * one {@code endOfBatch()}. (JDK selectors are not virtual-thread friendly: select() would pin.)
 *
 * <p>Own packets looped back on the multicast socket are recognised by source port (our unicast
 * port) and source address (one of this host's addresses, read at open) — the JDK has no
 * IP_PKTINFO, so this is the reference's IPv6 rule applied to both families.
 */
public final class VxvdePort extends PortBase {
    private static final Logger LOG = System.getLogger(VxvdePort.class.getName());

    private final VxvdeSettings settings;
    private final InetSocketAddress groupAddress;
    private final DatagramChannel multicast;
    private final DatagramChannel unicast;
    private final int unicastPort;
    private final Set<InetAddress> localAddresses;
    private final PeerTable table;
    private final Selector selector;
    private final VxSender sender;
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(VxHeader.LENGTH + MAX_FRAME + 1);
    private final Consumer<SelectionKey> onReady = this::drain;
    private final Thread receiver;
    private volatile boolean closed;
    private boolean deliveredInBatch;

    public VxvdePort(VxvdeSettings settings) throws IOException {
        this(settings, System::nanoTime);
    }

    /** With an injected clock for the MAC table's expiry. */
    public VxvdePort(VxvdeSettings settings, LongSupplier nanoClock) throws IOException {
        super(settings.toString());
        this.settings = settings;
        this.groupAddress = new InetSocketAddress(settings.group(), settings.port());
        this.table = new PeerTable(settings.hashSize(), settings.expireTime().toNanos(), nanoClock);
        var family = MulticastInterfaces.familyOf(settings.group());
        NetworkInterface nif = MulticastInterfaces.forGroup(settings.group(), settings.port(),
                settings.interfaceName(), "vxvde");
        DatagramChannel mc = null;
        DatagramChannel uc = null;
        Selector sel = null;
        try {
            mc = DatagramChannel.open(family);
            mc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            mc.bind(groupAddress);
            mc.join(settings.group(), nif);
            mc.configureBlocking(false);

            uc = DatagramChannel.open(family);
            if (settings.receiveBuffer() > 0) {
                uc.setOption(StandardSocketOptions.SO_RCVBUF, (int) settings.receiveBuffer());
            }
            uc.setOption(StandardSocketOptions.IP_MULTICAST_TTL, settings.ttl());
            uc.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            if (settings.interfaceName() != null) {
                uc.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            }
            uc.bind(new InetSocketAddress(settings.bindAddress() != null
                    ? settings.bindAddress() : MulticastInterfaces.wildcardLike(settings.group()), 0));
            uc.configureBlocking(false);

            sel = Selector.open();
            mc.register(sel, SelectionKey.OP_READ, Boolean.TRUE);
            uc.register(sel, SelectionKey.OP_READ, Boolean.FALSE);
        } catch (IOException | RuntimeException e) {
            closeQuietly(mc, uc, sel);
            throw new IOException(settings + ": cannot open (" + e.getMessage() + ")", e);
        }
        this.multicast = mc;
        this.unicast = uc;
        this.selector = sel;
        this.unicastPort = ((InetSocketAddress) uc.getLocalAddress()).getPort();
        Set<InetAddress> locals = new java.util.HashSet<>(MulticastInterfaces.localAddresses());
        locals.add(((InetSocketAddress) uc.getLocalAddress()).getAddress()); // the bind address, surely ours
        this.localAddresses = Set.copyOf(locals);
        this.sender = new VxSender(settings.toString(), settings.vni(), uc, groupAddress, table, stats);
        this.receiver = startReceiver(false, "jioth-vxvde-rx " + settings, this::receiveLoop); // a Selector pins a carrier
    }

    /** The port the unicast socket got (peers learn us at this port). */
    public int unicastPort() {
        return unicastPort;
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return sender.send(frame);
    }

    private void receiveLoop() {
        while (!closed) {
            try {
                deliveredInBatch = false;
                selector.select(onReady);
                if (deliveredInBatch) {
                    endOfBatch();
                }
            } catch (ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
                break;
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                LOG.log(Level.WARNING, settings + ": select failed", e);
            }
        }
    }

    /** Reads every datagram waiting on one socket. */
    private void drain(SelectionKey key) {
        DatagramChannel ch = (DatagramChannel) key.channel();
        boolean fromGroupSocket = (Boolean) key.attachment();
        ByteBuffer buf = receiveBuffer;
        while (!closed) {
            buf.clear();
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) ch.receive(buf);
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.DEBUG, () -> settings + ": receive failed: " + e);
                }
                return;
            }
            if (from == null) {
                return;
            }
            handle(buf, buf.position(), from, fromGroupSocket);
        }
    }

    private void handle(ByteBuffer buf, int length, InetSocketAddress from, boolean fromGroupSocket) {
        if (length < VxHeader.LENGTH || !VxHeader.matchesExactly(buf, 0, settings.vni())) {
            stats.droppedMalformed.increment();
            return;
        }
        if (fromGroupSocket && from.getPort() == unicastPort && isLocal(from.getAddress())) {
            return; // our own multicast, looped back
        }
        if (length == VxHeader.LENGTH) {
            table.forget(from); // goodbye
            return;
        }
        buf.limit(length).position(VxHeader.LENGTH);
        if (!FrameDelivery.validLength(buf.remaining())) {
            stats.droppedBadLength.increment();
            return;
        }
        table.learn(PeerTable.macAt(buf, VxHeader.LENGTH + 6), from.getAddress(), from.getPort());
        deliveredInBatch |= deliver(buf);
    }

    /** One of ours; a multicast routed out of lo without a source address arrives from 0.0.0.0. */
    private boolean isLocal(InetAddress a) {
        return a.isAnyLocalAddress() || localAddresses.contains(a);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            sender.sendHeaderToGroup(); // goodbye
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> settings + ": goodbye not sent: " + e);
        } finally {
            closed = true;
        }
        selector.wakeup();
        try {
            receiver.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(multicast, unicast, selector);
    }

    private static void closeQuietly(AutoCloseable... all) {
        for (AutoCloseable c : all) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
        }
    }
}
