package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.jnet.TestNet.await;
import static org.jioth.jnet.TestNet.ip;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Mac;
import org.jioth.vde.EthernetNode;
import org.junit.jupiter.api.Test;

/** Seeded random and mutated frames at a stack: the loop survives, counters move, ping still works. */
class HostileInputTest {
    static final long EVIL = 0x02000000e411L;

    @Test
    void randomAndMutatedFramesAreCountedAndDropped() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack victim = net.stack("", sw, "192.168.250.1/24");
            JnetStack friend = net.stack("", sw, "192.168.250.2/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(victim.config().linkGetAddr(2));
            int dst = Frames.ip("192.168.250.1");
            int src = Frames.ip("192.168.250.66");
            evil.send(Frames.arpRequest(EVIL, src, dst));
            SplittableRandom r = new SplittableRandom(2024);
            byte[][] templates = {
                Frames.ipv4(mac, EVIL, src, dst, Ipv4.PROTO_UDP, 64, 1, 0, Frames.udp(src, dst, 1000, 53, new byte[40])),
                Frames.ipv4(mac, EVIL, src, dst, Ipv4.PROTO_ICMP, 64, 2, 0, Frames.echoRequest(1, 1, 32)),
                Frames.ipv4(mac, EVIL, src, dst, Ipv4.PROTO_UDP, 64, 3, Ipv4.FLAG_MF, new byte[64]),
                Frames.ipv4(mac, EVIL, src, dst, Ipv4.PROTO_UDP, 64, 3, 4, new byte[64]),
                Frames.arpRequest(EVIL, src, dst),
            };
            for (int i = 0; i < 3000; i++) {
                byte[] f;
                switch (r.nextInt(6)) {
                    case 0 -> { // pure noise to our MAC
                        f = new byte[r.nextInt(0, 200)];
                        r.nextBytes(f);
                        if (f.length >= 6) {
                            Mac.put(ByteBuffer.wrap(f), 0, mac);
                        }
                    }
                    case 1 -> f = java.util.Arrays.copyOf(templates[r.nextInt(templates.length)], r.nextInt(0, 80)); // truncated
                    default -> { // a few flipped bytes in a valid frame (bad lengths, IHL, checksums…)
                        f = templates[r.nextInt(templates.length)].clone();
                        for (int k = r.nextInt(1, 4); k > 0; k--) {
                            f[r.nextInt(12, f.length)] = (byte) r.nextInt(256);
                        }
                    }
                }
                if (f.length >= 14) {
                    evil.send(f);
                }
                if (i % 200 == 0) {
                    net.settle();
                }
            }
            // overlapping fragments: first 0..63, then 8..71 — the datagram is discarded
            evil.send(Frames.ipv4(mac, EVIL, src, dst, Ipv4.PROTO_UDP, 64, 77, Ipv4.FLAG_MF, new byte[64]));
            evil.send(Frames.ipv4(mac, EVIL, src, dst, Ipv4.PROTO_UDP, 64, 77, 1, new byte[64]));
            net.settle();
            assertThat(await(() -> victim.counter(Counter.IP_REASM_OVERLAPS) >= 1)).isTrue();
            net.advance(Duration.ofSeconds(40), 4); // every half-built datagram times out
            assertThat(victim.onLoop(() -> victim.ipv4.reassembler().memory())).isZero();
            assertThat(victim.counter(Counter.LOOP_ERRORS)).isZero();
            assertThat(victim.counter(Counter.IP_IN_HDR_ERRORS)).isPositive();
            assertThat(victim.counter(Counter.IP_IN_CSUM_ERRORS)).isPositive();
            assertThat(victim.counter(Counter.ETH_IN_TRUNCATED) + victim.counter(Counter.IP_IN_TRUNCATED)).isPositive();
            assertThat(victim.counter(Counter.UDP_IN_ERRORS) + victim.counter(Counter.ICMP_IN_ERRORS)).isPositive();
            assertThat(victim.counter(Counter.ARP_IN_MALFORMED)).isPositive();
            // still alive and well
            assertThat(friend.pingAsync(ip("192.168.250.1"), 56, Duration.ofSeconds(5)).get(60, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void icmpErrorsAreRateLimited() throws Exception {
        try (TestNet net = new TestNet()) {
            EthernetNode sw = net.newSwitch();
            JnetStack victim = net.stack("", sw, "192.168.250.1/24");
            TestNet.RawPort evil = net.raw(sw);
            long mac = Mac.of(victim.config().linkGetAddr(2));
            int dst = Frames.ip("192.168.250.1");
            int src = Frames.ip("192.168.250.66");
            evil.send(Frames.arpRequest(EVIL, src, dst));
            for (int i = 0; i < 200; i++) {
                evil.send(Frames.ipv4(mac, EVIL, src, dst, Ipv4.PROTO_UDP, 64, i, 0, Frames.udp(src, dst, 1000, 9, new byte[4])));
            }
            assertThat(await(() -> victim.counter(Counter.UDP_NO_PORTS) == 200)).isTrue();
            victim.sync(); // the last datagram's error is counted after its UDP_NO_PORTS: let that turn end
            // the clock stood still: only the burst went out
            assertThat(victim.counter(Counter.ICMP_OUT_DEST_UNREACHS)).isEqualTo(50);
            assertThat(victim.counter(Counter.ICMP_OUT_RATE_LIMITED)).isEqualTo(150);
        }
    }
}
