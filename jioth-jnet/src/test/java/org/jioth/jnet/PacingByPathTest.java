package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.jioth.vde.EthernetNode;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.PortStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pacing policy seen from the stack, on virtual time ({@link VirtualTimeDriver}): the layer asks
 * the route's port whether it pushes back without loss ({@code vde://} does), and a connection
 * behind such a port on a short path (0.8 ms round trip) sends unpaced; on a 10 ms path (the
 * wirefilter rows' kind) it stays paced, and so does one that asked for TCP_PACING. The pacing rate
 * in force is read from the connection's description once everything it sent was acknowledged.
 */
@Timeout(value = 170, unit = TimeUnit.SECONDS)
class PacingByPathTest {
    static final long TOTAL = 1L << 20;

    TestNet net;
    LossyLink link;
    VirtualTimeDriver driver;
    JnetStack sender;
    JnetStack receiver;

    /** Two stacks through a delaying link; the sender's port pushes back when {@code pushesBack}. */
    private void setUp(boolean pushesBack, Duration oneWay) throws IOException {
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        link = new LossyLink(net.clock);
        EthernetPort senderEnd = link.end(sw.attach("sender"), 101);
        EthernetPort receiverEnd = link.end(sw.attach("receiver"), 202);
        link.faults(new LossyLink.Faults(0, 0, 0, oneWay, Duration.ZERO));
        sender = net.stack("", pushesBack ? new PushingBack(senderEnd) : senderEnd, "10.1.0.1/24");
        receiver = net.stack("", receiverEnd, "10.1.0.2/24");
        driver = new VirtualTimeDriver(net.clock, link, List.of(sender, receiver));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (driver != null) {
                driver.close();
            }
        } finally {
            if (net != null) {
                net.close();
            }
        }
    }

    @Test
    void behindAPortThatPushesBackAShortPathIsNotPacedUnlessAskedFor() throws Exception {
        setUp(true, Duration.ofNanos(400_000));
        assertThat(pacingRateAfterBulk(null)).as("the default").isZero();
        // the same path with TCP_PACING: its rate shows the round trip was measured (the zero above is the policy)
        assertThat(pacingRateAfterBulk(true)).as("TCP_PACING asked for").isPositive();
    }

    @Test
    void behindAPortThatPushesBackALongerPathIsPaced() throws Exception {
        setUp(true, Duration.ofMillis(5));
        assertThat(pacingRateAfterBulk(null)).isPositive();
    }

    @Test
    void aShortPathBehindAPortThatMayDropIsPaced() throws Exception {
        setUp(false, Duration.ofNanos(400_000));
        assertThat(pacingRateAfterBulk(null)).isPositive();
    }

    /**
     * Sends {@link #TOTAL} bytes on a new connection ({@code pacing}: TCP_PACING set, or null for the
     * default) and returns the sender's pacing rate once all of it was acknowledged; the connection
     * stays open until then, the only one the sender has.
     */
    private long pacingRateAfterBulk(Boolean pacing) throws Exception {
        try (ServerSocketChannel ss = receiver.provider().openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(9000));
            Future<Long> reader = driver.start(() -> {
                try (SocketChannel c = ss.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                    long got = 0;
                    while (got < TOTAL) {
                        in.clear();
                        int n = c.read(in);
                        assertThat(n).isNotNegative();
                        got += n;
                    }
                    return got;
                } finally {
                    driver.unwatch(Thread.currentThread());
                }
            });
            try (SocketChannel c = sender.provider().openSocketChannel()) {
                if (pacing != null) {
                    c.setOption(JnetSocketOptions.TCP_PACING, pacing);
                }
                Future<?> writer = driver.start(() -> {
                    try {
                        c.connect(new InetSocketAddress("10.1.0.2", 9000));
                        ByteBuffer out = ByteBuffer.allocate(64 * 1024);
                        long sent = 0;
                        while (sent < TOTAL) {
                            out.clear();
                            out.limit((int) Math.min(out.capacity(), TOTAL - sent));
                            while (out.hasRemaining()) {
                                sent += c.write(out);
                            }
                        }
                        return null;
                    } finally {
                        driver.unwatch(Thread.currentThread());
                    }
                });
                writer.get(120, TimeUnit.SECONDS);
                assertThat(reader.get(120, TimeUnit.SECONDS)).isEqualTo(TOTAL);
                String self = ":" + ((InetSocketAddress) c.getLocalAddress()).getPort() + " -> 10.1.0.2:9000 ";
                String[] all = new String[1];
                String[] line = new String[1];
                // the last ACK may still be on its way: wait until the sender has everything acknowledged
                // (this connection's line: an earlier one of the test may still be closing)
                boolean acked = org.jioth.testkit.Eventually.holds(() -> {
                    all[0] = sender.onLoop(() -> sender.onLoopTcp().describe());
                    line[0] = all[0].lines().filter(l -> l.contains(self)).findFirst().orElse("");
                    return line[0].contains(" sndbuf=0 ");
                });
                assertThat(acked).as("all acknowledged: " + all[0]).isTrue();
                Matcher m = java.util.regex.Pattern.compile(" pacing=(\\d+)B/s").matcher(line[0]);
                assertThat(m.find()).as(line[0]).isTrue();
                return Long.parseLong(m.group(1));
            }
        }
    }

    /** A port that says it pushes back without loss (as {@code vde://}), otherwise the one it wraps. */
    private record PushingBack(EthernetPort inner) implements EthernetPort {
        @Override
        public boolean pushesBackLosslessly() {
            return true;
        }

        @Override
        public boolean send(ByteBuffer frame) throws IOException {
            return inner.send(frame);
        }

        @Override
        public void flush() {
            inner.flush();
        }

        @Override
        public void setSink(FrameSink sink) {
            inner.setSink(sink);
        }

        @Override
        public PortStatistics statistics() {
            return inner.statistics();
        }

        @Override
        public String description() {
            return inner.description();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }
}
