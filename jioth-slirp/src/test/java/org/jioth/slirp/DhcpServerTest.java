package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.jioth.jnet.time.ManualClock;
import org.junit.jupiter.api.Test;

class DhcpServerTest {
    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final SlirpCounters counters = new SlirpCounters();

    private DhcpServer server(String... kv) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return new DhcpServer(SlirpOptions.fromOptions("", o), clock::nanos, counters);
    }

    /** A BOOTREQUEST from {@code mac} with message type {@code type} and optional requested address / server id. */
    static ByteBuffer request(long mac, int type, int requested, int serverId, int ciaddr) {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(0x12345678).putShort((short) 0)
                .putShort((short) 0x8000).putInt(ciaddr).putInt(0).putInt(0).putInt(0);
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
        b.position(236);
        b.putInt(0x63825363);
        b.put((byte) 53).put((byte) 1).put((byte) type);
        if (requested != 0) {
            b.put((byte) 50).put((byte) 4).putInt(requested);
        }
        if (serverId != 0) {
            b.put((byte) 54).put((byte) 4).putInt(serverId);
        }
        b.put((byte) 255);
        return b.flip();
    }

    /** Option {@code code}'s value in a reply, or null. */
    static byte[] option(ByteBuffer r, int code) {
        int at = 240;
        while (at < r.limit() && (r.get(at) & 0xff) != 255) {
            int c = r.get(at) & 0xff;
            if (c == 0) {
                at++;
                continue;
            }
            int len = r.get(at + 1) & 0xff;
            if (c == code) {
                byte[] v = new byte[len];
                r.get(at + 2, v);
                return v;
            }
            at += 2 + len;
        }
        return null;
    }

    static int type(ByteBuffer r) {
        return option(r, 53)[0];
    }

    static int ip(String s) {
        return Ipv4Text.parse(s, "test");
    }

    @Test
    void discoverOfferRequestAckCarryTheOptions() {
        DhcpServer s = server();
        ByteBuffer offer = s.handle(request(0x020000000001L, DhcpServer.DISCOVER, 0, 0, 0));
        assertThat(type(offer)).isEqualTo(DhcpServer.OFFER);
        assertThat(offer.getInt(16)).isEqualTo(ip("10.0.2.15"));
        assertThat(offer.getInt(4)).isEqualTo(0x12345678);
        assertThat(ByteBuffer.wrap(option(offer, 1)).getInt()).isEqualTo(ip("255.255.255.0"));
        assertThat(ByteBuffer.wrap(option(offer, 3)).getInt()).isEqualTo(ip("10.0.2.2"));
        assertThat(ByteBuffer.wrap(option(offer, 6)).getInt()).isEqualTo(ip("10.0.2.3"));
        assertThat(ByteBuffer.wrap(option(offer, 54)).getInt()).isEqualTo(ip("10.0.2.2"));
        assertThat(ByteBuffer.wrap(option(offer, 51)).getInt()).isEqualTo(86400);

        ByteBuffer ack = s.handle(request(0x020000000001L, DhcpServer.REQUEST, ip("10.0.2.15"), ip("10.0.2.2"), 0));
        assertThat(type(ack)).isEqualTo(DhcpServer.ACK);
        assertThat(ack.getInt(16)).isEqualTo(ip("10.0.2.15"));
        assertThat(counters.dhcpLeases.sum()).isEqualTo(1);

        ByteBuffer second = s.handle(request(0x020000000002L, DhcpServer.DISCOVER, 0, 0, 0));
        assertThat(second.getInt(16)).isEqualTo(ip("10.0.2.16"));
    }

    @Test
    void aRequestForAnotherClientsLeaseOrOutsideThePoolIsNakked() {
        DhcpServer s = server();
        s.handle(request(1, DhcpServer.REQUEST, ip("10.0.2.15"), 0, 0));
        assertThat(type(s.handle(request(2, DhcpServer.REQUEST, ip("10.0.2.15"), 0, 0)))).isEqualTo(DhcpServer.NAK);
        assertThat(type(s.handle(request(2, DhcpServer.REQUEST, ip("10.0.2.200"), 0, 0)))).isEqualTo(DhcpServer.NAK);
        assertThat(counters.dhcpNaks.sum()).isEqualTo(2);
        // a request naming another server is not ours to answer
        assertThat(s.handle(request(2, DhcpServer.REQUEST, ip("10.0.2.16"), ip("10.0.2.9"), 0))).isNull();
    }

    @Test
    void thePoolIsBoundedAndExpiredOrReleasedLeasesAreReused() {
        DhcpServer s = server("leases", "2", "leasetime", "60");
        assertThat(type(s.handle(request(1, DhcpServer.REQUEST, ip("10.0.2.15"), 0, 0)))).isEqualTo(DhcpServer.ACK);
        assertThat(type(s.handle(request(2, DhcpServer.REQUEST, ip("10.0.2.16"), 0, 0)))).isEqualTo(DhcpServer.ACK);
        assertThat(s.handle(request(3, DhcpServer.DISCOVER, 0, 0, 0))).as("pool exhausted: no offer").isNull();

        s.handle(request(1, DhcpServer.RELEASE, 0, 0, ip("10.0.2.15")));
        assertThat(s.handle(request(3, DhcpServer.DISCOVER, 0, 0, 0)).getInt(16)).isEqualTo(ip("10.0.2.15"));

        clock.advance(Duration.ofSeconds(61));
        assertThat(type(s.handle(request(4, DhcpServer.REQUEST, ip("10.0.2.16"), 0, 0)))).isEqualTo(DhcpServer.ACK);
        assertThat(s.leaseCount()).isLessThanOrEqualTo(2);
    }

    @Test
    void aJumboGatewayTellsItsMtu() {
        assertThat(option(server().handle(request(1, DhcpServer.DISCOVER, 0, 0, 0)), 26)).isNull();
        byte[] mtu = option(server("mtu", "9000").handle(request(1, DhcpServer.DISCOVER, 0, 0, 0)), 26);
        assertThat(ByteBuffer.wrap(mtu).getShort()).isEqualTo((short) 9000);
    }

    @Test
    void aClientKeepsItsAddress() {
        DhcpServer s = server();
        s.handle(request(7, DhcpServer.REQUEST, ip("10.0.2.20"), 0, 0));
        assertThat(s.handle(request(7, DhcpServer.DISCOVER, 0, 0, 0)).getInt(16)).isEqualTo(ip("10.0.2.20"));
    }

    @Test
    void randomAndTruncatedInputIsCountedNeverThrown() {
        DhcpServer s = server("leases", "4");
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = request(r.nextInt(8), 1 + r.nextInt(8), ip("10.0.2.15") + r.nextInt(6), 0, 0);
            byte[] raw = new byte[b.remaining()];
            b.get(raw);
            int n = r.nextInt(raw.length + 1);
            for (int k = 0; k < 3; k++) {
                raw[236 + r.nextInt(raw.length - 236)] = (byte) r.nextInt();
            }
            s.handle(ByteBuffer.wrap(raw, 0, n));
            assertThat(s.leaseCount()).isLessThanOrEqualTo(4);
        }
        assertThat(counters.dhcpMalformed.sum()).isPositive();
    }
}
