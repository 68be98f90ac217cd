package org.jioth.jnet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.channels.spi.SelectorProvider;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.random.RandomGenerator;
import org.jioth.MacAddress;
import org.jioth.NetConfig;
import org.jioth.jnet.icmp.Icmp6Layer;
import org.jioth.jnet.icmp.IcmpLayer;
import org.jioth.jnet.ip.Ipv4Layer;
import org.jioth.jnet.ip.Ipv6Layer;
import org.jioth.jnet.ip.RouteTable;
import org.jioth.jnet.link.EthernetDemux;
import org.jioth.jnet.link.Interfaces;
import org.jioth.jnet.link.Neighbor6Cache;
import org.jioth.jnet.link.NeighborCache;
import org.jioth.jnet.link.NetInterface;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.RxRing;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.nio.JnetSelectorProvider;
import org.jioth.jnet.time.Clock;
import org.jioth.jnet.time.SystemClock;
import org.jioth.jnet.tcp.TcpLayer;
import org.jioth.jnet.udp.UdpLayer;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Mac;
import org.jioth.spi.SocketRegistry;
import org.jioth.spi.StackImpl;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.jioth.vde.InterfaceVnl;

/**
 * One jnet stack: its interfaces, tables and protocol layers, all owned by one {@link StackLoop}.
 * Made by {@link JnetProvider} from VNLs, or directly with {@link #builder()} (tests attach
 * in-JVM ports and a {@link org.jioth.jnet.time.ManualClock}).
 */
public final class JnetStack implements StackImpl {
    /** Frames the receive queue holds at first; beyond {@link #RX_QUEUE_MAX} they are dropped and counted (Eth.InDropQueueFull). */
    public static final int RX_QUEUE = 256;
    /** Frames the receive queue may grow to under a burst, charged to the memory budget (2 KiB each). */
    public static final int RX_QUEUE_MAX = 16384;
    static final int LOOPBACK_MTU = 65536;
    private static final System.Logger LOG = System.getLogger(JnetStack.class.getName());

    final JnetOptions options;
    final Counters counters = new Counters();
    /** Visible randomness (MACs, ports, IP ids, ping id): what {@code seed=} reproduces. */
    final RandomGenerator random;
    final StackLoop loop;
    final Interfaces interfaces = new Interfaces();
    /** The ports' frame and call counts, for {@link #statistics()} on any thread (interfaces are loop-only). */
    final PortCallCounts portCalls = new PortCallCounts();
    final RouteTable routes = new RouteTable();
    final NeighborCache neighbours;
    final Ipv4Layer ipv4;
    final IcmpLayer icmp;
    final Ipv6Layer ipv6;
    final Icmp6Layer icmp6;
    final UdpLayer udp;
    final TcpLayer tcp;
    final SocketRegistry sockets;
    /** What the stack's transport buffers, connections and reassembly may hold (issue 11). */
    final org.jioth.jnet.mem.MemoryBudget memory;
    private final JnetNetConfig config;
    private final JnetSelectorProvider provider;
    /** Received frames to IPv4, IPv6 or ARP. */
    private final EthernetDemux demux;
    private int autoNames;
    private volatile boolean closed;
    /** Interfaces without carrier now, published by the loop for {@link #health()}. */
    private volatile List<String> linksDown = List.of();
    /** Why links are down for good (their port failed), as "vde0: cause"; empty while none is. */
    private volatile String linkFailures = "";

    private JnetStack(Builder b) {
        this.options = b.options;
        this.random = b.options.seed().isPresent() ? new SplittableRandom(b.options.seed().getAsLong())
                : new SplittableRandom(new SecureRandom().nextLong());
        // Secret keys never come from the visible stream: its outputs go on the wire.
        RandomGenerator secrets = b.options.secretSeed().isPresent()
                ? new SplittableRandom(b.options.secretSeed().getAsLong()) : new SecureRandom();
        this.sockets = b.sockets;
        this.memory = org.jioth.jnet.mem.MemoryBudget.forStack(b.options.memoryBudget());
        RxRing rx = new RxRing(RX_QUEUE, RX_QUEUE_MAX);
        rx.setBudget(memory::charge, memory::release);
        this.loop = new StackLoop(b.clock, rx, counters);
        // The layers are made bottom-up, each from the layers it sends through; then each network
        // layer is connected to the layers above it (docs/architecture.md, "how the layers are wired").
        this.neighbours = new NeighborCache(loop, counters);
        Neighbor6Cache neighbours6 = new Neighbor6Cache(loop, counters);
        this.ipv4 = new Ipv4Layer(interfaces, routes, neighbours, counters, rx, loop, random);
        this.ipv6 = new Ipv6Layer(interfaces, neighbours6, counters, loop, random);
        this.udp = new UdpLayer(ipv4, ipv6, interfaces, counters, random);
        this.tcp = new TcpLayer(ipv4, ipv6, interfaces, counters, loop, random, secrets);
        this.icmp = new IcmpLayer(ipv4, tcp, udp, counters, loop, random.nextInt(0x10000));
        this.icmp6 = new Icmp6Layer(ipv6, neighbours6, counters, loop, random.nextInt(0x10000));
        org.jioth.jnet.icmp.Icmp6ToTransports.wire(icmp6, tcp, udp);
        ipv4.connect(icmp, udp, tcp);
        ipv6.connect(icmp6, tcp, udp);
        this.demux = new EthernetDemux(counters, neighbours, ipv4::input, ipv6::input);
        // options and budgets
        ipv4.setForwarding(b.options.forwarding());
        tcp.setMaxConnections(b.options.maxConnections());
        tcp.setMaxOrphans(b.options.maxOrphans());
        tcp.setCongestionControl(b.options.congestionControl());
        tcp.setSegmentationOffload(b.options.tso());
        tcp.setMemory(memory);
        udp.setMemory(memory);
        ipv4.reassembler().setMemory(memory);
        ipv6.reassembler().setMemory(memory);
        ipv6.addressTable().setDadMode(b.options.dad());
        byte[] stableSecret = new byte[32]; // RFC 7217's secret key: never from the visible stream
        secrets.nextBytes(stableSecret);
        ipv6.addressTable().setSecret(stableSecret);
        ipv6.setFlowLabelKey(secrets.nextLong(), secrets.nextLong()); // RFC 6437: unpredictable labels
        this.config = new JnetNetConfig(this);
        this.provider = new JnetSelectorProvider(this);

        NetInterface lo = new NetInterface(1, "lo", null, 0, LOOPBACK_MTU, counters);
        lo.setUp(true);
        interfaces.add(lo);
        config.addAddressOnLoop(lo, Ip4.parse("127.0.0.1"), 8);
        long firstMac = b.options.mac() != null ? Mac.of(b.options.mac()) : -1;
        int n = 0;
        for (Attachment a : b.attachments) {
            long mac = firstMac >= 0 ? firstMac + n : Mac.of(MacAddress.randomLocal(random));
            attach(a.name, a.port, mac & Mac.BROADCAST, interfaces.nextIndex());
            n++;
        }
        loop.onFailure(this::loopFailed);
        StackLoop.FrameHandler frames = new StackLoop.FrameHandler() {
            @Override
            public void handle(RxRing.Slot slot) {
                demux.input(slot);
            }

            @Override
            public void endOfBatch() {
                tcp.endOfBatch();
            }

            @Override
            public void endOfTurn() {
                List<NetInterface> all = interfaces.all();
                for (int i = 0; i < all.size(); i++) {
                    all.get(i).flush();
                }
            }
        };
        LoopThreads.start(loop, "jnet-loop", frames, b.attachments.size() == 1 ? b.attachments.get(0).port : null);
    }

    /**
     * On the dead loop's thread, once it failed: every channel is woken, and each of its operations
     * now fails with an IOException naming the failure.
     */
    private void loopFailed() {
        LOG.log(System.Logger.Level.ERROR, "jnet stack failed; its sockets fail from now on", loop.failure());
        for (java.nio.channels.Channel c : sockets.channels()) {
            if (c instanceof org.jioth.nio.ReadinessSource r) {
                r.readiness().changed();
            }
        }
    }

    /**
     * On the loop: the port's carrier may have changed. Down is a Linux link-down: neighbours of the
     * interface are forgotten (what waits for them fails with ENETDOWN), sends are dropped and
     * counted, and TCP retransmits until the link is back or its own limits end the connection. A
     * port that failed for good ({@code EthernetPort.failure()}) is logged as an error and named
     * in {@link #health()}'s reason.
     */
    private void carrierChanged(NetInterface nic) {
        boolean c = nic.port().carrier();
        boolean changed = c != nic.carrier() && !nic.isDeleted();
        if (changed) {
            nic.setCarrier(c);
            if (!c) {
                neighbours.flush(nic, org.jioth.Errno.ENETDOWN.value());
                nic.port().failure().ifPresent(f -> LOG.log(System.Logger.Level.ERROR,
                        nic.name + ": link down for good, the port failed", f));
            }
            LOG.log(System.Logger.Level.INFO, () -> nic.name + ": carrier " + (c ? "up" : "down"));
        }
        publishLinks(); // also when the port was down before it was attached
        if (changed) {
            // counted last: whoever sees the count also sees health() and the flags that go with it
            counters.inc(c ? Counter.LINK_CARRIER_UP : Counter.LINK_CARRIER_DOWN);
        }
    }

    /** Publishes for {@link #health()} which links are down, and why those down for good are. */
    private void publishLinks() {
        List<String> down = new ArrayList<>();
        StringBuilder failures = new StringBuilder();
        for (NetInterface i : interfaces.all()) {
            if (!i.carrier() && !i.isDeleted()) {
                down.add(i.name);
                i.port().failure().ifPresent(f -> failures.append(failures.isEmpty() ? "" : "; ")
                        .append(i.name).append(": its port failed: ").append(f));
            }
        }
        linksDown = List.copyOf(down);
        linkFailures = failures.toString();
    }

    /** Throws the IOException naming why when the stack's loop failed (channels call it). */
    public void checkAlive() throws IOException {
        if (loop.failure() != null) {
            throw loop.failureException();
        }
    }

    /** True once the stack's loop failed for good. */
    public boolean hasFailed() {
        return loop.failure() != null;
    }

    @Override
    public org.jioth.StackHealth health() {
        if (loop.failure() != null) {
            return org.jioth.StackHealth.failed(String.valueOf(loop.failure()));
        }
        if (closed) {
            return org.jioth.StackHealth.CLOSED;
        }
        List<String> down = linksDown;
        boolean pressure = memory.underPressure();
        return down.isEmpty() && !pressure ? org.jioth.StackHealth.UP
                : new org.jioth.StackHealth(org.jioth.StackHealth.State.UP, linkFailures, down, pressure);
    }

    /** Adds a NIC on {@code port} (loop thread, or the constructor before the loop starts). */
    NetInterface attach(String name, EthernetPort port, long mac, int index) {
        loop.stopDirectReceive(); // a loop reads one port itself at most: the others deliver to it
        if (name == null) {
            do {
                name = "vde" + autoNames++;
            } while (interfaces.byName(name) != null);
        }
        NetInterface nic = new NetInterface(index, name, port, mac, options.mtu(), counters);
        nic.setCarrier(port.carrier());
        interfaces.add(nic);
        portCalls.attached(port);
        port.onCarrierChange(() -> loop.post(() -> carrierChanged(nic)));
        RxRing rx = loop.rx();
        port.setSink(frame -> {
            if (rx.offer(nic, frame, frame.position(), frame.remaining(), false)) {
                loop.wake();
            } else {
                counters.incShared(Counter.ETH_IN_QUEUE_FULL);
            }
        });
        return nic;
    }

    // ---------------------------------------------------------------- public API

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SelectorProvider provider() {
        return provider;
    }

    @Override
    public NetConfig config() {
        return config;
    }

    @Override
    public Map<String, Long> statistics() {
        Map<String, Long> m = counters.snapshot();
        m.putAll(memory.events());
        // the ports' frames and the system calls that moved them, summed over every port ever
        // attached: frames per sendmmsg/recvmmsg without strace, which slows a bulk run 30-fold
        portCalls.addTo(m);
        return m;
    }

    /** The stack's memory budget (its figures and pressure events are in {@link #statistics()}). */
    org.jioth.jnet.mem.MemoryBudget memory() {
        return memory;
    }

    /** The live counters (for tests and tools). */
    public long counter(Counter c) {
        return counters.get(c);
    }

    public Clock clock() {
        return loop.clock();
    }

    public JnetOptions options() {
        return options;
    }

    /**
     * Sends an ICMP echo request of {@code payloadSize} bytes. The future completes with the
     * round-trip time measured on the stack's clock, or fails with {@link SocketTimeoutException}
     * after {@code timeout} (stack clock) or {@link NoRouteToHostException} (no route, ARP failed,
     * an ICMP error came back).
     */
    public CompletableFuture<Duration> pingAsync(InetAddress dst, int payloadSize, Duration timeout) {
        if (payloadSize < 0 || payloadSize > 65507 - 8) {
            throw new IllegalArgumentException("payload size must be in 0..65499: " + payloadSize);
        }
        CompletableFuture<Duration> f = new CompletableFuture<>();
        if (dst instanceof java.net.Inet6Address v6) {
            // ICMPv6 echo; a link-local destination names its interface by scope id (fe80::1%2)
            byte[] to = v6.getAddress();
            int scope = v6.getScopeId();
            loop.post(() -> icmp6.ping(to, scope, payloadSize, timeout.toNanos()).whenComplete((d, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(d);
                }
            }));
            return f;
        }
        int a = Ip4.of(dst);
        loop.post(() -> icmp.ping(a, payloadSize, timeout.toNanos()).whenComplete((d, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(d);
            }
        }));
        return f;
    }

    /** {@link #pingAsync} with 56 bytes, waited for: the round-trip time. */
    public Duration ping(InetAddress dst, Duration timeout) throws IOException {
        try {
            return pingAsync(dst, 56, timeout).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("ping interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** The MAC resolved for {@code addr} on interface {@code ifname}, if ARP knows it. */
    public Optional<MacAddress> neighbour(String ifname, InetAddress addr) throws IOException {
        if (addr instanceof java.net.Inet6Address v6) {
            byte[] a6 = v6.getAddress();
            return loop.call(() -> {
                NetInterface i = interfaces.byName(ifname);
                long m = i == null ? -1 : ipv6.neighbours().lookup(i, a6);
                return m < 0 ? Optional.<MacAddress>empty() : Optional.of(Mac.toMacAddress(m));
            });
        }
        int a = Ip4.of(addr);
        return loop.call(() -> {
            NetInterface i = interfaces.byName(ifname);
            long m = i == null ? -1 : neighbours.lookup(i, a);
            return m < 0 ? Optional.<MacAddress>empty() : Optional.of(Mac.toMacAddress(m));
        });
    }

    /**
     * Waits until the loop has handled everything posted before this call and every timer due at
     * the clock's time now (so a test that advances a manual clock and syncs sees the timers of
     * that instant fired, however the loop's iterations fell).
     */
    public void sync() throws IOException {
        loop.call(() -> {
            loop.runDueTimers();
            return null;
        });
    }

    /**
     * For tests: fires the timers due now; the loop's count of frames handled and timers fired, or
     * empty while frames or tasks wait (see {@link StackLoop#progressWhenIdle}).
     */
    OptionalLong syncProgress() throws IOException {
        return loop.call(loop::progressWhenIdle);
    }

    /**
     * For tests on a {@link org.jioth.jnet.time.ManualClock} that jump from event to event: the
     * earliest timer deadline ({@link Long#MAX_VALUE} when none) if the loop is idle once the timers
     * due now have fired, empty while it still has work (see {@link StackLoop#idleUntil}).
     */
    OptionalLong nextDeadlineWhenIdle() throws IOException {
        return loop.call(loop::idleUntil);
    }

    /** Runs {@code task} on the stack loop and waits (the only safe way to touch protocol state). */
    public <T> T onLoop(java.util.concurrent.Callable<T> task) throws IOException {
        return loop.call(task);
    }

    StackLoop loop() {
        return loop;
    }

    /** The UDP layer (call it only through {@link #onLoop}). */
    public UdpLayer onLoopUdp() {
        return udp;
    }

    /** The TCP layer (call it only through {@link #onLoop} or {@link #post}). */
    public TcpLayer onLoopTcp() {
        return tcp;
    }

    /** Runs {@code task} on the stack loop later (fire and forget). */
    public void post(Runnable task) {
        loop.post(task);
    }

    /** As {@link #post}, or at once on this thread if the loop lends its turn ({@link StackLoop#postMayRun}). */
    public void postMayRun(Runnable task) {
        loop.postMayRun(task);
    }

    /**
     * For a thread about to block until {@code done}: waits on the port in the sleeping loop's place
     * when it may ({@link StackLoop#waitAsLoop}); false when it did not end with {@code done}.
     */
    public boolean waitAsLoop(java.util.function.BooleanSupplier done) {
        return loop.waitAsLoop(done);
    }

    /** Where channels of this stack are counted. */
    public SocketRegistry sockets() {
        return sockets;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        List<EthernetPort> ports = new ArrayList<>();
        if (loop.failure() == null) {
            loop.call(() -> {
                for (NetInterface i : interfaces.all()) {
                    i.markDeleted();
                    if (i.port() != null) {
                        ports.add(i.port());
                    }
                }
                return null;
            });
        } else { // the loop is gone: its interface list no longer changes
            for (NetInterface i : interfaces.all()) {
                if (i.port() != null) {
                    ports.add(i.port());
                }
            }
        }
        loop.stop();
        memory.close(); // what connections alive now still hold goes back to the JVM-wide budget
        IOException first = null;
        for (EthernetPort p : ports) {
            try {
                p.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private record Attachment(String name, EthernetPort port) { }

    /** Assembles a stack: options, clock, ports. */
    public static final class Builder {
        private JnetOptions options = JnetOptions.defaults();
        private Clock clock = SystemClock.INSTANCE;
        private SocketRegistry sockets = new SocketRegistry();
        private final List<Attachment> attachments = new ArrayList<>();
        private final List<EthernetPort> opened = new ArrayList<>();

        public Builder options(JnetOptions o) {
            this.options = o;
            return this;
        }

        public Builder options(String text) {
            return options(JnetOptions.parse(text));
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        public Builder sockets(SocketRegistry s) {
            this.sockets = s;
            return this;
        }

        /** Attaches an interface on {@code port} ({@code name} null: vde0, vde1…). */
        public Builder port(String name, EthernetPort port) {
            attachments.add(new Attachment(name, port));
            return this;
        }

        /** Opens {@code text} ({@code [ifname:]vnl}) and attaches an interface on it. */
        public Builder vnl(String text) throws IOException {
            InterfaceVnl v = InterfaceVnl.split(text);
            EthernetPort p = EthernetPorts.open(v.vnl());
            opened.add(p);
            return port(v.interfaceName().orElse(null), p);
        }

        public JnetStack build() throws IOException {
            try {
                return new JnetStack(this);
            } catch (RuntimeException e) {
                for (EthernetPort p : opened) {
                    try {
                        p.close();
                    } catch (IOException ignored) {
                        // already failing
                    }
                }
                throw e;
            }
        }

        /** Closes the ports opened by {@link #vnl} (after a later one failed). */
        void abandon() {
            for (EthernetPort p : opened) {
                try {
                    p.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
