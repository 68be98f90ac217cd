package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stateless DHCPv6 server on crafted messages: what it answers, what it ignores, garbage. */
class Dhcp6ServerTest {
    static final byte[] CLIENT_DUID = HexFormat.of().parseHex("00030001020000000015"); // DUID-LL
    final SlirpCounters counters = new SlirpCounters();
    final Dhcp6Server server = new Dhcp6Server(SlirpOptions.defaults(), counters);

    /** A client message: type, transaction id 0xabcdef, then the options given as code, data pairs. */
    static ByteBuffer message(int type, Object... options) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.put((byte) type).put((byte) 0xab).put((byte) 0xcd).put((byte) 0xef);
        for (int i = 0; i < options.length; i += 2) {
            byte[] data = (byte[]) options[i + 1];
            b.putShort((short) (int) options[i]).putShort((short) data.length).put(data);
        }
        return b.flip();
    }

    /** The data of option {@code code} in {@code reply}, or null. */
    static byte[] option(ByteBuffer reply, int code) {
        for (int p = 4; p + 4 <= reply.limit(); p += 4 + (reply.getShort(p + 2) & 0xffff)) {
            if ((reply.getShort(p) & 0xffff) == code) {
                byte[] d = new byte[reply.getShort(p + 2) & 0xffff];
                reply.get(p + 4, d);
                return d;
            }
        }
        return null;
    }

    @Test
    void anInformationRequestGetsTheDnsServerAndBothIdentifiers() {
        ByteBuffer r = server.handle(message(Dhcp6Server.INFORMATION_REQUEST, Dhcp6Server.OPT_CLIENTID, CLIENT_DUID,
                6, new byte[] {0, 23}, 8, new byte[] {0, 0}));
        assertThat(r).isNotNull();
        assertThat(r.get(0)).isEqualTo((byte) Dhcp6Server.REPLY);
        assertThat(r.getInt(0) & 0xffffff).as("the transaction id").isEqualTo(0xabcdef);
        assertThat(option(r, Dhcp6Server.OPT_CLIENTID)).isEqualTo(CLIENT_DUID);
        assertThat(HexFormat.of().formatHex(option(r, Dhcp6Server.OPT_SERVERID)))
                .as("DUID-LL of the gateway's MAC").isEqualTo("0003000152550a000202");
        assertThat(option(r, Dhcp6Server.OPT_DNS_SERVERS)).isEqualTo(SlirpOptions.defaults().v6dns().getAddress());
        assertThat(counters.dhcp6Replies.sum()).isEqualTo(1);
    }

    @Test
    void otherMessagesAnotherServersAndIaOptionsAreNotAnswered() {
        byte[] ia = new byte[12];
        assertThat(server.handle(message(1, Dhcp6Server.OPT_CLIENTID, CLIENT_DUID, Dhcp6Server.OPT_IA_NA, ia)))
                .as("SOLICIT: addresses come from SLAAC").isNull();
        assertThat(server.handle(message(Dhcp6Server.INFORMATION_REQUEST, Dhcp6Server.OPT_SERVERID, CLIENT_DUID)))
                .as("for another server").isNull();
        assertThat(counters.dhcp6Ignored.sum()).isEqualTo(2);
        assertThat(server.handle(message(Dhcp6Server.INFORMATION_REQUEST, Dhcp6Server.OPT_IA_NA, ia)))
                .as("an IA in an INFORMATION-REQUEST").isNull();
        assertThat(server.handle(message(Dhcp6Server.INFORMATION_REQUEST, Dhcp6Server.OPT_CLIENTID, new byte[2])))
                .as("a DUID too short").isNull();
        assertThat(counters.dhcp6Malformed.sum()).isEqualTo(2);
        assertThat(counters.dhcp6Replies.sum()).isZero();
        // our own identifier is fine: a client that heard us before
        byte[] ours = option(server.handle(message(Dhcp6Server.INFORMATION_REQUEST)), Dhcp6Server.OPT_SERVERID);
        assertThat(server.handle(message(Dhcp6Server.INFORMATION_REQUEST, Dhcp6Server.OPT_SERVERID, ours)))
                .isNotNull();
    }

    @Test
    void randomAndTruncatedInputIsCountedNeverThrown() {
        Random r = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[r.nextInt(80)];
            r.nextBytes(raw);
            if (raw.length > 0 && r.nextBoolean()) {
                raw[0] = (byte) Dhcp6Server.INFORMATION_REQUEST;
            }
            ByteBuffer reply = server.handle(ByteBuffer.wrap(raw));
            if (reply != null) {
                assertThat(reply.get(0)).isEqualTo((byte) Dhcp6Server.REPLY);
            }
        }
        assertThat(counters.dhcp6Malformed.sum()).isPositive();
        assertThat(counters.dhcp6Ignored.sum()).isPositive();
    }
}
