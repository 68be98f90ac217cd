package org.jioth.dhcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Random;
import org.jioth.MacAddress;
import org.junit.jupiter.api.Test;

class DhcpMessageTest {
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:07");

    /** A server reply: the client message turned into an ACK with the given options. */
    static byte[] reply(int type, byte[]... options) {
        byte[] base = DhcpMessage.client(DhcpMessage.REQUEST, 0x11223344, MAC, null, null, null, null, true);
        ByteBuffer b = ByteBuffer.allocate(600);
        b.put(base, 0, DhcpMessage.FIXED + 4);
        b.put(0, (byte) 2);
        b.put(16, new byte[] {10, 0, 0, 9});
        b.put((byte) 53).put((byte) 1).put((byte) type);
        for (byte[] o : options) {
            b.put(o);
        }
        b.put((byte) 255);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    static byte[] opt(int code, int... bytes) {
        byte[] o = new byte[bytes.length + 2];
        o[0] = (byte) code;
        o[1] = (byte) bytes.length;
        for (int i = 0; i < bytes.length; i++) {
            o[i + 2] = (byte) bytes[i];
        }
        return o;
    }

    static DhcpMessage.Reply parseReply(int type, byte[]... options) {
        byte[] m = reply(type, options);
        return DhcpMessage.parse(m, m.length);
    }

    @Test
    void clientMessageCarriesTypeMacAndParameterList() {
        byte[] m = DhcpMessage.client(DhcpMessage.DISCOVER, 7, MAC, null, null, null, "guest", true);
        assertThat(m[0]).isEqualTo((byte) 1);
        assertThat(m[10]).isEqualTo((byte) 0x80); // broadcast flag
        assertThat(ByteBuffer.wrap(m).getInt(DhcpMessage.FIXED)).isEqualTo(DhcpMessage.COOKIE);
        assertThat(m.length).isGreaterThanOrEqualTo(300);
    }

    @Test
    void ackOptionsAreParsed() {
        // option 119: "lan.test" then "corp" + pointer to "test" at offset 4
        byte[] search = opt(119, 3, 'l', 'a', 'n', 4, 't', 'e', 's', 't', 0, 4, 'c', 'o', 'r', 'p', 0xc0, 4);
        DhcpMessage.Reply r = parseReply(DhcpMessage.ACK, opt(54, 10, 0, 0, 1), opt(1, 255, 255, 255, 0),
                opt(3, 10, 0, 0, 1), opt(6, 10, 0, 0, 53, 10, 0, 0, 54), opt(15, 'x', '.', 't', 0), opt(26, 5, 0xdc),
                opt(51, 0, 0, 0x0e, 0x10), search);
        assertThat(r.type()).isEqualTo(DhcpMessage.ACK);
        assertThat(r.prefixLength()).isEqualTo(24);
        assertThat(r.dnsServers()).containsExactly(InetAddress.ofLiteral("10.0.0.53"), InetAddress.ofLiteral("10.0.0.54"));
        assertThat(r.domainName()).isEqualTo("x.t");
        assertThat(r.mtu()).isEqualTo(1500);
        assertThat(r.leaseSeconds()).isEqualTo(3600);
        assertThat(r.searchDomains()).containsExactly("lan.test", "corp.test");
        DhcpLease l = DhcpLease.of(r, Instant.EPOCH);
        assertThat(l.searchDomains()).containsExactly("lan.test", "corp.test");
        assertThat(l.resolvConf()).isEqualTo("search lan.test corp.test\nnameserver 10.0.0.53\nnameserver 10.0.0.54\n");
    }

    @Test
    void leasePhasesFollowT1T2AndExpiry() {
        DhcpMessage.Reply r = parseReply(DhcpMessage.ACK, opt(54, 10, 0, 0, 1), opt(51, 0, 0, 0, 100));
        DhcpLease l = DhcpLease.of(r, Instant.ofEpochSecond(1000));
        assertThat(l.renewAt()).isEqualTo(Instant.ofEpochSecond(1050));
        assertThat(l.rebindAt()).isEqualTo(Instant.ofEpochSecond(1087));
        assertThat(l.phase(Instant.ofEpochSecond(1049))).isEqualTo(DhcpLease.Phase.BOUND);
        assertThat(l.phase(Instant.ofEpochSecond(1050))).isEqualTo(DhcpLease.Phase.RENEWING);
        assertThat(l.phase(Instant.ofEpochSecond(1090))).isEqualTo(DhcpLease.Phase.REBINDING);
        assertThat(l.phase(Instant.ofEpochSecond(1100))).isEqualTo(DhcpLease.Phase.EXPIRED);
        DhcpLease forever = DhcpLease.of(parseReply(DhcpMessage.ACK, opt(51, 255, 255, 255, 255)),
                Instant.EPOCH);
        assertThat(forever.phase(Instant.ofEpochSecond(1L << 40))).isEqualTo(DhcpLease.Phase.BOUND);
    }

    @Test
    void malformedRepliesAreRefusedWithAReason() {
        assertThatThrownBy(() -> DhcpMessage.parse(new byte[100], 100)).hasMessageContaining("too short");
        assertThatThrownBy(() -> parseReply(DhcpMessage.ACK, opt(1, 255, 0, 255, 0)))
                .hasMessageContaining("not contiguous");
        assertThatThrownBy(() -> parseReply(DhcpMessage.ACK, opt(6, 1, 2, 3)))
                .hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> parseReply(DhcpMessage.ACK, opt(119, 0xc0, 0)))
                .hasMessageContaining("pointer");
    }

    /** Random corruption: only IllegalArgumentException, never anything else. */
    @Test
    void fuzzedRepliesOnlyFailCleanly() {
        byte[] good = reply(DhcpMessage.ACK, opt(54, 10, 0, 0, 1), opt(3, 10, 0, 0, 1), opt(6, 10, 0, 0, 53),
                opt(119, 3, 'l', 'a', 'n', 0));
        Random rnd = new Random(2131);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = good.clone();
            for (int k = 0, n = 1 + rnd.nextInt(6); k < n; k++) {
                m[DhcpMessage.FIXED + rnd.nextInt(m.length - DhcpMessage.FIXED)] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextBoolean() ? m.length : rnd.nextInt(m.length + 1);
            try {
                DhcpMessage.parse(m, len);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).contains("DHCP");
            }
        }
    }
}
