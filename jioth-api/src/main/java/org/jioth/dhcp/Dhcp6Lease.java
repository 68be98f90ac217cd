package org.jioth.dhcp;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;

/**
 * What a DHCPv6 REPLY granted: the IA_NA's addresses (each with its own lifetimes), the timers
 * T1 (renew) and T2 (rebind), the DNS servers (option 23) and domain list (option 24). A stateless
 * reply (to an INFORMATION-REQUEST) has no addresses and refreshes after the information refresh
 * time (option 32; default 86400 s, at least 600 s, RFC 8415 21.23).
 */
public record Dhcp6Lease(byte[] serverId, InetSocketAddress server, Inet6Address serverUnicast,
                         List<Dhcp6Message.IaAddress> addresses, List<Inet6Address> dnsServers, List<String> domains,
                         Instant obtained, long t1, long t2) {
    static final long REFRESH_DEFAULT = 86_400;
    static final long REFRESH_MINIMUM = 600;

    /** Where a stateful lease is at some instant. */
    public enum Phase { BOUND, RENEWING, REBINDING, EXPIRED }

    public Dhcp6Lease {
        serverId = serverId.clone();
        addresses = List.copyOf(addresses);
        dnsServers = List.copyOf(dnsServers);
        domains = List.copyOf(domains);
    }

    @Override
    public byte[] serverId() {
        return serverId.clone();
    }

    /**
     * The lease of a REPLY to SOLICIT/REQUEST/RENEW/REBIND. T1 and T2 as the server gave them; when
     * it left them 0, 0.5 and 0.8 of the shortest preferred lifetime (RFC 8415 14.2).
     */
    static Dhcp6Lease stateful(Dhcp6Message.Parsed reply, InetSocketAddress from, Instant now) {
        List<Dhcp6Message.IaAddress> live = reply.ia().addresses().stream().filter(a -> a.valid() > 0).toList();
        long minPreferred = live.stream().mapToLong(Dhcp6Message.IaAddress::preferred).min().orElse(0);
        long t1 = reply.ia().t1();
        long t2 = reply.ia().t2();
        if (t1 == 0 || t2 == 0) {
            t1 = minPreferred == Dhcp6Message.INFINITY ? Dhcp6Message.INFINITY : minPreferred / 2;
            t2 = minPreferred == Dhcp6Message.INFINITY ? Dhcp6Message.INFINITY : minPreferred * 4 / 5;
        }
        return new Dhcp6Lease(reply.serverId(), from, reply.serverUnicast(), live, reply.dnsServers(), reply.domains(),
                now, t1, t2);
    }

    /** The configuration of a REPLY to INFORMATION-REQUEST; T1 holds the refresh time. */
    static Dhcp6Lease stateless(Dhcp6Message.Parsed reply, InetSocketAddress from, Instant now) {
        long refresh = reply.informationRefresh() < 0 ? REFRESH_DEFAULT : Math.max(REFRESH_MINIMUM, reply.informationRefresh());
        return new Dhcp6Lease(reply.serverId(), from, null, List.of(), reply.dnsServers(), reply.domains(), now,
                refresh, refresh);
    }

    public boolean isStateless() {
        return addresses.isEmpty();
    }

    public Instant renewAt() {
        return at(t1);
    }

    public Instant rebindAt() {
        return at(t2);
    }

    /** When the last address's valid lifetime ends. */
    public Instant expiresAt() {
        return at(addresses.stream().mapToLong(Dhcp6Message.IaAddress::valid).max().orElse(0));
    }

    /** When {@code a}'s valid lifetime ends. */
    public Instant expiresAt(Dhcp6Message.IaAddress a) {
        return at(a.valid());
    }

    public Phase phase(Instant now) {
        if (now.isBefore(renewAt())) {
            return Phase.BOUND;
        }
        if (now.isBefore(rebindAt())) {
            return Phase.RENEWING;
        }
        return now.isBefore(expiresAt()) ? Phase.REBINDING : Phase.EXPIRED;
    }

    private Instant at(long seconds) {
        return seconds == Dhcp6Message.INFINITY ? Instant.MAX : obtained.plusSeconds(seconds);
    }
}
