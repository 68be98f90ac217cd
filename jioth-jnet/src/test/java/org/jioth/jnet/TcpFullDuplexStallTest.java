package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.file.Path;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Full-duplex bulk echo between two stacks on the in-JVM switch with the real clock (the demo's
 * throughput probe): both directions full at once, so the switch's bounded queues drop frames and
 * windows shut and reopen constantly. Every round must finish; a watchdog reports both stacks' TCP
 * state when no byte comes back for a while.
 */
@Timeout(value = 170, unit = TimeUnit.SECONDS)
class TcpFullDuplexStallTest {
    static final long TOTAL = 64L << 20;
    static final int ROUNDS = 10;
    /** No byte back for this long is a stall (a bound for a loaded machine, where a loop can starve for seconds). */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    EthernetPort sw;
    JnetStack server;
    JnetStack client;

    @AfterEach
    void tearDown() throws Exception {
        threads.shutdownNow();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (sw != null) {
            sw.close();
        }
    }

    static JnetStack stack(String vnl, int seed, String ip) throws IOException {
        JnetStack s = JnetStack.builder().options("seed=" + seed).vnl(vnl).build();
        int idx = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(idx, true);
        s.config().ipAddrAdd(InetAddress.ofLiteral(ip), 24, idx);
        return s;
    }

    @Test
    void fullDuplexBulkEchoNeverStalls(@TempDir Path tmp) throws Exception {
        sw = EthernetPorts.open("switch://" + tmp.resolve("sw"));
        server = stack("vde://" + tmp.resolve("sw"), 41, "192.168.250.50");
        client = stack("vde://" + tmp.resolve("sw"), 42, "192.168.250.51");
        ServerSocketChannel ss = server.provider().openServerSocketChannel();
        ss.bind(new InetSocketAddress("0.0.0.0", 7), 16);
        org.jioth.testkit.ChannelEchoServer.start(ss, 65536);
        for (int round = 0; round < ROUNDS; round++) {
            try (SocketChannel c = client.provider().openSocketChannel()) {
                c.connect(new InetSocketAddress("192.168.250.50", 7));
                echo(c, round);
            }
        }
    }

    private void echo(SocketChannel c, int round) throws Exception {
        AtomicLong got = new AtomicLong();
        Future<?> writer = threads.submit(() -> {
            ByteBuffer out = ByteBuffer.allocate(65536);
            long sent = 0;
            while (sent < TOTAL) {
                out.clear();
                out.limit((int) Math.min(out.capacity(), TOTAL - sent));
                while (out.hasRemaining()) {
                    sent += c.write(out);
                }
            }
            return null;
        });
        Thread main = Thread.currentThread();
        Future<?> watchdog = threads.submit(() -> {
            long last = -1;
            long since = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(200);
                long now = got.get();
                if (now != last) {
                    last = now;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > STALL_NANOS) {
                    String state = "round " + round + " stalled at " + now + " bytes\nclient: "
                            + client.onLoop(() -> client.onLoopTcp().describe()) + "server: "
                            + server.onLoop(() -> server.onLoopTcp().describe());
                    System.err.println(state);
                    failure = state;
                    main.interrupt();
                    return null;
                }
            }
            return null;
        });
        ByteBuffer in = ByteBuffer.allocate(65536);
        try {
            while (got.get() < TOTAL) {
                in.clear();
                int n = c.read(in);
                assertThat(n).as("EOF after %d bytes", got.get()).isGreaterThanOrEqualTo(0);
                got.addAndGet(n);
            }
        } catch (Exception e) {
            throw new AssertionError(failure != null ? failure : "read failed after " + got.get() + " bytes", e);
        } finally {
            watchdog.cancel(true);
        }
        writer.get(30, TimeUnit.SECONDS);
        assertThat(failure).isNull();
    }

    volatile String failure;
}
