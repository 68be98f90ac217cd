package org.jioth.jnet;

/**
 * Every counter a jnet stack keeps, named as in {@code /proc/net/snmp} where Linux has one
 * ({@code Ip.InReceives}, {@code Udp.NoPorts}…), with jnet's own drop reasons beside them.
 * docs/jnet.md explains each.
 */
public enum Counter {
    ETH_IN_FRAMES("Eth.InFrames"),
    ETH_IN_BYTES("Eth.InBytes"),
    ETH_OUT_FRAMES("Eth.OutFrames"),
    ETH_OUT_BYTES("Eth.OutBytes"),
    ETH_IN_TRUNCATED("Eth.InDropTruncated"),
    ETH_IN_OTHER_HOST("Eth.InDropOtherHost"),
    ETH_IN_UNKNOWN_TYPE("Eth.InDropUnknownType"),
    ETH_IN_QUEUE_FULL("Eth.InDropQueueFull"),
    ETH_IN_LINK_DOWN("Eth.InDropLinkDown"),
    ETH_OUT_PORT_DROPS("Eth.OutDropPort"),

    ARP_IN_REQUESTS("Arp.InRequests"),
    ARP_IN_REPLIES("Arp.InReplies"),
    ARP_IN_MALFORMED("Arp.InMalformed"),
    ARP_OUT_REQUESTS("Arp.OutRequests"),
    ARP_OUT_REPLIES("Arp.OutReplies"),
    ARP_OUT_GRATUITOUS("Arp.OutGratuitous"),
    ARP_RESOLVE_FAILED("Arp.ResolveFailed"),
    ARP_QUEUE_DROPS("Arp.QueueDrops"),
    ARP_CACHE_EXPIRED("Arp.CacheExpired"),

    IP_IN_RECEIVES("Ip.InReceives"),
    IP_IN_HDR_ERRORS("Ip.InHdrErrors"),
    IP_IN_TRUNCATED("Ip.InTruncatedPkts"),
    IP_IN_BAD_VERSION("Ip.InBadVersion"),
    IP_IN_BAD_HEADER_LENGTH("Ip.InBadHeaderLength"),
    IP_IN_BAD_TOTAL_LENGTH("Ip.InBadTotalLength"),
    IP_IN_CSUM_ERRORS("Ip.InCsumErrors"),
    IP_IN_ADDR_ERRORS("Ip.InAddrErrors"),
    IP_IN_UNKNOWN_PROTOS("Ip.InUnknownProtos"),
    IP_IN_DISCARDS("Ip.InDiscards"),
    IP_IN_DELIVERS("Ip.InDelivers"),
    IP_FORW_DATAGRAMS("Ip.ForwDatagrams"),
    IP_OUT_REQUESTS("Ip.OutRequests"),
    IP_OUT_NO_ROUTES("Ip.OutNoRoutes"),
    IP_OUT_DISCARDS("Ip.OutDiscards"),
    IP_REASM_REQDS("Ip.ReasmReqds"),
    IP_REASM_OKS("Ip.ReasmOKs"),
    IP_REASM_FAILS("Ip.ReasmFails"),
    IP_REASM_TIMEOUT("Ip.ReasmTimeout"),
    IP_REASM_OVERLAPS("Ip.ReasmOverlaps"),
    IP_REASM_OVER_LIMIT("Ip.ReasmOverLimit"),
    IP_FRAG_OKS("Ip.FragOKs"),
    IP_FRAG_FAILS("Ip.FragFails"),
    IP_FRAG_CREATES("Ip.FragCreates"),
    IP_TTL_EXCEEDED("Ip.InTtlExceeded"),

    ICMP_IN_MSGS("Icmp.InMsgs"),
    ICMP_IN_ERRORS("Icmp.InErrors"),
    ICMP_IN_CSUM_ERRORS("Icmp.InCsumErrors"),
    ICMP_IN_ECHOS("Icmp.InEchos"),
    ICMP_IN_ECHO_REPS("Icmp.InEchoReps"),
    ICMP_IN_ECHO_BROADCAST_IGNORED("Icmp.InDropEchoBroadcast"),
    ICMP_IN_DEST_UNREACHS("Icmp.InDestUnreachs"),
    ICMP_IN_TIME_EXCDS("Icmp.InTimeExcds"),
    ICMP_OUT_MSGS("Icmp.OutMsgs"),
    ICMP_OUT_ECHOS("Icmp.OutEchos"),
    ICMP_OUT_ECHO_REPS("Icmp.OutEchoReps"),
    ICMP_OUT_DEST_UNREACHS("Icmp.OutDestUnreachs"),
    ICMP_OUT_TIME_EXCDS("Icmp.OutTimeExcds"),
    ICMP_OUT_RATE_LIMITED("Icmp.OutRateLimited"),

    UDP_IN_DATAGRAMS("Udp.InDatagrams"),
    UDP_NO_PORTS("Udp.NoPorts"),
    UDP_IN_ERRORS("Udp.InErrors"),
    UDP_IN_CSUM_ERRORS("Udp.InCsumErrors"),
    UDP_RCVBUF_ERRORS("Udp.RcvbufErrors"),
    UDP_OUT_DATAGRAMS("Udp.OutDatagrams"),
    UDP_SNDBUF_ERRORS("Udp.SndbufErrors"),

    TCP_ACTIVE_OPENS("Tcp.ActiveOpens"),
    TCP_PASSIVE_OPENS("Tcp.PassiveOpens"),
    TCP_ESTAB_RESETS("Tcp.EstabResets"),
    TCP_IN_SEGS("Tcp.InSegs"),
    TCP_OUT_SEGS("Tcp.OutSegs"),
    TCP_RETRANS_SEGS("Tcp.RetransSegs"),
    TCP_IN_ERRS("Tcp.InErrs"),
    TCP_IN_CSUM_ERRORS("Tcp.InCsumErrors"),
    TCP_IN_BAD_OPTIONS("Tcp.InBadOptions"),
    TCP_OUT_RSTS("Tcp.OutRsts"),
    TCP_NO_PORTS("Tcp.NoPorts"),
    TCP_LISTEN_DROPS("TcpExt.ListenDrops"),
    TCP_SYNCOOKIES_SENT("TcpExt.SyncookiesSent"),
    TCP_SYNCOOKIES_RECV("TcpExt.SyncookiesRecv"),
    TCP_SYNCOOKIES_FAILED("TcpExt.SyncookiesFailed"),
    TCP_LISTEN_OVERFLOWS("TcpExt.ListenOverflows"),
    TCP_TIME_WAIT_OVERFLOW("TcpExt.TCPTimeWaitOverflow"),
    TCP_OUT_OF_WINDOW_ICMPS("TcpExt.OutOfWindowIcmps"),

    LOOP_ERRORS("Loop.Errors");

    private final String key;

    Counter(String key) {
        this.key = key;
    }

    /** The name in {@code statistics()}. */
    public String key() {
        return key;
    }
}
