package org.jioth.jnet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.jioth.jnet.time.ManualClock;
import org.jioth.vde.EthernetNode;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.NodePort;
import org.jioth.vde.PortStatistics;

/**
 * Stacks on in-JVM switches with one virtual clock: the fixture of the stack tests. Everything it
 * makes is closed by {@link #close()}.
 */
final class TestNet implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60); // generous: only a failing test waits it out
    private static final int MAX_SETTLE_ROUNDS = 1000;

    final ManualClock clock = new ManualClock(1_000_000_000L);
    private final List<EthernetNode> switches = new ArrayList<>();
    private final List<JnetStack> stacks = new ArrayList<>();
    private final List<AutoCloseable> others = new ArrayList<>();
    private int seed = 1;

    EthernetNode newSwitch() {
        EthernetNode n = EthernetNode.newSwitch();
        switches.add(n);
        return n;
    }

    /** A stack with one interface per switch (vde0, vde1…), each up with the given address (CIDR). */
    JnetStack stack(String options, Object... switchAndCidr) throws IOException {
        JnetStack.Builder b = JnetStack.builder().clock(clock)
                .options("seed=" + seed++ + (options.isEmpty() ? "" : "," + options));
        for (int i = 0; i < switchAndCidr.length; i += 2) {
            Object port = switchAndCidr[i];
            b.port(null, port instanceof EthernetNode n ? n.attach("stack port") : (EthernetPort) port);
        }
        JnetStack s = b.build();
        stacks.add(s);
        for (int i = 0; i < switchAndCidr.length; i += 2) {
            String vde = "vde" + i / 2;
            int idx = s.config().ifNameToIndex(vde);
            s.config().linkSetUpDown(idx, true);
            String[] cidr = ((String) switchAndCidr[i + 1]).split("/");
            s.config().ipAddrAdd(InetAddress.ofLiteral(cidr[0]), Integer.parseInt(cidr[1]), idx);
        }
        return s;
    }

    /** Two stacks on one switch, a's TCP connection to b's listener, and the end b accepted. */
    record Connected(JnetStack a, JnetStack b, ServerSocketChannel listener, SocketChannel client, SocketChannel server) {
    }

    /** What a test sets on a channel before it is bound or connected (options that must come first). */
    interface Prepare<T> {
        void on(T channel) throws IOException;
    }

    /**
     * The set-up many stack tests share: a new switch, stack a at 192.168.250.1/24 and b at
     * 192.168.250.2/24 (made in that order, so their seeds are the first two), and
     * {@link #connected(JnetStack, JnetStack, String, int, Prepare, Prepare)} on {@code port}.
     */
    Connected connected(String optionsA, String optionsB, int port) throws IOException {
        return connected(optionsA, optionsB, port, listener -> { }, client -> { });
    }

    /** {@link #connected(String, String, int)}, with the listener and the client prepared first. */
    Connected connected(String optionsA, String optionsB, int port, Prepare<ServerSocketChannel> listener,
            Prepare<SocketChannel> client) throws IOException {
        EthernetNode sw = newSwitch();
        JnetStack a = stack(optionsA, sw, "192.168.250.1/24");
        JnetStack b = stack(optionsB, sw, "192.168.250.2/24");
        return connected(a, b, "192.168.250.2", port, listener, client);
    }

    /** {@link #connected(JnetStack, JnetStack, String, int, Prepare, Prepare)} with nothing prepared. */
    static Connected connected(JnetStack a, JnetStack b, String bAddress, int port) throws IOException {
        return connected(a, b, bAddress, port, listener -> { }, client -> { });
    }

    /**
     * A listener on b bound to {@code 0.0.0.0:port} (default backlog), a's blocking connect to
     * {@code bAddress:port}, and the end the listener accepts; {@code listener} and {@code client}
     * run on the channels before they are bound and connected.
     */
    static Connected connected(JnetStack a, JnetStack b, String bAddress, int port, Prepare<ServerSocketChannel> listener,
            Prepare<SocketChannel> client) throws IOException {
        ServerSocketChannel ss = b.provider().openServerSocketChannel();
        listener.on(ss);
        ss.bind(new InetSocketAddress("0.0.0.0", port));
        SocketChannel c = a.provider().openSocketChannel();
        client.on(c);
        c.connect(new InetSocketAddress(bAddress, port));
        return new Connected(a, b, ss, c, ss.accept());
    }

    /** The two ends of one TCP connection. */
    record Connection(SocketChannel client, SocketChannel server) {
    }

    /** A blocking connect from a stack's {@code provider} to {@code to}, and the end {@code listener} accepts. */
    static Connection connect(SelectorProvider provider, InetSocketAddress to, ServerSocketChannel listener) throws IOException {
        SocketChannel c = provider.openSocketChannel();
        c.connect(to);
        return new Connection(c, listener.accept());
    }

    /** A raw port on {@code sw} whose received frames are collected. */
    RawPort raw(EthernetNode sw) {
        RawPort r = new RawPort(sw.attach("raw"));
        others.add(r);
        return r;
    }

    /**
     * Lets every loop handle what is pending, frames they send each other included, until nothing
     * moves: two rounds in a row in which no loop handled a frame or fired a timer, and every loop
     * found its receive ring and task queue empty when asked. The emptiness check matters because a
     * loop runs our question before the frames waiting in its ring: a loaded machine can answer two
     * rounds before the loop gets to a frame that is already there. Virtual time stands still
     * meanwhile. Bounded, for traffic that never stops by itself.
     */
    void settle() throws IOException {
        long last = -1;
        int quiet = 0;
        for (int round = 0; round < MAX_SETTLE_ROUNDS && quiet < 2; round++) {
            long sum = 0;
            boolean idle = true;
            for (JnetStack s : stacks) {
                if (!s.isClosed()) {
                    OptionalLong progress = s.syncProgress();
                    idle &= progress.isPresent();
                    sum += progress.orElse(0);
                }
            }
            quiet = sum == last && idle ? quiet + 1 : 0;
            last = sum;
        }
    }

    /** Advances virtual time in {@code steps} equal steps, letting the stacks react after each. */
    void advance(Duration total, int steps) throws IOException {
        for (int i = 0; i < steps; i++) {
            clock.advance(total.dividedBy(steps));
            settle();
        }
    }

    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }

    static InetAddress ip(String s) {
        return InetAddress.ofLiteral(s);
    }

    @Override
    public void close() throws Exception {
        for (JnetStack s : stacks) {
            s.sockets().closeAll();
            s.close();
        }
        for (AutoCloseable c : others) {
            c.close();
        }
        for (EthernetNode n : switches) {
            n.close();
        }
    }

    /** A switch port driven by the test: send crafted frames, collect what arrives. */
    static final class RawPort implements AutoCloseable {
        final NodePort port;
        private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

        RawPort(NodePort port) {
            this.port = port;
            port.setSink(f -> {
                byte[] copy = new byte[f.remaining()];
                f.get(f.position(), copy);
                frames.add(copy);
            });
        }

        void send(byte[] frame) {
            port.send(ByteBuffer.wrap(frame));
        }

        byte[] poll(Predicate<byte[]> wanted) throws InterruptedException {
            return poll(wanted, WAIT);
        }

        /** The next wanted frame within {@code wait}, or null. */
        byte[] poll(Predicate<byte[]> wanted, Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                byte[] f = frames.poll(left, TimeUnit.NANOSECONDS);
                if (f != null && wanted.test(f)) {
                    return f;
                }
            }
        }

        void clear() {
            frames.clear();
        }

        @Override
        public void close() {
            port.close();
        }
    }

    /** A port that passes frames through to a switch port unless {@code drop} says otherwise. */
    static final class FilterPort implements EthernetPort {
        private final NodePort inner;
        volatile Predicate<ByteBuffer> drop = f -> false;
        volatile int dropped;

        FilterPort(NodePort inner) {
            this.inner = inner;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            if (drop.test(frame)) {
                dropped++;
                return true;
            }
            return inner.send(frame);
        }

        @Override
        public void setSink(FrameSink sink) {
            inner.setSink(sink);
        }

        @Override
        public PortStatistics statistics() {
            return inner.statistics();
        }

        @Override
        public String description() {
            return "filter over " + inner.description();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
