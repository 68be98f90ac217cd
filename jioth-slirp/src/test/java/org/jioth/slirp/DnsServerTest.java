package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsServerTest {
    private final SlirpCounters counters = new SlirpCounters();
    private final DnsServer server = new DnsServer(name -> switch (name) {
        case "printer.lan" -> new InetAddress[] {InetAddress.ofLiteral("192.0.2.7"), InetAddress.ofLiteral("2001:db8::7"),
                InetAddress.ofLiteral("192.0.2.8")};
        case "many.lan" -> {
            InetAddress[] all = new InetAddress[100];
            for (int i = 0; i < all.length; i++) {
                all[i] = InetAddress.ofLiteral("192.0.2." + i);
            }
            yield all;
        }
        case "broken.lan" -> throw new IOException("resolver down");
        default -> throw new UnknownHostException(name);
    }, counters);

    static ByteBuffer query(String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) 0xbeef).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putInt(0);
        for (String label : name.split("\\.")) {
            b.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.put((byte) 0).putShort((short) type).putShort((short) 1);
        return b.flip();
    }

    static int rcode(ByteBuffer r) {
        return r.get(3) & 0xf;
    }

    static int answers(ByteBuffer r) {
        return r.getShort(6) & 0xffff;
    }

    @Test
    void aQuestionsGetTheResolversIpv4AddressesAaaaTheIpv6Ones() {
        ByteBuffer r = server.answer(query("printer.lan", DnsServer.TYPE_A));
        assertThat(r.getShort(0)).isEqualTo((short) 0xbeef);
        assertThat(r.get(2) & 0x80).as("QR").isNotZero();
        assertThat(rcode(r)).isEqualTo(DnsServer.NOERROR);
        assertThat(answers(r)).isEqualTo(2);
        int at = 12 + "printer.lan".length() + 2 + 4;
        assertThat(r.getShort(at) & 0xffff).isEqualTo(0xc00c);
        assertThat(r.getShort(at + 10)).isEqualTo((short) 4);
        byte[] a = new byte[4];
        r.get(at + 12, a);
        assertThat(a).containsExactly(192, 0, 2, 7);

        ByteBuffer six = server.answer(query("printer.lan", DnsServer.TYPE_AAAA));
        assertThat(answers(six)).isEqualTo(1);
        assertThat(six.getShort(12 + 13 + 4 + 10)).isEqualTo((short) 16);
    }

    @Test
    void unknownNamesFailuresAndOtherTypesGetTheirCodes() {
        assertThat(rcode(server.answer(query("nowhere.lan", DnsServer.TYPE_A)))).isEqualTo(DnsServer.NXDOMAIN);
        assertThat(rcode(server.answer(query("broken.lan", DnsServer.TYPE_A)))).isEqualTo(DnsServer.SERVFAIL);
        ByteBuffer mx = server.answer(query("printer.lan", 15));
        assertThat(rcode(mx)).isEqualTo(DnsServer.REFUSED);
        assertThat(answers(mx)).isZero();
        assertThat(counters.dnsQueries.sum()).isEqualTo(3);
    }

    @Test
    void answersFitInFiveHundredTwelveBytesWithTheTruncationBit() {
        ByteBuffer r = server.answer(query("many.lan", DnsServer.TYPE_A));
        assertThat(r.remaining()).isLessThanOrEqualTo(512);
        assertThat(r.get(2) & 0x02).as("TC").isNotZero();
        assertThat(answers(r)).isBetween(1, 99);
    }

    @Test
    void responsesAndGarbageAreDroppedAndCounted() {
        ByteBuffer resp = query("printer.lan", DnsServer.TYPE_A);
        resp.put(2, (byte) 0x81);
        assertThat(server.answer(resp)).isNull();
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[r.nextInt(64)];
            r.nextBytes(raw);
            if (raw.length > 2) {
                raw[2] &= 0x7f;
            }
            server.answer(ByteBuffer.wrap(raw)); // never throws
        }
        assertThat(counters.dnsMalformed.sum()).isPositive();
    }

    @Test
    void theHostResolverReadsEtcHosts() {
        DnsServer host = new DnsServer(DnsServer.hostResolver(), counters);
        ByteBuffer r = host.answer(query("localhost", DnsServer.TYPE_A));
        assertThat(rcode(r)).isEqualTo(DnsServer.NOERROR);
        assertThat(answers(r)).isPositive();
    }
}
