package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.await;

import java.time.Duration;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Mac;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 7: echo requests to a broadcast address are ignored by default (Linux's
 * icmp_echo_ignore_broadcasts=1), and datagrams whose source is a broadcast address are martians.
 */
class BroadcastAbuseTest {
    static final long EVIL = 0x02000000e411L;
    static final int SRC = Frames.ip("192.168.250.66");
    static final int US = Frames.ip("192.168.250.1");
    static final int SUBNET_BROADCAST = Frames.ip("192.168.250.255");

    TestNet net;
    JnetStack victim;
    TestNet.RawPort evil;
    long mac;

    @BeforeEach
    void setUp() throws Exception {
        net = new TestNet();
        EthernetNode sw = net.newSwitch();
        victim = net.stack("", sw, "192.168.250.1/24");
        evil = net.raw(sw);
        mac = Mac.of(victim.config().linkGetAddr(2));
        evil.send(Frames.arpRequest(EVIL, SRC, US)); // the victim learns us: replies need no ARP
        net.settle();
    }

    @AfterEach
    void tearDown() throws Exception {
        net.close();
    }

    boolean echoReplySent() throws Exception {
        return evil.poll(f -> Frames.isIcmp(f, Icmp4.ECHO_REPLY), Duration.ofMillis(300)) != null;
    }

    @Test
    void echoRequestsToBroadcastAddressesAreIgnoredAndCounted() throws Exception {
        evil.send(Frames.ipv4(Mac.BROADCAST, EVIL, SRC, SUBNET_BROADCAST, Ipv4.PROTO_ICMP, 64, 1, 0,
                Frames.echoRequest(1, 1, 32)));
        evil.send(Frames.ipv4(Mac.BROADCAST, EVIL, SRC, -1, Ipv4.PROTO_ICMP, 64, 2, 0, Frames.echoRequest(1, 2, 32)));
        net.settle();
        assertThat(echoReplySent()).isFalse();
        assertThat(victim.counter(Counter.ICMP_IN_ECHO_BROADCAST_IGNORED)).isEqualTo(2);
        assertThat(victim.counter(Counter.ICMP_OUT_ECHO_REPS)).isZero();
        // a unicast echo is still answered
        evil.send(Frames.ipv4(mac, EVIL, SRC, US, Ipv4.PROTO_ICMP, 64, 3, 0, Frames.echoRequest(1, 3, 32)));
        assertThat(await(() -> victim.counter(Counter.ICMP_OUT_ECHO_REPS) == 1)).isTrue();
    }

    @Test
    void broadcastSourcesAreMartians() throws Exception {
        for (int src : new int[] {SUBNET_BROADCAST, -1}) {
            evil.send(Frames.ipv4(mac, EVIL, src, US, Ipv4.PROTO_ICMP, 64, 4, 0, Frames.echoRequest(1, 4, 32)));
            evil.send(Frames.ipv4(mac, EVIL, src, US, Ipv4.PROTO_UDP, 64, 5, 0, Frames.udp(src, US, 1000, 9, new byte[8])));
        }
        net.settle();
        assertThat(await(() -> victim.counter(Counter.IP_IN_ADDR_ERRORS) == 4)).isTrue();
        assertThat(victim.counter(Counter.IP_IN_DELIVERS)).isZero();
        assertThat(victim.counter(Counter.ICMP_OUT_MSGS)).isZero();
    }
}
