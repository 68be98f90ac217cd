package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jioth.jnet.mem.MemoryBudget;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a peer opens connections to an echo server and sends on each without ever reading the
 * echo, until the server stack's memory budget is reached. The server's budget holds, its
 * pressure counters move, it keeps answering ping and an echo connection opened before the flood
 * keeps echoing; once the flood is gone every byte charged is given back. Two stacks on an in-JVM
 * switch, virtual time, bounded in connections and rounds.
 */
class MemoryFloodTest {
    private static final int FLOOD = 200;
    private static final int LIMIT = 1 << 20;

    /** The test's echo server on {@code b}: non-blocking, one pass per call. */
    private static final class Echo {
        final ServerSocketChannel listener;
        final List<SocketChannel> conns = new ArrayList<>();
        final List<ByteBuffer> pending = new ArrayList<>();

        Echo(ServerSocketChannel listener) {
            this.listener = listener;
        }

        void pass() throws Exception {
            SocketChannel c;
            while ((c = listener.accept()) != null) {
                c.configureBlocking(false);
                conns.add(c);
                pending.add(ByteBuffer.allocate(16 * 1024).flip());
            }
            for (int i = 0; i < conns.size(); i++) {
                SocketChannel s = conns.get(i);
                ByteBuffer p = pending.get(i);
                if (!s.isOpen()) {
                    continue;
                }
                try {
                    if (!p.hasRemaining()) {
                        p.clear();
                        if (s.read(p) < 0) {
                            s.close();
                            continue;
                        }
                        p.flip();
                    }
                    s.write(p);
                } catch (java.io.IOException e) {
                    s.close(); // reset by the peer
                }
            }
        }

        void close() throws Exception {
            for (SocketChannel s : conns) {
                s.close();
            }
            listener.close();
        }
    }

    @Test
    void aPeerFillingTheBudgetCannotTakeTheStackPastItNorStopItServing() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("membudget=1m", sw, "192.168.250.2/24");
            MemoryBudget budget = b.memory();
            assertThat(budget.limit()).isEqualTo(LIMIT);
            ServerSocketChannel ss = b.provider().openServerSocketChannel();
            ss.configureBlocking(false);
            ss.bind(new InetSocketAddress("0.0.0.0", 7), 1000);
            Echo echo = new Echo(ss);
            InetSocketAddress server = new InetSocketAddress("192.168.250.2", 7);

            SocketChannel early = a.provider().openSocketChannel();
            early.configureBlocking(false);
            early.connect(server);
            net.settle();
            assertThat(early.finishConnect()).isTrue();
            assertThat(echoOnce(net, echo, early, "before")).isEqualTo("before");

            List<SocketChannel> flood = new ArrayList<>();
            ByteBuffer chunk = ByteBuffer.allocate(32 * 1024);
            for (int i = 0; i < FLOOD; i++) {
                SocketChannel c = a.provider().openSocketChannel();
                c.configureBlocking(false);
                c.connect(server);
                flood.add(c);
                net.settle();
                echo.pass();
                if (c.finishConnect()) {
                    c.write(ByteBuffer.wrap(new byte[] {1}));
                    c.write(chunk.clear()); // more, and never a read of the echo
                }
                if (i % 10 == 9) {
                    net.advance(Duration.ofMillis(300), 3); // retransmissions, SYN retries, trims
                    echo.pass();
                }
                assertThat(budget.used()).isLessThanOrEqualTo(LIMIT);
            }
            for (int round = 0; round < 20; round++) {
                for (SocketChannel c : flood) {
                    if (c.isConnected()) {
                        c.write(chunk.clear());
                    }
                }
                echo.pass();
                net.advance(Duration.ofMillis(500), 2);
                assertThat(budget.used()).isLessThanOrEqualTo(LIMIT);
            }

            Map<String, Long> st = b.statistics();
            assertThat(budget.peak()).isLessThanOrEqualTo(LIMIT);
            assertThat(st.get("Mem.PressureEvents")).isPositive();
            assertThat(st.get("Mem.ConnectionsRefused")).isPositive();
            assertThat(st.get("Mem.TcpRcvQDrops") + st.get("Mem.TcpOfoDrops")).isPositive();
            assertThat(b.health().isAlive()).isTrue();
            assertThat(b.hasFailed()).isFalse();

            // still serving: ping, and the echo connection from before the flood
            CompletableFuture<Duration> ping = a.pingAsync(TestNet.ip("192.168.250.2"), 56, Duration.ofSeconds(5));
            for (int i = 0; i < 40 && !ping.isDone(); i++) { // behind the flood's retransmissions
                net.advance(Duration.ofMillis(100), 1);
            }
            assertThat(ping).isCompleted();
            assertThat(ping.isCompletedExceptionally()).isFalse();
            assertThat(echoOnce(net, echo, early, "after")).isEqualTo("after");

            for (SocketChannel c : flood) {
                c.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                c.close(); // reset
            }
            early.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            early.close();
            for (int round = 0; round < 5; round++) {
                echo.pass();
                net.advance(Duration.ofSeconds(2), 2);
            }
            echo.close();
            net.advance(Duration.ofSeconds(2), 2);
            assertThat(b.onLoop(() -> b.onLoopTcp().connectionCount())).isZero();
            assertThat(budget.used()).as("every byte charged came back").isZero();
            assertThat(b.health().memoryPressure()).isFalse();
        }
    }

    private static String echoOnce(TestNet net, Echo echo, SocketChannel c, String text) throws Exception {
        c.write(ByteBuffer.wrap(text.getBytes()));
        ByteBuffer in = ByteBuffer.allocate(text.length());
        for (int i = 0; i < 50 && in.hasRemaining(); i++) {
            net.settle();
            echo.pass();
            net.advance(Duration.ofMillis(100), 1);
            c.read(in);
        }
        return new String(in.array(), 0, in.position());
    }
}
