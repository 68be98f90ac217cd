package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.vde.Frames.frame;
import static org.jioth.vde.Frames.tagged;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.jioth.vde.EthernetNode.Kind;
import org.jioth.vde.Frames.Recorder;
import org.junit.jupiter.api.Test;

class EthernetNodeTest {
    static final String A = "02:00:00:00:00:0a";
    static final String B = "02:00:00:00:00:0b";
    static final String C = "02:00:00:00:00:0c";
    static final String BCAST = "ff:ff:ff:ff:ff:ff";
    static final String MCAST = "01:00:5e:00:00:01";

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<Recorder> sinks = new ArrayList<>();

    EthernetNode node(Kind kind) {
        return new EthernetNode(kind, NodeOptions.defaults().withClock(now::get).withExpireTime(Duration.ofSeconds(120)));
    }

    NodePort port(EthernetNode node, String name) {
        NodePort p = node.attach(name);
        Recorder r = new Recorder();
        p.setSink(r);
        sinks.add(r);
        return p;
    }

    Recorder sink(int i) {
        return sinks.get(i);
    }

    void clearAll() {
        sinks.forEach(Recorder::clear);
    }

    /** Issue 11: a closed port leaves the MAC table at once, so the table does not keep it (and its stack) alive. */
    @Test
    void aClosedPortIsForgottenByTheMacTable() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0"), p1 = port(sw, "p1");
        p0.send(frame(B, A, "from A"));
        p0.send(frame(B, C, "from C"));
        assertThat(sw.macEntriesOf(p0)).isEqualTo(2);
        p0.close();
        assertThat(sw.macEntriesOf(p0)).isZero();
        p1.send(frame(A, B, "to A, now unknown: flooded to nobody else"));
        assertThat(sw.ports()).containsExactly(p1);
    }

    @Test
    void switchFloodsUnknownThenForwardsLearned() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0"), p1 = port(sw, "p1"), p2 = port(sw, "p2");

        assertThat(p0.send(frame(B, A, "who is B"))).isTrue();      // B unknown: flood, learn A on p0
        assertThat(sink(0).payloads()).isEmpty();
        assertThat(sink(1).payloads()).containsExactly("who is B");
        assertThat(sink(2).payloads()).containsExactly("who is B");
        clearAll();

        p1.send(frame(A, B, "B to A"));                               // A known: only p0; learn B on p1
        assertThat(sink(0).payloads()).containsExactly("B to A");
        assertThat(sink(1).payloads()).isEmpty();
        assertThat(sink(2).payloads()).isEmpty();
        clearAll();

        p2.send(frame(B, C, "C to B"));
        assertThat(sink(1).payloads()).containsExactly("C to B");
        assertThat(sink(0).payloads()).isEmpty();
        assertThat(sw.lookup(Frames.mac(C), 0)).isSameAs(p2);
        assertThat(p0.statistics().framesOut.sum()).isEqualTo(1);
        assertThat(sink(1).frames).hasSize(1);
        assertThat(p1.statistics().framesIn.sum()).isEqualTo(2);
    }

    @Test
    void broadcastAndMulticastAlwaysFloodAndGroupSourcesAreNotLearned() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0"), p1 = port(sw, "p1");
        port(sw, "p2");
        p1.send(frame(A, B, "learn B"));
        clearAll();
        p0.send(frame(BCAST, A, "bcast"));
        p0.send(frame(MCAST, A, "mcast"));
        assertThat(sink(1).payloads()).containsExactly("bcast", "mcast");
        assertThat(sink(2).payloads()).containsExactly("bcast", "mcast");
        assertThat(sink(0).payloads()).isEmpty();

        p1.send(frame(A, MCAST, "group source")); // must not teach the switch that MCAST is on p1
        assertThat(sw.lookup(Frames.mac(MCAST), 0)).isNull();
    }

    @Test
    void neverSendsBackToTheSourcePort() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0");
        port(sw, "p1");
        p0.send(frame(BCAST, A, "A here"));
        p0.send(frame(BCAST, B, "B here too")); // A and B both behind p0
        clearAll();
        p0.send(frame(B, A, "local"));
        assertThat(sink(0).payloads()).isEmpty();
        assertThat(sink(1).payloads()).isEmpty();
    }

    @Test
    void learnedEntriesExpireOnTheInjectedClock() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0"), p1 = port(sw, "p1");
        port(sw, "p2");
        p0.send(frame(BCAST, A, "hello"));
        clearAll();

        now.addAndGet(Duration.ofSeconds(120).toNanos()); // exactly at the limit: still valid
        p1.send(frame(A, B, "still known"));
        assertThat(sink(2).payloads()).isEmpty();
        assertThat(sink(0).payloads()).containsExactly("still known");
        clearAll();

        now.addAndGet(1);
        p1.send(frame(A, B, "forgotten"));
        assertThat(sink(0).payloads()).containsExactly("forgotten");
        assertThat(sink(2).payloads()).containsExactly("forgotten");
        assertThat(sw.lookup(Frames.mac(A), 0)).isNull();
    }

    @Test
    void stationMovesToTheLatestPort() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0"), p1 = port(sw, "p1");
        p0.send(frame(BCAST, A, "A on p0"));
        p1.send(frame(BCAST, A, "A moved to p1"));
        assertThat(sw.lookup(Frames.mac(A), 0)).isSameAs(p1);
    }

    @Test
    void vlansKeepSeparateTablesWithTenBitIdsAndFramesPassUnchanged() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0"), p1 = port(sw, "p1");
        port(sw, "p2");
        ByteBuffer t = tagged(BCAST, A, 0x2005, "A on vlan 5, priority 1");
        p0.send(t);
        assertThat(sw.lookup(Frames.mac(A), 5)).isSameAs(p0);
        assertThat(sw.lookup(Frames.mac(A), 0)).isNull();
        assertThat(sink(1).frames.getFirst()).isEqualTo(t.array()); // tag kept: a trunk
        clearAll();

        p1.send(frame(A, B, "untagged to A")); // vlan 0: A unknown there, flood
        assertThat(sink(0).payloads()).hasSize(1);
        assertThat(sink(2).payloads()).hasSize(1);
        clearAll();

        p1.send(tagged(A, B, 0x0405, "vlan 0x405 masks to 5")); // TCI & 0x3ff == 5: known
        assertThat(sink(0).payloads()).hasSize(1);
        assertThat(sink(2).payloads()).isEmpty();
    }

    @Test
    void closedPortIsForgotten() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0"), p1 = port(sw, "p1");
        port(sw, "p2");
        p0.send(frame(BCAST, A, "A"));
        p0.close();
        assertThat(sw.lookup(Frames.mac(A), 0)).isNull();
        clearAll();
        p1.send(frame(A, B, "to A"));
        assertThat(sink(2).payloads()).containsExactly("to A");
        assertThat(sink(0).payloads()).isEmpty();
        assertThat(p0.send(frame(B, A, "from closed"))).isFalse();
        assertThat(sw.ports()).hasSize(2);
    }

    @Test
    void hubFloodsEverything() {
        EthernetNode hub = node(Kind.HUB);
        NodePort p0 = port(hub, "p0"), p1 = port(hub, "p1");
        port(hub, "p2");
        p1.send(frame(A, B, "learn nothing"));
        p0.send(frame(B, A, "flooded"));
        assertThat(sink(1).payloads()).containsExactly("flooded");
        assertThat(sink(2).payloads()).containsExactly("learn nothing", "flooded");
        assertThat(sink(0).payloads()).containsExactly("learn nothing");
    }

    @Test
    void multiSendsClientsToHostAndHostToAll() {
        EthernetNode multi = node(Kind.MULTI);
        NodePort host = multi.attachHost("host");
        Recorder h = new Recorder();
        host.setSink(h);
        NodePort c0 = port(multi, "c0");
        port(multi, "c1");
        c0.send(frame(BCAST, A, "from c0"));
        assertThat(h.payloads()).containsExactly("from c0");
        assertThat(sink(1).payloads()).isEmpty();
        host.send(frame(A, B, "from host"));
        assertThat(sink(0).payloads()).containsExactly("from host");
        assertThat(sink(1).payloads()).containsExactly("from host");
    }

    @Test
    void bondingRoundRobinsHostFrames() {
        EthernetNode bond = node(Kind.BONDING);
        NodePort host = bond.attachHost("host");
        port(bond, "c0");
        port(bond, "c1");
        port(bond, "c2");
        for (int i = 0; i < 6; i++) {
            host.send(frame(A, B, "f" + i));
        }
        assertThat(sink(0).payloads()).containsExactly("f0", "f3");
        assertThat(sink(1).payloads()).containsExactly("f1", "f4");
        assertThat(sink(2).payloads()).containsExactly("f2", "f5");
    }

    @Test
    void badLengthsAreDroppedAndCounted() {
        EthernetNode hub = node(Kind.HUB);
        NodePort p0 = port(hub, "p0");
        port(hub, "p1");
        assertThat(p0.send(ByteBuffer.allocate(13))).isFalse();
        assertThat(p0.send(ByteBuffer.allocate(EthernetPort.MAX_FRAME + 1))).isFalse();
        assertThat(p0.send(ByteBuffer.allocate(EthernetPort.MAX_FRAME))).isTrue();
        assertThat(p0.statistics().droppedBadLength.sum()).isEqualTo(2);
        assertThat(sink(1).frames).hasSize(1);
        assertThat(sink(1).frames.getFirst()).hasSize(EthernetPort.MAX_FRAME);
    }

    @Test
    void sendPositionIsUnchanged() {
        EthernetNode hub = node(Kind.HUB);
        NodePort p0 = port(hub, "p0");
        port(hub, "p1");
        ByteBuffer f = frame(A, B, "x");
        p0.send(f);
        assertThat(f.position()).isZero();
    }

    @Test
    void sinkThatRepliesReentrantlyIsServedAfterItReturnsInOrder() {
        EthernetNode sw = node(Kind.SWITCH);
        NodePort p0 = port(sw, "p0");
        NodePort p1 = sw.attach("echo");
        List<String> order = new ArrayList<>();
        p1.setSink(frame -> {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            String text = Frames.payload(b);
            order.add("in " + text);
            p1.send(frame(A, B, "re " + text)); // queued: delivered after we return
            order.add("out " + text);
        });
        Recorder r0 = sink(0);
        p0.send(frame(BCAST, A, "ping"));
        assertThat(order).containsExactly("in ping", "out ping");
        assertThat(r0.payloads()).containsExactly("re ping");
        assertThat(r0.batches).isPositive();
    }

    @Test
    void fullQueueDropsAndCounts() {
        EthernetNode hub = new EthernetNode(Kind.HUB, NodeOptions.defaults().withQueueFrames(2));
        NodePort p0 = port(hub, "p0");
        NodePort p1 = hub.attach("flooder");
        int[] sent = new int[1];
        p1.setSink(frame -> {
            // from inside delivery the node is busy: 2 queue slots, the third is dropped
            for (int i = 0; i < 3; i++) {
                if (p1.send(frame(A, B, "n" + i))) {
                    sent[0]++;
                }
            }
            p1.setSink(null);
        });
        p0.send(frame(BCAST, A, "go"));
        assertThat(sent[0]).isEqualTo(1); // the slot of "go" is still held while its sink runs
        assertThat(p1.statistics().droppedQueueFull.sum()).isEqualTo(2);
        assertThat(sink(0).payloads()).containsExactly("n0");
    }

    @Test
    void concurrentSendersLoseNothingWithinTheQueueBound() throws Exception {
        EthernetNode hub = new EthernetNode(Kind.HUB, NodeOptions.defaults().withQueueFrames(4096));
        int senders = 4, each = 500;
        List<NodePort> ports = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            ports.add(hub.attach("s" + i));
        }
        AtomicLong received = new AtomicLong();
        NodePort sinkPort = hub.attach("sink");
        sinkPort.setSink(f -> received.incrementAndGet());
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (NodePort p : ports) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                ByteBuffer f = frame(BCAST, A, "x");
                for (int i = 0; i < each; i++) {
                    p.send(f);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofSeconds(30))).isTrue();
        }
        long dropped = ports.stream().mapToLong(p -> p.statistics().droppedQueueFull.sum()).sum();
        assertThat(received.get() + dropped).isEqualTo((long) senders * each);
        assertThat(dropped).isZero(); // 4096 slots hold everything even if one drainer lags
    }
}
