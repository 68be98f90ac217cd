package org.jioth.slirp;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The gateway's stateless DHCPv6 server (RFC 8415 6.1, as libslirp has one): an
 * INFORMATION-REQUEST gets a REPLY with the gateway's DNS server (option 23, RFC 3646), the
 * client's identifier echoed and the gateway's own (a DUID-LL of its MAC). Addresses come from
 * SLAAC, so every other message (SOLICIT, REQUEST, ...) is ignored, and the router advertisements
 * set the O flag to send clients here. Requests reach it at ff02::1:2 port 547; the reply goes to
 * the client's address, port 546. Malformed messages are counted and dropped, never thrown. Keeps
 * no state per client.
 */
final class Dhcp6Server {
    static final int SERVER_PORT = 547;
    static final int CLIENT_PORT = 546;
    /** All_DHCP_Relay_Agents_and_Servers. */
    static final byte[] ALL_SERVERS = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2};
    static final int INFORMATION_REQUEST = 11;
    static final int REPLY = 7;
    static final int OPT_CLIENTID = 1;
    static final int OPT_SERVERID = 2;
    static final int OPT_IA_NA = 3;
    static final int OPT_IA_TA = 4;
    static final int OPT_IA_PD = 25;
    static final int OPT_DNS_SERVERS = 23;
    /** A DUID is at most 128 bytes plus its type (RFC 8415 11.1). */
    static final int MAX_DUID = 130;

    private final byte[] serverId;
    private final byte[] dns;
    private final SlirpCounters counters;

    Dhcp6Server(SlirpOptions options, SlirpCounters counters) {
        byte[] mac = org.jioth.MacAddress.parse(options.mac()).toByteArray();
        this.serverId = ByteBuffer.allocate(4 + mac.length).putShort((short) 3).putShort((short) 1).put(mac).array();
        this.dns = ((Inet6Address) options.v6dns()).getAddress();
        this.counters = counters;
    }

    /** The reply to one client message (a UDP payload for the client's port 546), or null when none is due. */
    ByteBuffer handle(ByteBuffer message) {
        ByteBuffer m = message.slice();
        if (m.remaining() < 4) {
            counters.dhcp6Malformed.increment();
            return null;
        }
        if ((m.get(0) & 0xff) != INFORMATION_REQUEST) {
            counters.dhcp6Ignored.increment(); // addresses come from SLAAC: no SOLICIT, REQUEST, ...
            return null;
        }
        byte[] clientId = null;
        int p = 4;
        while (p < m.limit()) {
            if (p + 4 > m.limit()) {
                counters.dhcp6Malformed.increment();
                return null;
            }
            int code = m.getShort(p) & 0xffff;
            int len = m.getShort(p + 2) & 0xffff;
            int d = p + 4;
            if (d + len > m.limit()) {
                counters.dhcp6Malformed.increment();
                return null;
            }
            switch (code) {
                case OPT_CLIENTID -> {
                    if (clientId != null || len < 3 || len > MAX_DUID) {
                        counters.dhcp6Malformed.increment();
                        return null;
                    }
                    clientId = new byte[len];
                    m.get(d, clientId);
                }
                case OPT_SERVERID -> {
                    byte[] id = new byte[len];
                    m.get(d, id);
                    if (!Arrays.equals(id, serverId)) { // RFC 8415 16.12: for another server
                        counters.dhcp6Ignored.increment();
                        return null;
                    }
                }
                case OPT_IA_NA, OPT_IA_TA, OPT_IA_PD -> { // RFC 8415 16.12: not in an INFORMATION-REQUEST
                    counters.dhcp6Malformed.increment();
                    return null;
                }
                default -> {
                    // ORO, elapsed time, ...: the reply carries what we have whatever was asked
                }
            }
            p = d + len;
        }
        ByteBuffer r = ByteBuffer.allocate(4 + 4 + serverId.length + (clientId == null ? 0 : 4 + clientId.length)
                + 4 + dns.length);
        r.put((byte) REPLY).put(m.get(1)).put(m.get(2)).put(m.get(3)); // the client's transaction id
        r.putShort((short) OPT_SERVERID).putShort((short) serverId.length).put(serverId);
        if (clientId != null) {
            r.putShort((short) OPT_CLIENTID).putShort((short) clientId.length).put(clientId);
        }
        r.putShort((short) OPT_DNS_SERVERS).putShort((short) dns.length).put(dns);
        counters.dhcp6Replies.increment();
        return r.flip();
    }
}
