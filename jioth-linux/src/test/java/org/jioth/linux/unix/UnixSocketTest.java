package org.jioth.linux.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

class UnixSocketTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        assumeTrue(NativeSupport.isLinux(), "AF_UNIX bindings need Linux");
    }

    static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(ByteBuffer b) {
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    @Test
    void addressLayoutIsLinuxSockaddrUn() {
        byte[] a = UnixAddress.encode("/tmp/sw/ctl");
        assertThat(a).hasSize(110);
        assertThat(a[0]).isEqualTo((byte) 1);
        assertThat(a[1]).isEqualTo((byte) 0);
        assertThat(new String(a, 2, 11, StandardCharsets.US_ASCII)).isEqualTo("/tmp/sw/ctl");
        assertThat(a[13]).isZero();
        assertThat(UnixAddress.decode(a, a.length)).isEqualTo("/tmp/sw/ctl");
        assertThatThrownBy(() -> UnixAddress.encode("/" + "x".repeat(107))).isInstanceOf(IllegalArgumentException.class);
        assertThat(UnixAddress.encode("/" + "x".repeat(106))).hasSize(110);
    }

    @Test
    void datagramPairMovesHeapDirectAndReadOnlyBuffers() throws Exception {
        UnixSocket[] p = UnixSocket.pair(UnixSocket.Type.DATAGRAM);
        try (UnixSocket a = p[0]; UnixSocket b = p[1]) {
            ByteBuffer in = ByteBuffer.allocate(100);
            assertThat(b.receive(in)).isEqualTo(-1); // nothing waiting: no blocking
            ByteBuffer heap = text("heap frame");
            assertThat(a.send(heap)).isEqualTo(10);
            assertThat(heap.hasRemaining()).isFalse();
            assertThat(b.receive(in)).isEqualTo(10);
            assertThat(text(in)).isEqualTo("heap frame");

            ByteBuffer direct = ByteBuffer.allocateDirect(32).put("direct".getBytes()).flip();
            a.send(direct);
            ByteBuffer directIn = ByteBuffer.allocateDirect(32);
            assertThat(b.receive(directIn)).isEqualTo(6);
            assertThat(text(directIn)).isEqualTo("direct");

            ByteBuffer ro = text("xxread-only").position(2).asReadOnlyBuffer();
            assertThat(a.send(ro)).isEqualTo(9);
            in.clear();
            b.receive(in);
            assertThat(text(in)).isEqualTo("read-only");
        }
    }

    @Test
    void callsAfterCloseFailWithEbadfAndCloseIsIdempotent() throws Exception {
        UnixSocket[] p = UnixSocket.pair(UnixSocket.Type.DATAGRAM);
        p[0].close();
        p[0].close();
        assertThat(p[0].isOpen()).isFalse();
        assertThatThrownBy(() -> p[0].send(text("x"))).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errnoName()).isEqualTo("EBADF"));
        try (DatagramBatch batch = new DatagramBatch(2, 64)) {
            assertThatThrownBy(() -> batch.receive(p[0])).isInstanceOf(ErrnoException.class);
        }
        assertThatThrownBy(() -> p[1].send(text("peer gone"))).isInstanceOfSatisfying(ErrnoException.class,
                e -> assertThat(e.errnoName()).isEqualTo("ECONNREFUSED"));
        p[1].close();
    }

    @Test
    void boundDatagramSocketsTalkByPath() throws Exception {
        String pa = dir.resolve("a").toString(), pb = dir.resolve("b").toString();
        try (UnixSocket a = UnixSocket.open(UnixSocket.Type.DATAGRAM);
                UnixSocket b = UnixSocket.open(UnixSocket.Type.DATAGRAM)) {
            a.bind(pa);
            b.bind(pb);
            assertThat(a.localPath()).isEqualTo(pa);
            assertThat(a.sendTo(text("to b"), pb)).isEqualTo(4);
            ByteBuffer in = ByteBuffer.allocate(64);
            assertThat(b.receiveFrom(in)).isEqualTo(pa);
            assertThat(text(in)).isEqualTo("to b");
            assertThat(b.receiveFrom(ByteBuffer.allocate(8))).isNull();
            assertThatThrownBy(() -> a.bind(dir.resolve("again").toString())).isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));
            try (UnixSocket c = UnixSocket.open(UnixSocket.Type.DATAGRAM)) {
                assertThatThrownBy(() -> c.bind(pb)).isInstanceOfSatisfying(ErrnoException.class,
                        e -> assertThat(e.errnoName()).isEqualTo("EADDRINUSE"));
                assertThatThrownBy(() -> c.connect(dir.resolve("none").toString()))
                        .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
            }
        }
    }

    @Test
    void streamListenAcceptAndEndOfStream() throws Exception {
        String path = dir.resolve("ctl").toString();
        try (UnixSocket server = UnixSocket.open(UnixSocket.Type.STREAM);
                UnixSocket client = UnixSocket.open(UnixSocket.Type.STREAM)) {
            server.bind(path);
            server.listen(4);
            assertThat(server.accept()).isNull();
            client.connect(path);
            UnixSocket conn = server.accept();
            assertThat(conn).isNotNull();
            try (conn) {
                client.send(text("request"));
                ByteBuffer in = ByteBuffer.allocate(256);
                assertThat(conn.receive(in)).isEqualTo(7);
                assertThat(text(in)).isEqualTo("request");
                client.close();
                assertThat(conn.receive(ByteBuffer.allocate(8))).isZero(); // EOF
            }
        }
        assertThat(Files.exists(Path.of(path))).isTrue(); // the socket file stays until unlinked
    }

    @Test
    void batchesMoveManyDatagramsPerCallAndTruncateLongOnes() throws Exception {
        UnixSocket[] p = UnixSocket.pair(UnixSocket.Type.DATAGRAM);
        try (UnixSocket a = p[0]; UnixSocket b = p[1];
                DatagramBatch out = new DatagramBatch(8, 64); DatagramBatch in = new DatagramBatch(4, 16)) {
            for (int i = 0; i < 6; i++) {
                assertThat(out.add(text("frame-number-" + i + (i == 5 ? "-which-is-long" : "")))).isTrue();
            }
            assertThat(out.add(ByteBuffer.allocate(65))).isFalse();
            assertThat(out.send(a)).isEqualTo(6);
            assertThat(out.size()).isZero();
            assertThat(in.receive(b)).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                ByteBuffer f = in.frame(i);
                byte[] x = new byte[f.remaining()];
                f.get(x);
                assertThat(new String(x)).isEqualTo("frame-number-" + i);
            }
            assertThat(in.receive(b)).isEqualTo(2);
            assertThat(in.length(1)).isEqualTo(16); // truncated to the slot (kernel reports the slot size)
            assertThat(in.receive(b)).isZero();
        }
    }

    @Test
    void reactorCallsHandlersAndCancelsBeforeClose() throws Exception {
        Reactor reactor = Reactor.shared();
        UnixSocket[] p = UnixSocket.pair(UnixSocket.Type.DATAGRAM);
        UnixSocket a = p[0], b = p[1];
        AtomicInteger got = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(3);
        ByteBuffer buf = ByteBuffer.allocate(64);
        Reactor.Registration r = reactor.register(b.fd(), Epoll.IN, events -> {
            assertThat(reactor.isReactorThread()).isTrue();
            while (b.receive(buf.clear()) >= 0) {
                got.incrementAndGet();
                three.countDown();
            }
        });
        for (int i = 0; i < 3; i++) {
            a.send(text("x" + i));
        }
        assertThat(three.await(30, TimeUnit.SECONDS)).isTrue();
        CountDownLatch closed = new CountDownLatch(1);
        r.cancel(() -> {
            try {
                b.close();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            closed.countDown();
        });
        assertThat(closed.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(b.isOpen()).isFalse();
        a.close();
        assertThat(got.get()).isEqualTo(3);
    }

    @Test
    void aPrivateReactorStopsOnClose() throws Exception {
        Reactor reactor = new Reactor("test-reactor");
        UnixSocket[] p = UnixSocket.pair(UnixSocket.Type.DATAGRAM);
        try (UnixSocket a = p[0]; UnixSocket b = p[1]) {
            CountDownLatch got = new CountDownLatch(1);
            reactor.register(b.fd(), Epoll.IN, ev -> {
                b.receive(ByteBuffer.allocate(16));
                got.countDown();
            });
            a.send(text("x"));
            assertThat(got.await(30, TimeUnit.SECONDS)).isTrue();
            reactor.close(); // the reactor is blocked in epoll_wait: the eventfd wakes it
            assertThat(reactor.awaitTermination(Duration.ofSeconds(30))).isTrue();
        }
    }

    @Test
    void awaitReadableParksUntilDataOrTimeout() throws Exception {
        UnixSocket[] p = UnixSocket.pair(UnixSocket.Type.STREAM);
        try (UnixSocket a = p[0]; UnixSocket b = p[1]) {
            Reactor reactor = Reactor.shared();
            assertThat(reactor.awaitReadable(b.fd(), Duration.ofMillis(50))).isFalse();
            Thread v = Thread.ofVirtual().start(() -> {
                try {
                    a.send(text("wake"));
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            });
            boolean[] ok = new boolean[1];
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    ok[0] = reactor.awaitReadable(b.fd(), Duration.ofSeconds(30));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(waiter.join(Duration.ofSeconds(30))).isTrue();
            assertThat(v.join(Duration.ofSeconds(30))).isTrue();
            assertThat(ok[0]).isTrue();
        }
    }
}
