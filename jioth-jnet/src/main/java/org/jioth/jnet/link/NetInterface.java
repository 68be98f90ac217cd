package org.jioth.jnet.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.vde.EthernetPort;

/**
 * A network interface of a stack: loopback, or a NIC on an {@link EthernetPort}. Its state is
 * owned by the stack loop; the port's sink (called on the port's thread) only copies frames into
 * the loop's {@link org.jioth.jnet.loop.RxRing}.
 */
public final class NetInterface {
    private static final System.Logger LOG = System.getLogger(NetInterface.class.getName());
    /** Frames are padded to the Ethernet minimum (without FCS). */
    public static final int MIN_FRAME = 60;

    public final int index;
    public final String name;
    private final EthernetPort port;
    private final Counters counters;
    private long mac;
    private int mtu;
    private boolean up;
    private boolean deleted;
    /** The port is attached to its network (a {@code vde://} switch may go away and come back). */
    private boolean carrier = true;
    private final List<IfAddress> addresses = new ArrayList<>();
    private IngressBudget ingress;
    private boolean ingressAsked;

    public NetInterface(int index, String name, EthernetPort port, long mac, int mtu, Counters counters) {
        this.index = index;
        this.name = name;
        this.port = port;
        this.mac = mac;
        this.mtu = mtu;
        this.counters = counters;
    }

    public boolean isLoopback() {
        return port == null;
    }

    /** Pushes the frames the port holds for the loop (ports that batch sends; others ignore it). */
    public void flush() {
        if (port != null) {
            port.flush();
        }
    }

    /** Whether TCP segments out of here may leave their checksum partial ({@link EthernetPort#acceptsPartialChecksums}). */
    public boolean acceptsPartialChecksums() {
        return port != null && port.acceptsPartialChecksums();
    }

    /** Whether the port behind pushes back instead of dropping ({@link EthernetPort#pushesBackLosslessly}). */
    public boolean pushesBackLosslessly() {
        return port != null && port.pushesBackLosslessly();
    }

    /**
     * The longest TSO frame the port takes ({@link EthernetPort#maxSegmentedFrame}), 0 when it does
     * not segment or cannot take partial checksums (the kernel completes each segment's).
     */
    public int maxSegmentedFrame() {
        return port != null && port.acceptsPartialChecksums() ? port.maxSegmentedFrame() : 0;
    }

    public EthernetPort port() {
        return port;
    }

    /**
     * What the connections receiving here share of the port's ingress queue, or null when the port
     * reports no bound (loopback, tap, slirp, in-JVM ports). Made on first use; loop thread.
     */
    public IngressBudget ingress() {
        if (!ingressAsked) {
            ingressAsked = true;
            int frames = port == null ? Integer.MAX_VALUE : port.ingressQueueFrames();
            ingress = frames == Integer.MAX_VALUE ? null : new IngressBudget(frames);
        }
        return ingress;
    }

    public long mac() {
        return mac;
    }

    public void setMac(long mac) {
        this.mac = mac;
    }

    public int mtu() {
        return mtu;
    }

    public void setMtu(int mtu) {
        this.mtu = mtu;
    }

    public boolean isUp() {
        return up && !deleted;
    }

    public void setUp(boolean up) {
        this.up = up;
    }

    public boolean carrier() {
        return carrier;
    }

    public void setCarrier(boolean carrier) {
        this.carrier = carrier;
    }

    /** Up and with carrier: IFF_RUNNING. */
    public boolean isRunning() {
        return isUp() && carrier;
    }

    public boolean isDeleted() {
        return deleted;
    }

    public void markDeleted() {
        deleted = true;
    }

    /** The addresses, in the order they were added (the first is the primary). */
    public List<IfAddress> addresses() {
        return addresses;
    }

    /** This interface's address equal to {@code a}, or null. */
    public IfAddress address(int a) {
        for (IfAddress x : addresses) {
            if (x.address() == a) {
                return x;
            }
        }
        return null;
    }

    /** True when {@code a} is the directed broadcast of one of this interface's subnets. */
    public boolean isBroadcastOf(int a) {
        for (IfAddress x : addresses) {
            if (x.broadcast() == a && a != 0) {
                return true;
            }
        }
        return false;
    }

    /** A source address for reaching {@code dst} (or a gateway) through here: same subnet first. */
    public int sourceFor(int nextHop) {
        for (IfAddress x : addresses) {
            if (x.contains(nextHop)) {
                return x.address();
            }
        }
        return addresses.isEmpty() ? 0 : addresses.get(0).address();
    }

    /**
     * Sends the frame at {@code buf[off, off+len)}, padding it to 60 bytes (the buffer must have room);
     * counts and drops when the link is down or the port refuses.
     */
    public boolean transmit(ByteBuffer buf, int off, int len) {
        return transmit(buf, off, len, 0);
    }

    /**
     * Sends the TCP/IPv4 frame at {@code buf[off, off+len)} for the port to cut into segments of
     * {@code segmentSize} payload bytes ({@link EthernetPort#sendSegmented}); counted as one frame
     * out and one TSO frame.
     */
    public boolean transmitSegmented(ByteBuffer buf, int off, int len, int segmentSize) {
        return transmit(buf, off, len, segmentSize);
    }

    private boolean transmit(ByteBuffer buf, int off, int len, int segmentSize) {
        if (!isUp() || port == null) {
            counters.inc(Counter.ETH_OUT_PORT_DROPS);
            return false;
        }
        if (!carrier) {
            counters.inc(Counter.ETH_OUT_NO_CARRIER);
            return false;
        }
        if (len < MIN_FRAME) {
            for (int i = off + len; i < off + MIN_FRAME; i++) {
                buf.put(i, (byte) 0);
            }
            len = MIN_FRAME;
        }
        int pos = buf.position();
        int lim = buf.limit();
        boolean sent;
        try {
            buf.limit(off + len).position(off);
            sent = segmentSize > 0 ? port.sendSegmented(buf, segmentSize) : port.send(buf);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": port send failed: " + e);
            sent = false;
        } finally {
            buf.limit(lim).position(pos);
        }
        if (sent) {
            counters.inc(Counter.ETH_OUT_FRAMES);
            counters.add(Counter.ETH_OUT_BYTES, len);
            if (segmentSize > 0) {
                counters.inc(Counter.ETH_OUT_TSO_FRAMES);
            }
        } else {
            counters.inc(Counter.ETH_OUT_PORT_DROPS);
        }
        return sent;
    }

    @Override
    public String toString() {
        return index + ": " + name;
    }
}
