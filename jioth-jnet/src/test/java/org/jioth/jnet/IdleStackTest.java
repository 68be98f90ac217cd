package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.ip;

import java.time.Duration;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** Issue 11: an idle stack holds no working buffer and arms no timer, so its loop never wakes. */
class IdleStackTest {

    @Test
    void aNewStackHoldsNoBufferAndNoTimer() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack s = JnetStack.builder().clock(net.clock).options("seed=1").port("vde0", sw.attach("p")).build();
            try {
                assertThat(s.onLoop(() -> s.loop().heldBytes())).isZero();
                assertThat(s.nextDeadlineWhenIdle()).hasValue(Long.MAX_VALUE);
            } finally {
                s.close();
            }
        }
    }

    @Test
    void buffersUsedByTrafficAreGivenBackAndTheLoopStopsWaking() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack a = net.stack("", sw, "192.168.250.1/24");
            JnetStack b = net.stack("", sw, "192.168.250.2/24");
            var ping = a.pingAsync(ip("192.168.250.2"), 1000, Duration.ofSeconds(5));
            for (int i = 0; i < 50 && !ping.isDone(); i++) {
                net.settle();
            }
            assertThat(ping).isCompleted();
            assertThat(a.onLoop(() -> a.loop().heldBytes())).isPositive();
            assertThat(b.onLoop(() -> b.loop().heldBytes())).isPositive();
            // ARP entries age out, buffers unused for a trim period or two are given back
            net.advance(Duration.ofMinutes(5), 300);
            for (JnetStack s : new JnetStack[] {a, b}) {
                assertThat(s.onLoop(() -> s.loop().heldBytes())).as("bytes held").isZero();
                assertThat(s.nextDeadlineWhenIdle()).as("next timer").hasValue(Long.MAX_VALUE);
            }
        }
    }
}
