package org.jioth.jnet.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.loop.Counters;
import org.jioth.jnet.loop.RxRing;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.jnet.time.ManualClock;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Mac;
import org.junit.jupiter.api.Test;

class EthernetDemuxTest {
    private static final long OURS = 0x02_00_00_00_00_01L;
    private static final long OTHER = 0x02_00_00_00_00_02L;

    private final Counters counters = new Counters();
    private final RxRing ring = new RxRing(4);
    private final List<String> delivered = new ArrayList<>();
    private final NetInterface nic = new NetInterface(2, "vde0", null, OURS, 1500, counters);
    private final EthernetDemux demux = new EthernetDemux(counters,
            new NeighborCache(new StackLoop(new ManualClock(), ring, counters), counters),
            (in, buf, off, len) -> delivered.add("ipv4 " + in.name + " " + off + "+" + len),
            (in, buf, off, len) -> delivered.add("ipv6 " + in.name + " " + off + "+" + len));

    EthernetDemuxTest() {
        nic.setUp(true);
    }

    @Test
    void networkProtocolsGetThePayloadOfFramesToUs() {
        receive(frame(OURS, Ethernet.TYPE_IPV4, 20), false);
        receive(frame(Mac.BROADCAST, Ethernet.TYPE_IPV6, 40), false);
        receive(frame(0x33_33_00_00_00_01L, Ethernet.TYPE_IPV6, 48), false); // IPv6 all-nodes multicast
        assertThat(delivered).containsExactly("ipv4 vde0 14+20", "ipv6 vde0 14+40", "ipv6 vde0 14+48");
        assertThat(counters.get(Counter.ETH_IN_FRAMES)).isEqualTo(3);
        assertThat(counters.get(Counter.ETH_IN_BYTES)).isEqualTo(3 * Ethernet.HEADER + 20 + 40 + 48);
    }

    @Test
    void aLoopedBackDatagramHasNoEthernetHeader() {
        receive(ByteBuffer.allocate(28), true);
        assertThat(delivered).containsExactly("ipv4 vde0 0+28");
        assertThat(counters.get(Counter.ETH_IN_FRAMES)).isZero();
    }

    @Test
    void whatIsNotForUsIsCountedAndDropped() {
        receive(frame(OTHER, Ethernet.TYPE_IPV4, 20), false);
        receive(ByteBuffer.allocate(Ethernet.HEADER - 1), false);
        receive(frame(OURS, 0x88b5, 20), false); // a local experimental EtherType
        receive(frame(OURS, Ethernet.TYPE_ARP, 4), false); // far too short for ARP
        nic.setUp(false);
        receive(frame(OURS, Ethernet.TYPE_IPV4, 20), false);
        assertThat(delivered).isEmpty();
        assertThat(counters.get(Counter.ETH_IN_OTHER_HOST)).isEqualTo(1);
        assertThat(counters.get(Counter.ETH_IN_TRUNCATED)).isEqualTo(1);
        assertThat(counters.get(Counter.ETH_IN_UNKNOWN_TYPE)).isEqualTo(1);
        assertThat(counters.get(Counter.ARP_IN_MALFORMED)).isEqualTo(1);
        assertThat(counters.get(Counter.ETH_IN_LINK_DOWN)).isEqualTo(1);
    }

    private static ByteBuffer frame(long dst, int type, int payload) {
        ByteBuffer b = ByteBuffer.allocate(Ethernet.HEADER + payload);
        Ethernet.emit(b, 0, dst, OTHER, type);
        return b;
    }

    private void receive(ByteBuffer frame, boolean ipOnly) {
        assertThat(ring.offer(nic, frame, 0, frame.capacity(), ipOnly)).isTrue();
        try {
            demux.input(ring.peek());
        } finally {
            ring.pop();
        }
    }
}
