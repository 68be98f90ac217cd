package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jioth.jnet.loop.Counter;
import org.jioth.vde.EthernetNode;
import org.jioth.vde.EthernetPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bulk TCP between two jnet stacks over the in-JVM switch through a {@link LossyLink} (loss,
 * duplication, reordering, a few ms of one-way delay with jitter, both directions) on virtual time
 * moved by a {@link VirtualTimeDriver}: every byte of 64 MiB must arrive exactly, in order, once.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS) // a hang bound only: awaitBoth fails a stalled transfer sooner
class TcpLossyTransferTest {
    static final long MIB = 1 << 20;

    TestNet net;
    LossyLink link;
    VirtualTimeDriver driver;
    EthernetPort senderPort;
    EthernetPort receiverPort;
    JnetStack sender;
    JnetStack receiver;

    @BeforeEach
    void setUp() throws IOException {
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        link = new LossyLink(net.clock);
        senderPort = link.end(sw.attach("sender"), 101);
        receiverPort = link.end(sw.attach("receiver"), 202);
        sender = net.stack("", senderPort, "10.1.0.1/24");
        receiver = net.stack("", receiverPort, "10.1.0.2/24");
        driver = new VirtualTimeDriver(net.clock, link, List.of(sender, receiver));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            driver.close();
        } finally {
            net.close();
        }
    }

    /** The driver's clock moves exactly from event to event: a ping takes twice the one-way delay. */
    @Test
    void aPingTakesExactlyTwiceTheVirtualOneWayDelay() throws Exception {
        link.faults(new LossyLink.Faults(0, 0, 0, Duration.ofMillis(5), Duration.ZERO));
        InetAddress peer = InetAddress.ofLiteral("10.1.0.2");
        // a watched thread: unwatched, the clock could run on between the pings (ARP aging)
        Future<Duration> rtt = driver.start(() -> {
            sender.ping(peer, Duration.ofSeconds(5)); // the first one waits for ARP too
            return sender.ping(peer, Duration.ofSeconds(5));
        });
        assertThat(rtt.get(30, TimeUnit.SECONDS)).as("switch frames the driver gave up waiting for: %d", driver.forgotten)
                .isEqualTo(Duration.ofMillis(10));
        assertThat(driver.jumps).isPositive();
    }

    /**
     * Loss is per direction: {@code loss} on the data, {@code ackLoss} on the ACKs. At 20 % each way
     * a retransmission and its ACK both get through only 64 % of the time, and with ~7000 timeout
     * episodes in a 64 MiB run, 15 failures in a row (jnet's maxRetries: the connection gives up,
     * correctly) would end about one run in 700 (0.36^15 x 7000); with 5 % on the ACKs it is
     * negligible (0.24^15 x 7000, about 4e-6).
     */
    @ParameterizedTest(name = "{0} MiB, loss {1} (ACKs {2}), dup {3}, reorder {4}, delay {5} ms + {6} ms jitter, {7}")
    @CsvSource({
        "64, 0.01, 0.01, 0.01, 0.01,  5,  2, cubic",
        "64, 0.05, 0.05, 0.01, 0.02,  5,  2, cubic",
        "64, 0.20, 0.05, 0.02, 0.05,  5,  2, cubic",
        "64, 0.20, 0.05, 0.02, 0.05, 40, 10, cubic",
        "64, 0.05, 0.05, 0.01, 0.02,  5,  2, bbr",
        "32, 0.20, 0.05, 0.02, 0.05,  5,  2, bbr",
        "16, 0.05, 0.05, 0.01, 0.02,  5,  2, newreno",
    })
    void bulkTransferIsByteExactThroughALossyDelayingLink(long mib, double loss, double ackLoss, double dup,
            double reorder, long delayMs, long jitterMs, String cc) throws Exception {
        String only = System.getProperty("jioth.lossyCc"); // a diagnosis of one control: -Djioth.lossyCc=bbr
        org.junit.jupiter.api.Assumptions.assumeTrue(only == null || only.equals(cc), "only " + only);
        for (JnetStack s : List.of(sender, receiver)) {
            s.onLoop(() -> {
                s.onLoopTcp().setCongestionControl(cc);
                return null;
            });
        }
        Duration delay = Duration.ofMillis(delayMs);
        Duration jitter = Duration.ofMillis(jitterMs);
        link.faults(senderPort, new LossyLink.Faults(loss, dup, reorder, delay, jitter));
        link.faults(receiverPort, new LossyLink.Faults(ackLoss, dup, reorder, delay, jitter));
        transfer(mib * MIB);
    }

    /**
     * Virtual time makes a run a function of its seeds: the same seeded case run twice sends the
     * same frames, loses the same ones and ends at the same virtual instant.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"cubic", "bbr"})
    void theSameSeededCaseRunTwiceGivesTheSameCounts(String cc) throws Exception {
        String first = lossyRun(4, cc);
        tearDown();
        setUp();
        String second = lossyRun(4, cc);
        assertThat(second).isEqualTo(first);
    }

    /** A short 20 %-loss run; what it did when the reader saw EOF, as counts and the virtual time it took. */
    private String lossyRun(long mib, String cc) throws Exception {
        for (JnetStack s : List.of(sender, receiver)) {
            s.onLoop(() -> {
                s.onLoopTcp().setCongestionControl(cc);
                return null;
            });
        }
        Duration delay = Duration.ofMillis(5);
        Duration jitter = Duration.ofMillis(2);
        link.faults(senderPort, new LossyLink.Faults(0.20, 0.02, 0.05, delay, jitter));
        link.faults(receiverPort, new LossyLink.Faults(0.05, 0.02, 0.05, delay, jitter));
        String r = transfer(mib * MIB, () -> "virtual " + driver.now() + ", frames " + link.framesIn.get()
                + ", lost " + link.lost.get() + ", sender " + protocolCounts(sender)
                + ", receiver " + protocolCounts(receiver));
        System.out.println(r);
        return r;
    }

    /** The stack's counters but the loop's and memory's, which count real-time events (sleeps, wake-ups). */
    private static java.util.Map<String, Long> protocolCounts(JnetStack s) {
        java.util.Map<String, Long> m = TwoStacksTest.nonZero(s);
        m.keySet().removeIf(k -> k.startsWith("Loop.") || k.startsWith("Mem."));
        return m;
    }

    private void transfer(long total) throws Exception {
        transfer(total, () -> "");
    }

    /** Sends {@code total} bytes through the link; what {@code atEnd} said when the reader saw EOF. */
    private String transfer(long total, java.util.function.Supplier<String> atEnd) throws Exception {
        long t0 = System.nanoTime();
        Duration virtual;
        String state;
        try (DrivenTransfer driven = new DrivenTransfer(driver, sender, receiver,
                new InetSocketAddress("10.1.0.2", 9000), total, atEnd)) {
            try {
                awaitBoth(driven.received, driven.sent, 60);
                virtual = driven.received.get();
                state = driven.atEnd;
            } catch (ExecutionException | TimeoutException e) {
                System.err.println("sender:\n" + sender.onLoop(() -> sender.onLoopTcp().describe()));
                System.err.println("receiver:\n" + receiver.onLoop(() -> receiver.onLoopTcp().describe()));
                System.err.println("sender counters: " + TwoStacksTest.nonZero(sender));
                System.err.println("receiver counters: " + TwoStacksTest.nonZero(receiver));
                System.err.println("virtual time " + driver.now() + ", clock jumps " + driver.jumps
                        + ", switch frames forgotten " + driver.forgotten);
                throw e;
            }
        }
        double real = (System.nanoTime() - t0) / 1e9;
        long retrans = sender.counter(Counter.TCP_RETRANS_SEGS);
        System.out.printf("TcpLossyTransferTest: %d MiB, data %s, ACK loss %.0f%%: %.1f s real, %.1f s virtual, "
                + "%d clock jumps, %d frames into the link, %d lost, %d duplicated, %d reordered, %d refused by "
                + "the switch, %d retransmitted segments%s%n",
                total / MIB, LossyLink.faultsOf(senderPort), 100 * LossyLink.faultsOf(receiverPort).loss(), real,
                virtual.toMillis() / 1e3, driver.jumps, link.framesIn.get(), link.lost.get(),
                link.duplicated.get(), link.reordered.get(), link.refusedBySwitch.get(), retrans,
                driver.forgotten == 0 ? "" : "; the driver gave up waiting for frames in the switch "
                        + driver.forgotten + " times");
        assertThat(link.lost.get()).isPositive();
        assertThat(link.duplicated.get()).isPositive();
        assertThat(link.reordered.get()).isPositive();
        assertThat(retrans).isPositive();
        return state;
    }

    /**
     * Waits for both; a failure of either is thrown at once (a dead sender leaves the reader waiting).
     * Fails when nothing moved for {@code stallSeconds}: no frame entered the link and virtual time
     * stood still. A no-progress limit rather than a total one, so a loaded machine only makes the
     * transfer slower, never fails it.
     */
    private void awaitBoth(Future<?> a, Future<?> b, long stallSeconds) throws Exception {
        long stall = TimeUnit.SECONDS.toNanos(stallSeconds);
        long lastMoved = System.nanoTime();
        long lastFrames = -1;
        Duration lastVirtual = null;
        while (!a.isDone() || !b.isDone()) {
            if (driver.failure() != null) {
                throw new ExecutionException("a driven application failed", driver.failure());
            }
            for (Future<?> f : List.of(a, b)) {
                if (f.isDone()) {
                    f.get(); // throws what it failed with
                }
            }
            long frames = link.framesIn.get();
            Duration virtual = driver.now();
            if (frames != lastFrames || !virtual.equals(lastVirtual)) {
                lastFrames = frames;
                lastVirtual = virtual;
                lastMoved = System.nanoTime();
            } else if (System.nanoTime() - lastMoved > stall) {
                throw new TimeoutException("transfer stalled: nothing moved for " + stallSeconds + " s");
            }
            Thread.sleep(10);
        }
    }
}
