package org.jioth.vde.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.jioth.vde.testing.Frames;
import org.junit.jupiter.api.Test;

class PeerTableTest {
    private final AtomicLong now = new AtomicLong();
    private final PeerTable table = new PeerTable(1024, 128_000_000_000L, now::get);
    private final InetAddress a = InetAddress.ofLiteral("192.168.250.7");

    private static long mac(String s) {
        return PeerTable.macAt(ByteBuffer.wrap(Frames.mac(s)), 0);
    }

    @Test
    void learnsLooksUpAndExpires() {
        long m = mac("02:00:00:00:00:01");
        assertThat(table.lookup(m)).isNull();
        table.learn(m, a, 5000);
        assertThat(table.lookup(m)).isEqualTo(new InetSocketAddress(a, 5000));
        now.addAndGet(128_000_000_000L);
        assertThat(table.lookup(m)).isNotNull();
        now.addAndGet(1);
        assertThat(table.lookup(m)).isNull();
    }

    @Test
    void groupMacsAreNeverLearned() {
        long m = mac("01:00:5e:00:00:01");
        assertThat(PeerTable.isGroup(m)).isTrue();
        assertThat(PeerTable.isGroup(mac("ff:ff:ff:ff:ff:ff"))).isTrue();
        assertThat(PeerTable.isGroup(mac("02:00:00:00:00:01"))).isFalse();
        table.learn(m, a, 5000);
        assertThat(table.lookup(m)).isNull();
    }

    @Test
    void goodbyeForgetsEveryEntryOfThatSender() {
        table.learn(mac("02:00:00:00:00:01"), a, 5000);
        table.learn(mac("02:00:00:00:00:02"), a, 5000);
        table.learn(mac("02:00:00:00:00:03"), a, 5001);
        assertThat(table.forget(new InetSocketAddress(a, 5000))).isEqualTo(2);
        assertThat(table.lookup(mac("02:00:00:00:00:01"))).isNull();
        assertThat(table.lookup(mac("02:00:00:00:00:03"))).isEqualTo(new InetSocketAddress(a, 5001));
    }

    @Test
    void relearningMovesTheEntry() {
        long m = mac("02:00:00:00:00:01");
        table.learn(m, a, 5000);
        table.learn(m, a, 6000);
        assertThat(table.lookup(m).getPort()).isEqualTo(6000);
    }

    @Test
    void macAtReadsSixBytesBigEndian() {
        assertThat(mac("01:23:45:67:89:ab")).isEqualTo(0x0123_4567_89abL);
    }
}
