package org.jioth.jnet.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.jioth.jnet.loop.Counters;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.FrameSink;
import org.jioth.vde.NullPort;
import org.jioth.vde.PortStatistics;
import org.junit.jupiter.api.Test;

/** Which interfaces give their connections an ingress budget: those whose port reports a bounded queue. */
class NetInterfaceIngressTest {
    /** A port that reports a switch-like queue of {@code frames}. */
    static final class BoundedPort implements EthernetPort {
        final int frames;
        int asked;

        BoundedPort(int frames) {
            this.frames = frames;
        }

        @Override
        public int ingressQueueFrames() {
            asked++;
            return frames;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            return true;
        }

        @Override
        public void setSink(FrameSink sink) {
        }

        @Override
        public PortStatistics statistics() {
            return new PortStatistics();
        }

        @Override
        public String description() {
            return "bounded";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aBoundedPortGivesOneBudgetForAllItsConnections() {
        BoundedPort port = new BoundedPort(92);
        NetInterface nic = new NetInterface(2, "vde0", port, 2, 1500, new Counters());
        IngressBudget budget = nic.ingress();
        assertThat(budget).isNotNull();
        assertThat(budget.usable()).isEqualTo(64);
        assertThat(nic.ingress()).isSameAs(budget);
        assertThat(port.asked).as("asked once").isEqualTo(1);
    }

    @Test
    void anUnboundedPortAndLoopbackGiveNone() {
        assertThat(new NetInterface(2, "tap0", new NullPort("tap-like"), 2, 1500, new Counters()).ingress()).isNull();
        assertThat(new NetInterface(1, "lo", null, 0, 65536, new Counters()).ingress()).isNull();
    }
}
