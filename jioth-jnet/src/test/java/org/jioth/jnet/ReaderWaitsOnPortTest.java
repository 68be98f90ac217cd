package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.jnet.TestNet.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.jioth.jnet.loop.Counter;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.SwitchControl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocked readers waiting on the {@code vde://} port in the sleeping loop's place
 * ({@code StackLoop.waitAsLoop}), for real: two jnet stacks on Debian's {@code vde_switch}, readers
 * on virtual threads (which pin a carrier while they wait) and platform threads. Every byte of
 * 2,000 one-byte round trips and of a 4 MiB transfer arrives in order, and a reader blocked while
 * its channel is closed wakes with the close. No step waits for a time, only for what it asserts.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReaderWaitsOnPortTest {
    @TempDir
    Path dir;
    private Process vdeSwitch;
    private JnetStack a;
    private JnetStack b;

    @AfterEach
    void stop() throws Exception {
        for (JnetStack s : new JnetStack[] {a, b}) {
            if (s != null) {
                s.sockets().closeAll();
                s.close();
            }
        }
        if (vdeSwitch != null) {
            vdeSwitch.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    private TestNet.Connected connected() throws Exception {
        assumeTrue(ChildProcess.works("sh", "-c", "command -v vde_switch"), "vde_switch (Debian vde-switch) is not installed");
        Path sw = dir.resolve("sw");
        vdeSwitch = new ProcessBuilder("vde_switch", "-s", sw.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("switch.log").toFile()).start();
        assertThat(await(() -> SwitchControl.listening(sw))).as("switch control socket").isTrue();
        a = JnetStack.builder().options("seed=1").vnl("vde0:vde://" + sw).build();
        b = JnetStack.builder().options("seed=2").vnl("vde0:vde://" + sw).build();
        configure(a, "192.168.250.1");
        configure(b, "192.168.250.2");
        return TestNet.connected(a, b, "192.168.250.2", 7);
    }

    @Test
    void roundTripsAndBulkArriveWholeWithReadersWaitingOnThePort() throws Exception {
        TestNet.Connected tcp = connected();
        SocketChannel c = tcp.client();
        SocketChannel s = tcp.server();
        int rounds = 2000;
        CompletableFuture<Void> echo = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> { // the server's reader: a virtual thread
            try {
                ByteBuffer one = ByteBuffer.allocate(1);
                for (int i = 0; i < rounds; i++) {
                    readFully(s, one.clear());
                    s.write(one.flip());
                }
                echo.complete(null);
            } catch (Throwable e) {
                echo.completeExceptionally(e);
            }
        });
        ByteBuffer one = ByteBuffer.allocate(1);
        for (int i = 0; i < rounds; i++) { // the client's reader: this platform thread
            c.write(one.clear().put((byte) i).flip());
            readFully(c, one.clear());
            assertThat(one.get(0)).as("round %d", i).isEqualTo((byte) i);
        }
        echo.get(120, TimeUnit.SECONDS);

        byte[] data = new byte[4 << 20];
        new java.util.Random(7).nextBytes(data);
        CompletableFuture<Long> received = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                CRC32 crc = new CRC32();
                ByteBuffer buf = ByteBuffer.allocate(64 << 10);
                long n = 0;
                while (n < data.length) {
                    int r = s.read(buf.clear());
                    if (r < 0) {
                        throw new IOException("EOF after " + n);
                    }
                    crc.update(buf.flip());
                    n += r;
                }
                received.complete(crc.getValue());
            } catch (Throwable e) {
                received.completeExceptionally(e);
            }
        });
        ByteBuffer src = ByteBuffer.wrap(data);
        while (src.hasRemaining()) {
            c.write(src);
        }
        CRC32 sent = new CRC32();
        sent.update(data);
        assertThat(received.get(120, TimeUnit.SECONDS)).as("the 4 MiB arrived whole").isEqualTo(sent.getValue());
        assertThat(a.statistics()).as("counted (how many depends on the scheduling)").containsKey(Counter.LOOP_LENT_WAITS.key());
    }

    @Test
    void aReaderBlockedWhileItsChannelIsClosedWakesWithTheClose() throws Exception {
        TestNet.Connected tcp = connected();
        SocketChannel s = tcp.server();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                s.read(ByteBuffer.allocate(1)); // nothing comes
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
        assertThat(await(() -> reader.getState() != Thread.State.NEW)).isTrue();
        s.close(); // before, while or after it blocks (waiting on the port or parked): it must end
        assertThat(ended.get(120, TimeUnit.SECONDS)).as("AsynchronousCloseException, or ClosedChannelException if it came first")
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
        assertThatThrownBy(() -> s.read(ByteBuffer.allocate(1))).isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }

    private static void readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new IOException("EOF");
            }
        }
    }

    private static void configure(JnetStack s, String address) throws IOException {
        int i = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(i, true);
        s.config().ipAddrAdd(InetAddress.ofLiteral(address), 24, i);
    }
}
