package org.jioth.jnet.icmp;

import java.nio.ByteBuffer;
import org.jioth.Errno;
import org.jioth.jnet.tcp.TcpLayer;
import org.jioth.jnet.udp.UdpLayer;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip128;
import org.jioth.jnet.wire.Ipv6;

/**
 * ICMPv6 errors quoting one of our TCP or UDP datagrams, handed to the socket with Linux's errno
 * (icmpv6_err_convert): a packet too big sets a TCP connection's path MTU; the others reach TCP
 * as an unreachable (fatal only while connecting) and connected UDP sockets as a pending error.
 * Our datagrams carry no extension headers, so the quoted transport header follows the fixed one.
 */
public final class Icmp6ToTransports implements Icmp6Layer.TransportErrors {
    private final TcpLayer tcp;
    private final UdpLayer udp;

    public Icmp6ToTransports(TcpLayer tcp, UdpLayer udp) {
        this.tcp = tcp;
        this.udp = udp;
    }

    @Override
    public void error(int type, int code, int rest, ByteBuffer buf, int off, int len) {
        int q = off + Icmp6.HEADER;
        if (len - Icmp6.HEADER < Ipv6.HEADER + 8 || (buf.get(q) & 0xf0) != 0x60) {
            return;
        }
        int nh = buf.get(q + 6) & 0xff;
        int t = q + Ipv6.HEADER;
        long shi = Ip128.hi(buf, q + 8);
        long slo = Ip128.lo(buf, q + 8);
        long dhi = Ip128.hi(buf, q + 24);
        long dlo = Ip128.lo(buf, q + 24);
        int sport = buf.getShort(t) & 0xffff;
        int dport = buf.getShort(t + 2) & 0xffff;
        boolean tooBig = type == Icmp6.PACKET_TOO_BIG;
        int errno = errno(type, code).value();
        if (nh == Ipv6.TCP) {
            tcp.icmpError6(shi, slo, sport, dhi, dlo, dport, buf.getInt(t + 4), errno, tooBig ? Math.max(1, rest) : 0);
        } else if (nh == Ipv6.UDP && !tooBig) {
            udp.icmpError6(shi, slo, sport, dhi, dlo, dport, errno);
        }
    }

    /** Linux's icmpv6_err_convert. */
    static Errno errno(int type, int code) {
        return switch (type) {
            case Icmp6.PACKET_TOO_BIG -> Errno.EMSGSIZE;
            case Icmp6.DEST_UNREACHABLE -> switch (code) {
                case 0 -> Errno.ENETUNREACH;
                case 1 -> Errno.EACCES;
                case 4 -> Errno.ECONNREFUSED;
                default -> Errno.EHOSTUNREACH;
            };
            case Icmp6.PARAMETER_PROBLEM -> Errno.EPROTO;
            default -> Errno.EHOSTUNREACH;
        };
    }
}
