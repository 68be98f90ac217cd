package org.jioth.dhcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import org.jioth.IothStack;
import org.jioth.MacAddress;
import org.jioth.NetConfigException;

/**
 * A DHCPv4 client (RFC 2131) for one interface of a stack, over the stack's own datagram channels
 * (port 68, broadcast flag set: the stack cannot take unicast to an address it does not have yet):
 * DISCOVER, OFFER, REQUEST, ACK; the lease applied (address, default route, MTU, DNS servers and
 * search domains to the stack's resolver); renewal at T1 (unicast to the server), rebinding at T2
 * (broadcast), removal at expiry then DISCOVER again with back-off ({@link #onTimer}); RELEASE on
 * {@link #close()}.
 *
 * <p>Timers are driven by whoever calls {@link #onTimer} (tests with a manual time source), or by
 * {@link #startTimers()}, a virtual thread that sleeps until the next instant.
 */
public final class DhcpClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DhcpClient.class.getName());
    static final InetSocketAddress BROADCAST = new InetSocketAddress(InetAddress.ofLiteral("255.255.255.255"), 67);
    private static final InetAddress ANY = InetAddress.ofLiteral("0.0.0.0");

    private final IothStack stack;
    private final int ifindex;
    private final String hostName;
    private final InstantSource clock;
    private final Duration perTry;
    private final int tries;
    private final SecureRandom xids = new SecureRandom();
    private final Object lock = new Object();
    private DhcpLease lease;
    private Thread timers;
    private boolean closed;
    /** Non-null once a lease expired: back in INIT, the pause before the next DISCOVER after a failed one. */
    private Duration rediscoverPause;
    /** True while this client's host route to 255.255.255.255 is on the stack. */
    private volatile boolean broadcastRoute;
    static final Duration FIRST_REDISCOVER_PAUSE = Duration.ofSeconds(4);
    static final Duration MAX_REDISCOVER_PAUSE = Duration.ofSeconds(64);

    /**
     * A client for {@code ifindex} of {@code stack}; {@code hostName} (may be null) is sent as option 12;
     * each exchange sends up to {@code tries} times, waiting {@code perTry} each (iothconf: 3 × 2 s).
     */
    public DhcpClient(IothStack stack, int ifindex, String hostName, InstantSource clock, Duration perTry, int tries) {
        this.stack = stack;
        this.ifindex = ifindex;
        this.hostName = hostName;
        this.clock = clock;
        this.perTry = perTry;
        this.tries = tries;
    }

    /** The lease held now, or null. */
    public DhcpLease lease() {
        synchronized (lock) {
            return lease;
        }
    }

    /**
     * Gets a lease (DISCOVER → OFFER → REQUEST → ACK) and applies it.
     *
     * @throws IOException when no server offered (ETIME-like: the message says so) or the server said NAK
     */
    public DhcpLease acquire() throws IOException {
        try {
            return discoverAndRequest();
        } finally {
            dropBroadcastRoute();
        }
    }

    private DhcpLease discoverAndRequest() throws IOException {
        MacAddress mac = stack.linkGetAddr(ifindex);
        DhcpMessage.Reply offer = exchange(DhcpMessage.DISCOVER, mac, null, null, null, BROADCAST, DhcpMessage.OFFER);
        if (offer == null) {
            throw new IOException("DHCP: no OFFER after " + tries + " DISCOVERs (" + perTry.toMillis() + " ms each)");
        }
        DhcpMessage.Reply ack = exchange(DhcpMessage.REQUEST, mac, null, offer.yourAddress(), offer.serverId(),
                BROADCAST, DhcpMessage.ACK);
        if (ack == null) {
            throw new IOException("DHCP: no ACK from " + offer.serverId().getHostAddress() + " for "
                    + offer.yourAddress().getHostAddress());
        }
        DhcpLease l = DhcpLease.of(ack, clock.instant());
        apply(null, l);
        return l;
    }

    /**
     * What the timers do at {@code now}: nothing while bound; a unicast REQUEST to the server once
     * renewing, a broadcast one once rebinding (a new ACK extends the lease); removal of the address
     * and route once expired, then back to DISCOVER (RFC 2131 4.4.5: INIT), retried after 4 s doubling
     * to 64 s while no server answers. Returns the instant it wants to be called again (null: never).
     */
    public Instant onTimer(Instant now) throws IOException {
        DhcpLease l;
        Duration pause;
        synchronized (lock) {
            if (closed) {
                return null;
            }
            l = lease;
            pause = rediscoverPause;
        }
        if (l == null) {
            return pause == null ? null : rediscover(now, pause);
        }
        DhcpLease.Phase phase = l.phase(now);
        switch (phase) {
            case BOUND -> {
                return l.renewAt();
            }
            case RENEWING, REBINDING -> {
                boolean renewing = phase == DhcpLease.Phase.RENEWING;
                MacAddress mac = stack.linkGetAddr(ifindex);
                DhcpMessage.Reply ack = exchange(DhcpMessage.REQUEST, mac, l.address(), null, null,
                        renewing ? new InetSocketAddress(l.server(), 67) : BROADCAST, DhcpMessage.ACK);
                if (ack != null && ack.yourAddress().equals(l.address())) {
                    DhcpLease fresh = DhcpLease.of(ack, now);
                    apply(l, fresh);
                    return fresh.renewAt();
                }
                // RFC 2131 4.4.5: retry after half the time left to T2 (renewing) or expiry, at least a minute
                Instant end = renewing ? l.rebindAt() : l.expiresAt();
                Duration half = Duration.between(now, end).dividedBy(2);
                return half.compareTo(Duration.ofSeconds(60)) < 0 ? end : now.plus(half);
            }
            default -> {
                LOG.log(System.Logger.Level.WARNING, "DHCP lease of " + l.address().getHostAddress() + " expired");
                unapply(l);
                synchronized (lock) {
                    lease = null;
                    rediscoverPause = FIRST_REDISCOVER_PAUSE;
                }
                return now; // INIT: discover again at once
            }
        }
    }

    /** INIT after an expiry: a new DISCOVER; on failure the next try waits {@code pause}, then twice as long. */
    private Instant rediscover(Instant now, Duration pause) {
        try {
            DhcpLease l = acquire();
            boolean late;
            synchronized (lock) {
                rediscoverPause = null;
                late = closed; // close() ran during the exchange: do not keep the address
                if (late) {
                    lease = null;
                }
            }
            if (late) {
                unapply(l);
                return null;
            }
            return l.renewAt();
        } catch (IOException e) {
            if (stack.isClosed()) {
                return null; // nothing left to configure: the timer thread ends
            }
            LOG.log(System.Logger.Level.INFO, "DHCP rediscovery: " + e.getMessage() + "; next try in " + pause);
            Duration next = pause.multipliedBy(2);
            synchronized (lock) {
                rediscoverPause = next.compareTo(MAX_REDISCOVER_PAUSE) > 0 ? MAX_REDISCOVER_PAUSE : next;
            }
            return now.plus(pause);
        }
    }

    /** Runs {@link #onTimer} on a virtual thread, sleeping on the system clock until each next instant. */
    public void startTimers() {
        synchronized (lock) {
            if (timers != null || closed) {
                return;
            }
            timers = Thread.ofVirtual().name("jioth-dhcp-" + ifindex).start(this::runTimers);
        }
    }

    private void runTimers() {
        DhcpLease first = lease(); // read once: close() may drop it meanwhile
        Instant next = first == null ? null : first.renewAt();
        while (next != null && !Thread.currentThread().isInterrupted()) {
            try {
                Duration wait = Duration.between(clock.instant(), next);
                if (!wait.isNegative() && !wait.isZero()) {
                    Thread.sleep(wait.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : wait);
                    if (clock.instant().isBefore(next)) {
                        continue;
                    }
                }
                next = onTimer(clock.instant());
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (stack.isClosed()) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "DHCP timer: " + e.getMessage(), e);
                next = clock.instant().plusSeconds(60);
            }
        }
    }

    /** Sends RELEASE (best effort), removes the lease's address and route, stops the timers. */
    @Override
    public void close() {
        Thread t;
        DhcpLease l;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            t = timers;
            l = lease;
            lease = null;
        }
        if (t != null) {
            t.interrupt();
        }
        if (l == null || stack.isClosed()) {
            return;
        }
        try {
            MacAddress mac = stack.linkGetAddr(ifindex);
            byte[] m = DhcpMessage.client(DhcpMessage.RELEASE, xids.nextInt(), mac, l.address(), null, l.server(),
                    null, false);
            try (DatagramChannel ch = open()) {
                ch.send(ByteBuffer.wrap(m), new InetSocketAddress(l.server(), 67));
            }
            unapply(l);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "DHCP release: " + e);
        }
    }

    private void apply(DhcpLease old, DhcpLease l) throws NetConfigException {
        if (old == null || !old.address().equals(l.address()) || old.prefixLength() != l.prefixLength()) {
            ignoringExisting(() -> stack.ipAddrAdd(l.address(), l.prefixLength(), ifindex));
        }
        if (!l.routers().isEmpty()) {
            ignoringExisting(() -> stack.ipRouteAdd(null, 0, l.routers().getFirst(), 0));
        }
        if (l.mtu() >= 576 && (old == null || old.mtu() != l.mtu())) {
            try {
                stack.linkSetMtu(ifindex, l.mtu());
            } catch (NetConfigException e) {
                LOG.log(System.Logger.Level.INFO, "DHCP MTU " + l.mtu() + " not applied: " + e.getMessage());
            }
        }
        org.jioth.dns.NameSources.of(stack).set(org.jioth.dns.NameSources.Source.DHCP4, l.dnsServers(), l.searchDomains());
        synchronized (lock) {
            lease = l;
        }
    }

    private void unapply(DhcpLease l) {
        if (!stack.isClosed()) {
            org.jioth.dns.NameSources.of(stack).set(org.jioth.dns.NameSources.Source.DHCP4, java.util.List.of(), java.util.List.of());
        }
        try {
            if (!l.routers().isEmpty()) {
                stack.ipRouteDel(null, 0, l.routers().getFirst(), 0);
            }
        } catch (NetConfigException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "DHCP route removal: " + e.getMessage());
        }
        try {
            stack.ipAddrDel(l.address(), l.prefixLength(), ifindex);
        } catch (NetConfigException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "DHCP address removal: " + e.getMessage());
        }
    }

    private interface Call {
        void run() throws NetConfigException;
    }

    private static void ignoringExisting(Call c) throws NetConfigException {
        try {
            c.run();
        } catch (NetConfigException e) {
            if (!e.errno().equals("EEXIST")) {
                throw e;
            }
        }
    }

    /**
     * Sends {@code m}. A Linux kernel stack (kernel, vdestack) with no IPv4 route refuses the
     * limited broadcast (ENETUNREACH): a host route 255.255.255.255/32 on the interface, as minimal
     * clients add, gives it one until the exchange is over.
     */
    private void send(DatagramChannel ch, byte[] m, InetSocketAddress to) throws IOException {
        try {
            ch.send(ByteBuffer.wrap(m), to);
        } catch (java.net.NoRouteToHostException e) {
            if (!to.equals(BROADCAST) || broadcastRoute) {
                throw e;
            }
            ignoringExisting(() -> stack.ipRouteAdd(BROADCAST.getAddress(), 32, null, ifindex));
            broadcastRoute = true;
            ch.send(ByteBuffer.wrap(m), to);
        }
    }

    private void dropBroadcastRoute() {
        if (broadcastRoute) {
            broadcastRoute = false;
            try {
                stack.ipRouteDel(BROADCAST.getAddress(), 32, null, ifindex);
            } catch (NetConfigException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "DHCP broadcast route removal: " + e.getMessage());
            }
        }
    }

    private DatagramChannel open() throws IOException {
        DatagramChannel ch = stack.provider().openDatagramChannel();
        try {
            ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(ANY, 68));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Sends a message up to {@code tries} times; the first reply of type {@code want} to it, or null. NAK throws. */
    private DhcpMessage.Reply exchange(int type, MacAddress mac, InetAddress ciaddr, InetAddress requested,
                                      InetAddress serverId, InetSocketAddress to, int want) throws IOException {
        try (DatagramChannel ch = open(); Selector sel = stack.provider().openSelector()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(1500);
            for (int t = 0; t < tries; t++) {
                int xid = xids.nextInt();
                send(ch, DhcpMessage.client(type, xid, mac, ciaddr, requested, serverId, hostName, true), to);
                long deadline = System.nanoTime() + perTry.toNanos();
                while (true) {
                    in.clear();
                    SocketAddress from = ch.receive(in);
                    if (from == null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        sel.selectedKeys().clear();
                        sel.select(Math.max(1, left / 1_000_000));
                        continue;
                    }
                    DhcpMessage.Reply r;
                    try {
                        r = DhcpMessage.parse(in.array(), in.position());
                    } catch (IllegalArgumentException e) {
                        LOG.log(System.Logger.Level.DEBUG, () -> "DHCP: dropped: " + e.getMessage());
                        continue;
                    }
                    if (r.op() != 2 || r.xid() != xid || !Arrays.equals(r.clientMac().toByteArray(), mac.toByteArray())) {
                        continue;
                    }
                    if (r.type() == DhcpMessage.NAK) {
                        throw new IOException("DHCP: the server " + r.serverId() + " said NAK");
                    }
                    if (r.type() == want && r.serverId() != null && r.yourAddress() != null
                            && !r.yourAddress().isAnyLocalAddress()) {
                        return r;
                    }
                }
            }
            return null;
        }
    }
}
