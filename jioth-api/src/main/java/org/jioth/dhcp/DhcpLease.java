package org.jioth.dhcp;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * What a DHCPv4 ACK granted, and when: the renewal (T1), rebinding (T2) and expiry instants of RFC
 * 2131 4.4.5 (defaults 0.5 and 0.875 of the lease; an infinite lease, 0xffffffff, never ends).
 */
public record DhcpLease(InetAddress address, int prefixLength, InetAddress server, List<InetAddress> routers,
                        List<InetAddress> dnsServers, List<String> searchDomains, int mtu, Instant obtained,
                        long leaseSeconds, long renewSeconds, long rebindSeconds) {
    static final long INFINITE = 0xffffffffL;

    /** Where the lease is at {@code now}. */
    public enum Phase { BOUND, RENEWING, REBINDING, EXPIRED }

    public DhcpLease {
        routers = List.copyOf(routers);
        dnsServers = List.copyOf(dnsServers);
        searchDomains = List.copyOf(searchDomains);
    }

    static DhcpLease of(DhcpMessage.Reply ack, Instant now) {
        long lease = ack.leaseSeconds() < 0 ? 3600 : ack.leaseSeconds();
        long t1 = ack.renewSeconds() >= 0 && ack.renewSeconds() < lease ? ack.renewSeconds() : lease / 2;
        long t2 = ack.rebindSeconds() > t1 && ack.rebindSeconds() < lease ? ack.rebindSeconds() : lease * 7 / 8;
        int prefix = ack.prefixLength() >= 0 ? ack.prefixLength() : 24;
        List<String> search = !ack.searchDomains().isEmpty() ? ack.searchDomains()
                : ack.domainName() != null ? List.of(ack.domainName()) : List.of();
        return new DhcpLease(ack.yourAddress(), prefix, ack.serverId(), ack.routers(), ack.dnsServers(), search,
                ack.mtu(), now, lease, t1, t2);
    }

    public boolean isInfinite() {
        return leaseSeconds == INFINITE;
    }

    public Instant renewAt() {
        return isInfinite() ? Instant.MAX : obtained.plusSeconds(renewSeconds);
    }

    public Instant rebindAt() {
        return isInfinite() ? Instant.MAX : obtained.plusSeconds(rebindSeconds);
    }

    public Instant expiresAt() {
        return isInfinite() ? Instant.MAX : obtained.plusSeconds(leaseSeconds);
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

    /** The lease's DNS data as {@code resolv.conf(5)} text. */
    public String resolvConf() {
        StringBuilder sb = new StringBuilder();
        if (!searchDomains.isEmpty()) {
            sb.append("search ").append(String.join(" ", searchDomains)).append('\n');
        }
        for (InetAddress a : dnsServers) {
            sb.append("nameserver ").append(a.getHostAddress()).append('\n');
        }
        return sb.toString();
    }
}
