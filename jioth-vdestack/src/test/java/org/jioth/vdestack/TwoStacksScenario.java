package org.jioth.vdestack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.StackBusyException;
import org.jioth.linux.fdnio.FdSelectorProvider;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;

/**
 * Two vdestacks on one in-JVM switch: ping, TCP and UDP echo byte-exact both ways, a 64 MB
 * transfer, and close semantics (EBUSY while a socket is open; afterwards the helper is gone).
 * Runs inside the test JVM and, through {@link #main}, as an unprivileged user in a child JVM.
 * Prints "SCENARIO OK" at the end; any failure is an exception.
 */
public final class TwoStacksScenario {
    static final InetAddress A = addr("192.168.250.1");
    static final InetAddress B = addr("192.168.250.2");
    static final long BULK_BYTES = 64L << 20;

    private TwoStacksScenario() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("jioth-vdestack-scenario-");
        try {
            run(dir, System.out);
        } finally {
            Files.deleteIfExists(dir);
        }
        System.exit(0);
    }

    static InetAddress addr(String text) {
        return InetAddress.ofLiteral(text);
    }

    static void run(Path dir, PrintStream log) throws Exception {
        Path sw = dir.resolve("sw");
        ExecutorService threads = Executors.newCachedThreadPool();
        try (EthernetPort host = EthernetPorts.open("switch://" + sw)) {
            IothStack a = Ioth.newStack("vdestack", "vde://" + sw);
            IothStack b = Ioth.newStack("vdestack", "vde://" + sw);
            long helperA = a.statistics().get("helper.pid");
            long helperB = b.statistics().get("helper.pid");
            log.println("helpers " + helperA + " " + helperB);
            configure(a, A);
            configure(b, B);
            ping(a, B, log);
            tcpEcho(a, b, B, threads, 5000, 1 << 20, log);
            tcpEcho(b, a, A, threads, 5001, 100_000, log);
            udpEcho(a, b, log);
            socketAdapters(a, b, threads, log);
            bulk(a, b, threads, log);
            closeSemantics(a, helperA, log);
            b.close();
            await(() -> ProcessHandle.of(helperB).isEmpty(), "helper of B gone");
        } finally {
            threads.shutdownNow();
        }
        log.println("SCENARIO OK");
    }

    static void configure(IothStack s, InetAddress addr) throws IOException {
        int vde0 = s.ifNameToIndex("vde0");
        s.linkSetUpDown(vde0, true);
        s.ipAddrAdd(addr, 24, vde0);
    }

    /** ICMP echo over the namespace kernel's ping socket: the peer's kernel answers. */
    static void ping(IothStack from, InetAddress to, PrintStream log) throws Exception {
        FdSelectorProvider p = (FdSelectorProvider) from.provider();
        try (DatagramChannel ping = p.openPingChannel(StandardProtocolFamily.INET);
             Selector sel = p.openSelector()) {
            ping.configureBlocking(false);
            ping.register(sel, SelectionKey.OP_READ);
            byte[] payload = "jioth vdestack ping".getBytes();
            for (int seq = 1; seq <= 5; seq++) {
                ByteBuffer req = ByteBuffer.allocate(8 + payload.length).order(ByteOrder.BIG_ENDIAN);
                req.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0).putShort((short) seq).put(payload).flip();
                ping.send(req, new InetSocketAddress(to, 0));
                if (sel.select(3000) == 0) {
                    continue; // first packets may wait for ARP: send again
                }
                sel.selectedKeys().clear();
                ByteBuffer reply = ByteBuffer.allocate(1500);
                InetSocketAddress src = (InetSocketAddress) ping.receive(reply);
                reply.flip();
                check(src.getAddress().equals(to), "reply from " + src);
                check(reply.get(0) == 0, "echo reply type, got " + reply.get(0));
                byte[] got = Arrays.copyOfRange(reply.array(), 8, reply.limit());
                check(Arrays.equals(got, payload), "ping payload echoed");
                log.println("ping " + to.getHostAddress() + " seq " + reply.getShort(6) + " ok");
                return;
            }
            throw new AssertionError("no ping reply from " + to);
        }
    }

    static void tcpEcho(IothStack client, IothStack server, InetAddress serverAddr, ExecutorService threads, int port,
                        int size, PrintStream log) throws Exception {
        byte[] data = new byte[size];
        new Random(port).nextBytes(data);
        try (ServerSocketChannel ss = server.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(port));
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (SocketChannel c = ss.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(32768);
                    while (c.read(buf) >= 0) {
                        buf.flip();
                        c.write(buf);
                        buf.clear();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            try (SocketChannel c = client.provider().openSocketChannel()) {
                check(c.connect(new InetSocketAddress(serverAddr, port)), "blocking connect");
                CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                    ByteBuffer in = ByteBuffer.allocate(size);
                    try {
                        while (in.hasRemaining() && c.read(in) >= 0) {
                            // keep reading
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                    return in.array();
                }, threads);
                c.write(ByteBuffer.wrap(data));
                check(Arrays.equals(reader.get(60, TimeUnit.SECONDS), data), "TCP echo byte-exact");
                c.shutdownOutput();
                echo.get(60, TimeUnit.SECONDS);
                check(c.read(ByteBuffer.allocate(1)) == -1, "end of stream after the server closed");
            }
        }
        log.println("tcp echo " + size + " bytes to " + serverAddr.getHostAddress() + ":" + port + " ok");
    }

    /** java.net.Socket and ServerSocket from the stack's factories, with SO_TIMEOUT (waits on our selector). */
    static void socketAdapters(IothStack a, IothStack b, ExecutorService threads, PrintStream log) throws Exception {
        try (java.net.ServerSocket ss = b.serverSocketFactory().createServerSocket()) {
            ss.bind(new InetSocketAddress(B, 5003));
            ss.setSoTimeout(20_000);
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (java.net.Socket c = ss.accept()) {
                    c.getInputStream().transferTo(c.getOutputStream());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            try (java.net.Socket c = a.socketFactory().createSocket()) {
                c.connect(new InetSocketAddress(B, 5003), 20_000);
                c.setSoTimeout(200);
                try {
                    c.getInputStream().read();
                    throw new AssertionError("read returned with nothing sent");
                } catch (java.net.SocketTimeoutException expected) {
                    // SO_TIMEOUT works
                }
                c.setSoTimeout(20_000);
                byte[] msg = "through java.net.Socket".getBytes();
                c.getOutputStream().write(msg);
                c.shutdownOutput();
                check(Arrays.equals(c.getInputStream().readAllBytes(), msg), "Socket adapter echo byte-exact");
            }
            echo.get(30, TimeUnit.SECONDS);
        }
        log.println("socket adapters ok");
    }

    static void udpEcho(IothStack a, IothStack b, PrintStream log) throws Exception {
        try (DatagramChannel server = b.provider().openDatagramChannel(StandardProtocolFamily.INET);
             DatagramChannel client = a.provider().openDatagramChannel(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(B, 7000));
            client.bind(new InetSocketAddress(A, 0));
            Thread echo = Thread.ofPlatform().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(2048);
                try {
                    for (int i = 0; i < 10; i++) {
                        buf.clear();
                        var from = server.receive(buf);
                        server.send(buf.flip(), from);
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            });
            client.configureBlocking(false);
            try (Selector sel = a.provider().openSelector()) {
                client.register(sel, SelectionKey.OP_READ);
                for (int i = 0; i < 10; i++) {
                    byte[] msg = ("datagram " + i + " ").repeat(i + 1).getBytes();
                    client.send(ByteBuffer.wrap(msg), new InetSocketAddress(B, 7000));
                    check(sel.select(10_000) == 1, "udp reply " + i + " arrives");
                    sel.selectedKeys().clear();
                    ByteBuffer in = ByteBuffer.allocate(2048);
                    client.receive(in);
                    check(Arrays.equals(Arrays.copyOf(in.array(), in.position()), msg), "udp echo " + i + " byte-exact");
                }
            }
            echo.join(10_000);
        }
        log.println("udp echo ok");
    }

    static void bulk(IothStack a, IothStack b, ExecutorService threads, PrintStream log) throws Exception {
        try (ServerSocketChannel ss = b.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(B, 5002));
            CompletableFuture<long[]> sink = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel c = ss.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
                    byte[] copy = new byte[buf.capacity()];
                    CRC32 crc = new CRC32();
                    long total = 0;
                    int n;
                    while ((n = c.read(buf.clear())) >= 0) {
                        buf.flip().get(copy, 0, n);
                        crc.update(copy, 0, n);
                        total += n;
                    }
                    return new long[] {total, crc.getValue()};
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            CRC32 sent = new CRC32();
            long t0 = System.nanoTime();
            try (SocketChannel c = a.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress(B, 5002));
                byte[] chunk = new byte[256 * 1024];
                Random r = new Random(64);
                for (long left = BULK_BYTES; left > 0; left -= chunk.length) {
                    r.nextBytes(chunk);
                    sent.update(chunk);
                    c.write(ByteBuffer.wrap(chunk));
                }
            }
            long[] got = sink.get(120, TimeUnit.SECONDS);
            double secs = (System.nanoTime() - t0) / 1e9;
            check(got[0] == BULK_BYTES, "64 MB arrived, got " + got[0]);
            check(got[1] == sent.getValue(), "64 MB byte-exact (CRC32)");
            log.printf("bulk 64 MB ok in %.2f s%n", secs);
        }
    }

    static void closeSemantics(IothStack a, long helper, PrintStream log) throws Exception {
        SocketChannel open = a.provider().openSocketChannel();
        try {
            a.close();
            throw new AssertionError("close succeeded with a socket open");
        } catch (StackBusyException e) {
            log.println("close refused: " + e.getMessage());
        }
        check(ProcessHandle.of(helper).isPresent(), "helper alive while the stack is busy");
        open.close();
        a.close();
        await(() -> ProcessHandle.of(helper).isEmpty(), "helper of A gone after close");
        log.println("closed, helper " + helper + " gone");
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("failed: " + what);
        }
    }
}
