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
 * (icmpv6_err_convert): a packet too big gives a TCP connection the new path MTU (already checked
 * and recorded by {@link Icmp6Layer}); the others reach TCP as an unreachable (fatal only while
 * connecting) and connected UDP sockets as a pending error. One instance per transport protocol.
 */
public final class Icmp6ToTransports implements Icmp6Layer.TransportErrors {
    private final TcpLayer tcp;
    private final UdpLayer udp;

    private Icmp6ToTransports(TcpLayer tcp, UdpLayer udp) {
        this.tcp = tcp;
        this.udp = udp;
    }

    /** Wires both transports into {@code icmp6}. */
    public static void wire(Icmp6Layer icmp6, TcpLayer tcp, UdpLayer udp) {
        icmp6.setTransportErrors(Ipv6.TCP, new Icmp6ToTransports(tcp, null));
        icmp6.setTransportErrors(Ipv6.UDP, new Icmp6ToTransports(null, udp));
    }

    @Override
    public void icmpError(int type, int code, int info, byte[] local, byte[] remote, ByteBuffer quote, int at,
                          int length) {
        if (length < 8) {
            return; // ports (and TCP's sequence number) cut off
        }
        long shi = Ip128.hi(local);
        long slo = Ip128.lo(local);
        long dhi = Ip128.hi(remote);
        long dlo = Ip128.lo(remote);
        int sport = quote.getShort(at) & 0xffff;
        int dport = quote.getShort(at + 2) & 0xffff;
        boolean tooBig = type == Icmp6.PACKET_TOO_BIG;
        int errno = errno(type, code).value();
        if (tcp != null) {
            tcp.icmpError6(shi, slo, sport, dhi, dlo, dport, quote.getInt(at + 4), errno, tooBig ? Math.max(1, info) : 0);
        } else if (udp != null && !tooBig) {
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
