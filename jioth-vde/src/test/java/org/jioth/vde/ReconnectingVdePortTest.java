package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.jioth.vde.VdeTools.VdeSwitch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code vde://} port's counters outlive its connection: after Debian's vde_switch is stopped and
 * started again, the redialled connection counts on top of the first one's. Failed first: the port
 * handed out the counters of its connection of the moment, which started again from zero.
 */
class ReconnectingVdePortTest {
    @TempDir
    Path base;

    @Test
    void countsGoOnAcrossAReconnect() throws Exception {
        VdeSwitch sw = new VdeSwitch(base, false);
        try (EthernetPort port = EthernetPorts.open("vde://" + sw.dir)) {
            assertThat(port).isInstanceOf(ReconnectingVdePort.class);
            PortStatistics statistics = port.statistics();
            // no flush called: each send goes out at once and is counted before send returns
            assertThat(port.send(frame(1))).isTrue();
            assertThat(port.statistics().framesOut.sum()).isEqualTo(1);

            sw.close(); // the switch is gone (its directory too)
            VdeTools.waitUntil("the port to see the switch gone", () -> !port.carrier());
            sw = new VdeSwitch(base, false); // again at the same path
            VdeTools.waitUntil("the port to reconnect", port::carrier);
            assertThat(port.send(frame(2))).isTrue();

            assertThat(port.statistics().framesOut.sum()).as("counted on top of the first connection's").isEqualTo(2);
            assertThat(port.statistics()).as("the same counters across connections").isSameAs(statistics);
        } finally {
            sw.close();
        }
    }

    private static ByteBuffer frame(int n) {
        return ByteBuffer.wrap(VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 60, n));
    }
}
