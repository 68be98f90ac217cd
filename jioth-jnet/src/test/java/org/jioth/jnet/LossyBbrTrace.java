package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.jioth.vde.EthernetNode;
import org.jioth.vde.EthernetPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A diagnosis, not a CI test (opt-in: {@code -Djioth.lossyTrace=LOSS}, e.g. 0.05): the
 * wirefilter ranking's transfer in virtual time, where the machine's load cannot blur it. A jnet
 * sender on BBR sends {@code -Djioth.lossyTraceMiB=} (16) MiB through a {@link LossyLink} with
 * LOSS each way, 1 % duplication, a one-way delay of 2 ms + up to 6 ms jitter in order (as
 * wirefilter's 5±3 ms, FIFO) to a receiver with {@code -Djioth.lossyTraceRcvbuf=} (600 KiB) of buffer, and
 * the sender's state is printed along the way with the virtual time: bytes sent and acknowledged
 * per interval against the pacing rate, BBR's mode and estimate, why the sender stopped.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class LossyBbrTrace {
    static final java.util.regex.Pattern FIELDS = java.util.regex.Pattern.compile(
            "\\b(una|nxt|cwnd|retrans|fast|lostrxt|rescue|tlp|timeouts|bw|limited|pacing)=\\S+|probe_\\w+|startup|drain|probe_rtt");

    final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    TestNet net;
    VirtualTimeDriver driver;

    @AfterEach
    void tearDown() throws Exception {
        threads.shutdownNow();
        if (driver != null) {
            driver.close();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void bbrThroughAWirefilterLikeLinkInVirtualTime() throws Exception {
        String loss = System.getProperty("jioth.lossyTrace");
        assumeTrue(loss != null, "opt-in: -Djioth.lossyTrace=LOSS (e.g. 0.05)");
        double p = Double.parseDouble(loss);
        long total = Long.getLong("jioth.lossyTraceMiB", 16) << 20;
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        LossyLink link = new LossyLink(net.clock);
        EthernetPort senderPort = link.end(sw.attach("sender"), Long.getLong("jioth.lossyTraceSeed", 101));
        EthernetPort receiverPort = link.end(sw.attach("receiver"), 202);
        JnetStack sender = net.stack("cc=bbr", senderPort, "10.1.0.1/24");
        JnetStack receiver = net.stack("cc=bbr", receiverPort, "10.1.0.2/24");
        driver = new VirtualTimeDriver(net.clock, link, List.of(sender, receiver));
        LossyLink.Faults faults = new LossyLink.Faults(p, 0.01, 0, Duration.ofMillis(2), Duration.ofMillis(6));
        link.faults(senderPort, faults);
        link.faults(receiverPort, faults);
        List<String> trace = new ArrayList<>();
        Duration v0 = driver.now();
        try (ServerSocketChannel ss = receiver.provider().openServerSocketChannel()) {
            // a jnet receiver keeps at most 32 out-of-order ranges: a window of ~400 segments holds ~20 holes at 5 %
            ss.setOption(StandardSocketOptions.SO_RCVBUF, Integer.getInteger("jioth.lossyTraceRcvbuf", 600 << 10));
            ss.bind(new InetSocketAddress(9000));
            Future<Duration> reader = threads.submit(() -> {
                driver.watch(Thread.currentThread());
                try (SocketChannel c = ss.accept()) {
                    assertThat(Pattern.readAndCheck(c)).isEqualTo(total);
                    return driver.now().minus(v0);
                }
            });
            Future<String> writer = threads.submit(() -> {
                driver.watch(Thread.currentThread());
                try (SocketChannel c = sender.provider().openSocketChannel()) {
                    c.connect(new InetSocketAddress("10.1.0.2", 9000));
                    Pattern.write(c, total);
                    String last = sender.onLoop(() -> sender.onLoopTcp().describe());
                    c.shutdownOutput();
                    return last;
                }
            });
            long lastSample = -1;
            while (!reader.isDone()) {
                long v = driver.now().minus(v0).toNanos();
                if (lastSample < 0 || v - lastSample >= 50_000_000L) {
                    lastSample = v;
                    String d = sender.onLoop(() -> sender.onLoopTcp().describe());
                    StringBuilder b = new StringBuilder(String.format("t=%6.3f", v / 1e9));
                    Matcher m = FIELDS.matcher(d.lines().findFirst().orElse(""));
                    while (m.find()) {
                        b.append(' ').append(m.group());
                    }
                    trace.add(b.toString());
                }
                Thread.sleep(1);
            }
            Duration took = reader.get();
            trace.forEach(System.out::println);
            System.out.printf("LossyBbrTrace: %d MiB, %s each way: %.3f s virtual; sender at the last write: %s%n",
                    total >> 20, faults, took.toNanos() / 1e9, writer.get(60, TimeUnit.SECONDS).lines().findFirst().orElse(""));
        }
    }
}
