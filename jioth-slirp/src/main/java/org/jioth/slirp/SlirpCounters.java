package org.jioth.slirp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one slirp gateway. Updated by its threads, read by anyone. */
public final class SlirpCounters {
    public final LongAdder tcpFlowsOpened = new LongAdder();
    /** TCP flows refused: flow limit, host connect failed, destination not allowed. */
    public final LongAdder tcpFlowsRefused = new LongAdder();
    public final LongAdder udpFlowsOpened = new LongAdder();
    /** UDP datagrams dropped: flow limit, destination not allowed, host socket failed. */
    public final LongAdder udpDropped = new LongAdder();
    public final LongAdder udpFlowsExpired = new LongAdder();
    /** Payload bytes carried from the virtual network to host sockets. */
    public final LongAdder bytesOut = new LongAdder();
    /** Payload bytes carried from host sockets into the virtual network. */
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder dhcpLeases = new LongAdder();
    public final LongAdder dhcpNaks = new LongAdder();
    public final LongAdder dhcpMalformed = new LongAdder();
    /** DHCPv6 REPLYs to INFORMATION-REQUESTs, messages ignored (other types, other servers), malformed ones. */
    public final LongAdder dhcp6Replies = new LongAdder();
    public final LongAdder dhcp6Ignored = new LongAdder();
    public final LongAdder dhcp6Malformed = new LongAdder();
    public final LongAdder dnsQueries = new LongAdder();
    public final LongAdder dnsMalformed = new LongAdder();
    /** Datagrams to foreign addresses the gateway does not carry (restrict, other guests' addresses, other protocols). */
    public final LongAdder foreignDropped = new LongAdder();
    public final LongAdder hostForwardsAccepted = new LongAdder();
    /** ICMP echo requests to outside addresses, the replies given, and those left unanswered. */
    public final LongAdder icmpEchoes = new LongAdder();
    public final LongAdder icmpEchoReplies = new LongAdder();
    public final LongAdder icmpUnanswered = new LongAdder();
    /** Echo requests for which the host would not open an unprivileged ICMP socket ({@code ping_group_range}). */
    public final LongAdder icmpUnavailable = new LongAdder();

    /** A snapshot by name, for printing. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("tcpFlowsOpened", tcpFlowsOpened.sum());
        m.put("tcpFlowsRefused", tcpFlowsRefused.sum());
        m.put("udpFlowsOpened", udpFlowsOpened.sum());
        m.put("udpDropped", udpDropped.sum());
        m.put("udpFlowsExpired", udpFlowsExpired.sum());
        m.put("bytesOut", bytesOut.sum());
        m.put("bytesIn", bytesIn.sum());
        m.put("dhcpLeases", dhcpLeases.sum());
        m.put("dhcpNaks", dhcpNaks.sum());
        m.put("dhcpMalformed", dhcpMalformed.sum());
        m.put("dhcp6Replies", dhcp6Replies.sum());
        m.put("dhcp6Ignored", dhcp6Ignored.sum());
        m.put("dhcp6Malformed", dhcp6Malformed.sum());
        m.put("dnsQueries", dnsQueries.sum());
        m.put("dnsMalformed", dnsMalformed.sum());
        m.put("foreignDropped", foreignDropped.sum());
        m.put("hostForwardsAccepted", hostForwardsAccepted.sum());
        m.put("icmpEchoes", icmpEchoes.sum());
        m.put("icmpEchoReplies", icmpEchoReplies.sum());
        m.put("icmpUnanswered", icmpUnanswered.sum());
        m.put("icmpUnavailable", icmpUnavailable.sum());
        return m;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
