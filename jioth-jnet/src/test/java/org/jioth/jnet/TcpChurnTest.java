package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.jnet.loop.Counter;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection churn like the bench's connections/s: the client connects, waits for the server's
 * close and closes; the server accepts and closes at once. Thousands of short connections must
 * keep finishing (the server's TIME_WAIT guards and the listener's queues must not stall them).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpChurnTest {
    static final int CONNECTIONS = 3000;

    TestNet net;
    ClockPump pump;
    JnetStack client;
    JnetStack server;
    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void setUp() throws IOException {
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        client = net.stack("", sw, "10.3.0.1/24");
        server = net.stack("", sw, "10.3.0.2/24");
        pump = new ClockPump(net.clock, Duration.ofMillis(1), 1_000_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        threads.shutdownNow();
        pump.close();
        net.close();
    }

    @Test
    void thousandsOfShortConnectionsAllFinish() throws Exception {
        ServerSocketChannel ss = server.provider().openServerSocketChannel();
        ss.bind(new InetSocketAddress("0.0.0.0", 5001), 128);
        threads.submit(() -> {
            while (true) {
                SocketChannel c = ss.accept();
                threads.submit(() -> {
                    c.close();
                    return null;
                });
            }
        });
        AtomicInteger done = new AtomicInteger();
        Thread watchdog = Thread.ofPlatform().daemon().name("churn watchdog").start(() -> {
            int last = -1;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
                int now = done.get();
                if (now == last) {
                    try {
                        System.err.println("no progress at " + now + "\nclient:\n"
                                + client.onLoop(() -> client.onLoopTcp().describe()) + "server:\n"
                                + server.onLoop(() -> server.onLoopTcp().describe()));
                    } catch (Exception e) {
                        System.err.println("dump failed: " + e);
                    }
                }
                last = now;
            }
        });
        try {
            ByteBuffer one = ByteBuffer.allocate(1);
            InetSocketAddress to = new InetSocketAddress("10.3.0.2", 5001);
            for (int i = 0; i < CONNECTIONS; i++) {
                try (SocketChannel c = client.provider().openSocketChannel()) {
                    c.connect(to);
                    one.clear();
                    assertThat(c.read(one)).isEqualTo(-1);
                }
                done.incrementAndGet();
            }
        } finally {
            watchdog.interrupt();
        }
        assertThat(done.get()).isEqualTo(CONNECTIONS);
        assertThat(server.counter(Counter.TCP_PASSIVE_OPENS)).isGreaterThanOrEqualTo(CONNECTIONS);
    }
}
