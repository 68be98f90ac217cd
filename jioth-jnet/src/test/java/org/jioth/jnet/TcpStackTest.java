package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.jnet.loop.Counter;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TCP between two jnet stacks over the in-JVM switch, on a virtual clock that a pump thread moves
 * 1 ms per 100 µs of real time (timers run 10x faster than real ones, and deterministically
 * relative to each other). Bulk transfers through lossy links are in {@link TcpLossyTransferTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpStackTest {
    TestNet net;
    ClockPump pump;
    JnetStack a;
    JnetStack b;
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void setUp() throws IOException {
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        a = net.stack("", sw, "10.1.0.1/24");
        b = net.stack("", sw, "10.1.0.2/24");
        pump = new ClockPump(net.clock, Duration.ofMillis(1), 100_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        threads.shutdownNow();
        pump.close();
        net.close();
    }

    static byte at(long i) {
        long x = i * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ x >>> 29);
    }

    ServerSocketChannel listen(JnetStack s, int port) throws IOException {
        ServerSocketChannel ss = s.provider().openServerSocketChannel();
        ss.bind(new InetSocketAddress("0.0.0.0", port), 2048);
        return ss;
    }

    SocketChannel connect(JnetStack s, String host, int port) throws IOException {
        SocketChannel c = s.provider().openSocketChannel();
        c.connect(new InetSocketAddress(host, port));
        return c;
    }

    /** Accepts connections and echoes each until EOF, then closes it (ends with the stacks). */
    void echoServer(ServerSocketChannel ss) {
        org.jioth.testkit.ChannelEchoServer.start(ss);
    }

    /** Writes {@code total} pattern bytes from one thread and reads them back (echoed) in this one. */
    void echoRoundTrip(SocketChannel c, long total) throws Exception {
        Future<?> writer = threads.submit(() -> {
            ByteBuffer out = ByteBuffer.allocate(16384);
            long sent = 0;
            while (sent < total) {
                out.clear();
                int n = (int) Math.min(out.capacity(), total - sent);
                for (int i = 0; i < n; i++) {
                    out.put(at(sent + i));
                }
                out.flip();
                while (out.hasRemaining()) {
                    sent += c.write(out);
                }
            }
            c.shutdownOutput();
            return null;
        });
        ByteBuffer in = ByteBuffer.allocate(20000);
        long got = 0;
        int n;
        while ((n = c.read(in)) >= 0) {
            for (int i = 0; i < n; i++) {
                if (in.get(i) != at(got + i)) {
                    throw new AssertionError("byte " + (got + i) + " differs");
                }
            }
            got += n;
            in.clear();
        }
        writer.get(60, TimeUnit.SECONDS);
        assertThat(got).isEqualTo(total);
    }

    @Test
    void echoIsByteExact() throws Exception {
        echoServer(listen(b, 7));
        try (SocketChannel c = connect(a, "10.1.0.2", 7)) {
            assertThat(c.isConnected()).isTrue();
            assertThat(((InetSocketAddress) c.getRemoteAddress()).getPort()).isEqualTo(7);
            assertThat(((InetSocketAddress) c.getLocalAddress()).getAddress().getHostAddress()).isEqualTo("10.1.0.1");
            echoRoundTrip(c, 1_000_000);
        }
        assertThat(a.counter(Counter.TCP_ACTIVE_OPENS)).isEqualTo(1);
        assertThat(b.counter(Counter.TCP_PASSIVE_OPENS)).isEqualTo(1);
    }

    @Test
    void connectingToAClosedPortIsRefused() throws Exception {
        SocketChannel c = a.provider().openSocketChannel();
        assertThatThrownBy(() -> c.connect(new InetSocketAddress("10.1.0.2", 4444)))
                .isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        assertThat(c.isOpen()).isFalse();
        assertThat(b.counter(Counter.TCP_NO_PORTS)).isEqualTo(1);
    }

    @Test
    void unreachableDestinationsFailLikeTheJdk() throws Exception {
        SocketChannel noRoute = a.provider().openSocketChannel();
        assertThatThrownBy(() -> noRoute.connect(new InetSocketAddress("10.9.9.9", 80)))
                .isInstanceOf(java.net.NoRouteToHostException.class);
        SocketChannel noArp = a.provider().openSocketChannel();
        assertThatThrownBy(() -> noArp.connect(new InetSocketAddress("10.1.0.77", 80)))
                .isInstanceOf(java.net.NoRouteToHostException.class).hasMessage("No route to host");
        assertThat(noArp.isOpen()).isFalse();
    }

    @Test
    void closingFromAnotherThreadEndsABlockedRead() throws Exception {
        ServerSocketChannel ss = listen(b, 26);
        SocketChannel c = connect(a, "10.1.0.2", 26);
        java.util.concurrent.atomic.AtomicReference<Thread> readerThread = new java.util.concurrent.atomic.AtomicReference<>();
        Future<?> reader = threads.submit(() -> {
            readerThread.set(Thread.currentThread());
            return c.read(ByteBuffer.allocate(10));
        });
        // close only once the reader is parked in the read
        assertThat(TestNet.await(() -> readerThread.get() != null
                && readerThread.get().getState() == Thread.State.WAITING)).isTrue();
        c.close();
        assertThatThrownBy(() -> reader.get(60, TimeUnit.SECONDS))
                .hasCauseInstanceOf(java.nio.channels.AsynchronousCloseException.class);
        ss.accept().close();
    }

    @Test
    void thousandConcurrentConnections() throws Exception {
        echoServer(listen(b, 80));
        int n = 1000;
        AtomicInteger ok = new AtomicInteger();
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            all.add(threads.submit(() -> {
                try (SocketChannel c = connect(a, "10.1.0.2", 80)) {
                    byte[] msg = ("hello " + id).getBytes();
                    c.write(ByteBuffer.wrap(msg));
                    c.shutdownOutput();
                    ByteBuffer in = ByteBuffer.allocate(100);
                    while (c.read(in) >= 0) {
                        // until EOF
                    }
                    assertThat(new String(in.array(), 0, in.position())).isEqualTo("hello " + id);
                    ok.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get(90, TimeUnit.SECONDS);
        }
        assertThat(ok.get()).isEqualTo(n);
        assertThat(b.counter(Counter.TCP_PASSIVE_OPENS)).isEqualTo(n);
    }

    @Test
    void halfCloseLetsThePeerStillAnswer() throws Exception {
        ServerSocketChannel ss = listen(b, 21);
        SocketChannel c = connect(a, "10.1.0.2", 21);
        SocketChannel s = ss.accept();
        c.write(ByteBuffer.wrap("question".getBytes()));
        c.shutdownOutput();
        ByteBuffer in = ByteBuffer.allocate(100);
        while (s.read(in) >= 0) {
            // until the FIN
        }
        assertThat(new String(in.array(), 0, in.position())).isEqualTo("question");
        s.write(ByteBuffer.wrap("answer".getBytes()));
        s.close();
        ByteBuffer back = ByteBuffer.allocate(100);
        while (c.read(back) >= 0) {
            // until the FIN
        }
        assertThat(new String(back.array(), 0, back.position())).isEqualTo("answer");
        assertThatThrownBy(() -> c.write(ByteBuffer.wrap("x".getBytes())))
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
        c.close();
    }

    @Test
    void abortiveCloseResetsThePeer() throws Exception {
        ServerSocketChannel ss = listen(b, 22);
        SocketChannel c = connect(a, "10.1.0.2", 22);
        SocketChannel s = ss.accept();
        c.setOption(StandardSocketOptions.SO_LINGER, 0);
        c.close();
        assertThatThrownBy(() -> {
            ByteBuffer in = ByteBuffer.allocate(10);
            while (s.read(in) >= 0) {
                in.clear();
            }
        }).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(b.counter(Counter.TCP_ESTAB_RESETS)).isEqualTo(1);
    }

    @Test
    void lingerWaitsForThePeerToTakeEverythingThenResetsWhenItDoesNot() throws Exception {
        ServerSocketChannel ss = listen(b, 27);
        ss.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        SocketChannel c = connect(a, "10.1.0.2", 27);
        SocketChannel s = ss.accept();
        c.setOption(StandardSocketOptions.SO_LINGER, 5);
        c.write(ByteBuffer.wrap(new byte[3000]));
        c.close(); // returns once the 3000 bytes and the FIN were acknowledged
        assertThat(((org.jioth.jnet.nio.JnetSocketChannel) c).tcpSocket().state()).isIn(org.jioth.jnet.tcp.TcpState.FIN_WAIT_2,
                org.jioth.jnet.tcp.TcpState.TIME_WAIT, org.jioth.jnet.tcp.TcpState.CLOSED);
        ByteBuffer in = ByteBuffer.allocate(4000);
        while (s.read(in) >= 0) {
            // until the FIN
        }
        assertThat(in.position()).isEqualTo(3000);
        s.close();

        // the peer does not read and its 4 KiB window fills: linger 1 s runs out, RST
        SocketChannel c2 = connect(a, "10.1.0.2", 27);
        SocketChannel s2 = ss.accept();
        c2.setOption(StandardSocketOptions.SO_LINGER, 1);
        c2.configureBlocking(false);
        c2.write(ByteBuffer.wrap(new byte[100_000]));
        c2.configureBlocking(true);
        long t0 = System.nanoTime();
        c2.close();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(900_000_000L);
        assertThatThrownBy(() -> {
            ByteBuffer buf = ByteBuffer.allocate(100_000);
            while (s2.read(buf) >= 0) {
                buf.clear();
            }
        }).isInstanceOf(SocketException.class).hasMessage("Connection reset");
    }

    @Test
    void nonBlockingChannelsOnASelector() throws Exception {
        ServerSocketChannel ss = listen(b, 23);
        ss.configureBlocking(false);
        SocketChannel c = a.provider().openSocketChannel();
        c.configureBlocking(false);
        try (Selector sa = a.provider().openSelector(); Selector sb = b.provider().openSelector()) {
            assertThat(ss.accept()).isNull();
            ss.register(sb, SelectionKey.OP_ACCEPT);
            SelectionKey ck;
            // usually pending (ARP first); on a loaded machine the loop may finish before we look
            if (!c.connect(new InetSocketAddress("10.1.0.2", 23))) {
                assertThat(c.isConnectionPending()).isTrue();
                ck = c.register(sa, SelectionKey.OP_CONNECT);
                assertThat(sa.select(20_000)).isEqualTo(1);
                assertThat(ck.isConnectable()).isTrue();
                assertThat(c.finishConnect()).isTrue();
            } else {
                ck = c.register(sa, 0);
            }
            assertThat(c.isConnected()).isTrue();
            assertThat(sb.select(20_000)).isEqualTo(1);
            SocketChannel s = ss.accept();
            assertThat(s).isNotNull();
            s.configureBlocking(false);
            assertThat(s.read(ByteBuffer.allocate(10))).isZero();
            s.register(sb, SelectionKey.OP_READ);
            sb.selectedKeys().clear();
            ck.interestOps(SelectionKey.OP_WRITE);
            sa.selectedKeys().clear();
            assertThat(sa.select(20_000)).isEqualTo(1);
            assertThat(c.write(ByteBuffer.wrap("ping".getBytes()))).isEqualTo(4);
            assertThat(sb.select(20_000)).isEqualTo(1);
            ByteBuffer in = ByteBuffer.allocate(10);
            assertThat(s.read(in)).isEqualTo(4);
            s.close();
        }
        c.close();
    }

    @Test
    void scatterGatherAndSocketAdapter() throws Exception {
        ServerSocketChannel ss = listen(b, 24);
        SocketChannel c = connect(a, "10.1.0.2", 24);
        SocketChannel s = ss.accept();
        ByteBuffer[] out = {ByteBuffer.wrap("abc".getBytes()), ByteBuffer.wrap("defg".getBytes())};
        assertThat(c.write(out)).isEqualTo(7);
        ByteBuffer x = ByteBuffer.allocate(2);
        ByteBuffer y = ByteBuffer.allocate(10);
        long got = 0;
        while (got < 7) {
            got += s.read(new ByteBuffer[] {x, y});
        }
        assertThat(new String(x.array())).isEqualTo("ab");
        assertThat(new String(y.array(), 0, y.position())).isEqualTo("cdefg");

        Socket sock = c.socket();
        assertThat(sock.isConnected()).isTrue();
        assertThat(sock.getPort()).isEqualTo(24);
        OutputStream os = sock.getOutputStream();
        os.write("via socket".getBytes());
        os.flush();
        Socket peer = s.socket();
        InputStream is = peer.getInputStream();
        byte[] buf = new byte[10];
        int n = 0;
        while (n < 10) {
            n += is.read(buf, n, 10 - n);
        }
        assertThat(new String(buf)).isEqualTo("via socket");
        assertThat(ss.socket().getLocalPort()).isEqualTo(24);
        sock.close();
        assertThat(c.isOpen()).isFalse();
        s.close();
    }

    @Test
    void bindConflictsAndOptions() throws Exception {
        ServerSocketChannel ss = listen(b, 25);
        ServerSocketChannel other = b.provider().openServerSocketChannel();
        assertThatThrownBy(() -> other.bind(new InetSocketAddress(25))).isInstanceOf(java.net.BindException.class);
        other.close();
        SocketChannel c = a.provider().openSocketChannel();
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.setOption(StandardSocketOptions.SO_RCVBUF, 100_000);
        c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        c.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 30);
        assertThat(c.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
        assertThat(c.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(100_000);
        assertThat(c.getOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(30);
        c.connect(new InetSocketAddress("10.1.0.2", 25));
        SocketChannel s = ss.accept();
        assertThat(b.sockets().openCount()).isEqualTo(2);
        s.close();
        c.close();
        ss.close();
        assertThat(b.sockets().openCount()).isZero();
    }
}
