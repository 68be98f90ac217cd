package org.jioth.nio;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the pipe scenarios cannot show: ready sets of channels with several operations (compared
 * with a JDK socket pair on loopback), foreign channels, and many channels at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadinessSelectorTest {
    private final TestReadinessProvider provider = new TestReadinessProvider();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Ready-set accumulation, written once against a channel that can be both readable and writable. */
    private interface TwoWayChannel {
        SelectionKey register(Selector sel, int ops) throws IOException;

        void makeReadable() throws IOException;
    }

    private static List<Integer> accumulationScenario(Selector sel, TwoWayChannel ch) throws Exception {
        List<Integer> observed = new ArrayList<>();
        SelectionKey key = ch.register(sel, OP_READ | OP_WRITE);
        observed.add(sel.select()); // writable only
        observed.add(key.readyOps());
        ch.makeReadable();
        // Still in the selected set: the new op is OR-ed in and the key counts once more.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int n = 0;
        while (key.readyOps() != (OP_READ | OP_WRITE) && System.nanoTime() < deadline) {
            n += sel.select(10);
        }
        observed.add(n);
        observed.add(key.readyOps());
        observed.add(sel.selectNow()); // nothing new
        sel.selectedKeys().clear();
        key.interestOps(OP_READ);
        observed.add(sel.selectNow()); // re-added: the ready set is replaced, not OR-ed
        observed.add(key.readyOps());
        key.interestOps(0);
        observed.add(sel.selectNow());
        observed.add(key.readyOps()); // unchanged: a key without interest is not touched
        return observed;
    }

    @Test
    void readySetAccumulatesLikeTheJdks() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocketChannel server = track(ServerSocketChannel.open().bind(new InetSocketAddress(loopback, 0)));
        SocketChannel client = track(SocketChannel.open(server.getLocalAddress()));
        SocketChannel accepted = track(server.accept());
        client.configureBlocking(false);
        List<Integer> jdk = accumulationScenario(track(Selector.open()), new TwoWayChannel() {
            public SelectionKey register(Selector sel, int ops) throws IOException {
                return client.register(sel, ops);
            }

            public void makeReadable() throws IOException {
                accepted.write(ByteBuffer.wrap(new byte[] {1}));
            }
        });

        FakeChannel fake = track(new FakeChannel(provider));
        fake.configureBlocking(false);
        fake.setReady(OP_WRITE);
        List<Integer> ours = accumulationScenario(track(provider.openSelector()), new TwoWayChannel() {
            public SelectionKey register(Selector sel, int ops) throws IOException {
                return fake.register(sel, ops);
            }

            public void makeReadable() {
                fake.setReady(OP_READ | OP_WRITE);
            }
        });

        assertThat(jdk).containsExactly(1, OP_WRITE, 1, OP_READ | OP_WRITE, 0, 1, OP_READ, 0, OP_READ);
        assertThat(ours).isEqualTo(jdk);
    }

    @Test
    void foreignChannelsAreRefused() throws IOException {
        Pipe jdkPipe = SelectorProvider.provider().openPipe();
        track(jdkPipe.source());
        track(jdkPipe.sink());
        jdkPipe.source().configureBlocking(false);
        Pipe ourPipe = provider.openPipe();
        track(ourPipe.source());
        track(ourPipe.sink());
        ourPipe.source().configureBlocking(false);
        Pipe otherProvidersPipe = new TestReadinessProvider().openPipe();
        track(otherProvidersPipe.source());
        track(otherProvidersPipe.sink());
        otherProvidersPipe.source().configureBlocking(false);

        Selector ours = track(provider.openSelector());
        Selector jdk = track(Selector.open());
        assertThat(ours).isInstanceOf(ReadinessSelector.class);
        assertThatThrownBy(() -> jdkPipe.source().register(ours, OP_READ)).isInstanceOf(IllegalSelectorException.class);
        assertThatThrownBy(() -> otherProvidersPipe.source().register(ours, OP_READ)).isInstanceOf(IllegalSelectorException.class);
        // The oracle: the JDK refuses ours the same way.
        assertThatThrownBy(() -> ourPipe.source().register(jdk, OP_READ)).isInstanceOf(IllegalSelectorException.class);
        assertThat(jdkPipe.source().isRegistered()).isFalse();
        assertThat(ourPipe.source().isRegistered()).isFalse();
    }

    @Test
    void manyChannelsAreSelectedExactlyWhenReady() throws Exception {
        Selector sel = track(provider.openSelector());
        List<FakeChannel> channels = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            FakeChannel ch = track(new FakeChannel(provider));
            ch.configureBlocking(false);
            ch.register(sel, OP_READ, i);
            channels.add(ch);
        }
        assertThat(sel.selectNow()).isZero();
        for (int i = 0; i < channels.size(); i += 3) {
            channels.get(i).setReady(OP_READ | OP_WRITE); // write readiness is not of interest
        }
        assertThat(sel.selectNow()).isEqualTo(67);
        assertThat(sel.selectedKeys()).allSatisfy(k -> {
            assertThat((int) k.attachment() % 3).isZero();
            assertThat(k.readyOps()).isEqualTo(OP_READ);
        });
        sel.selectedKeys().clear();
        for (int i = 0; i < channels.size(); i += 3) {
            channels.get(i).setReady(0);
        }
        channels.get(1).setReady(OP_READ);
        assertThat(sel.selectNow()).isEqualTo(1);
        assertThat(sel.selectedKeys()).extracting(SelectionKey::attachment).containsExactly(1);
    }

    @Test
    void channelSignalsFromManyThreadsAreNeverLost() throws Exception {
        Selector sel = track(provider.openSelector());
        int threads = 4;
        int rounds = 2000;
        List<FakeChannel> channels = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            FakeChannel ch = track(new FakeChannel(provider));
            ch.configureBlocking(false);
            ch.register(sel, OP_READ, i);
            channels.add(ch);
        }
        // Each signaller makes its channel ready and waits until the selector consumed it.
        java.util.concurrent.atomic.AtomicIntegerArray consumed = new java.util.concurrent.atomic.AtomicIntegerArray(threads);
        List<TestThreads.Running<Integer>> signallers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            signallers.add(TestThreads.start(TestThreads.Kind.VIRTUAL, () -> {
                for (int r = 1; r <= rounds; r++) {
                    channels.get(me).setReady(OP_READ);
                    while (consumed.get(me) < r) {
                        Thread.onSpinWait();
                        Thread.yield();
                    }
                }
                return rounds;
            }));
        }
        try {
            int total = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.DEADLINE_SECONDS);
            while (total < threads * rounds) {
                assertThat(System.nanoTime()).as("progress before the deadline (a lost signal blocks)").isLessThan(deadline);
                sel.select(k -> {
                    int i = (int) k.attachment();
                    channels.get(i).setReady(0);
                    consumed.incrementAndGet(i);
                }); // no timeout: a lost signal would block here until the test's timeout
                total = 0;
                for (int i = 0; i < threads; i++) {
                    total += consumed.get(i);
                }
            }
            for (var s : signallers) {
                assertThat(s.join()).isEqualTo(rounds);
            }
        } finally {
            for (var s : signallers) {
                s.close();
            }
        }
    }
}
