package org.jioth.jnet;

import java.nio.ByteBuffer;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Icmp6;
import org.jioth.jnet.wire.Ip6;
import org.jioth.jnet.wire.Ipv6;
import org.jioth.jnet.wire.Mac;

/** Crafted IPv6 frames for tests: extension headers given as raw bytes before the ICMPv6 message. */
final class Frames6 {
    private Frames6() {
    }

    /** An Ethernet frame with an IPv6 datagram: {@code ext} (raw extension headers, first next header {@code firstNh}) then an ICMPv6 message. */
    static byte[] icmp6(long dstMac, long srcMac, byte[] src, byte[] dst, int hopLimit, int firstNh, byte[] ext,
                        int type, int code, int rest, byte[] body) {
        int icmpLen = Icmp6.HEADER + body.length;
        int payload = ext.length + icmpLen;
        ByteBuffer b = ByteBuffer.allocate(Ethernet.HEADER + Ipv6.HEADER + payload);
        Ethernet.emit(b, 0, dstMac, srcMac, Ethernet.TYPE_IPV6);
        int ip = Ethernet.HEADER;
        Ipv6.emit(b, ip, 0, 0, payload, ext.length == 0 ? Ipv6.ICMPV6 : firstNh, hopLimit, src, dst);
        b.put(ip + Ipv6.HEADER, ext);
        int at = ip + Ipv6.HEADER + ext.length;
        Icmp6.emit(b, at, type, code, rest);
        b.put(at + Icmp6.HEADER, body);
        Icmp6.finish(b, ip, at, icmpLen);
        return b.array();
    }

    static byte[] icmp6(long dstMac, long srcMac, byte[] src, byte[] dst, int hopLimit, int type, int rest, byte[] body) {
        return icmp6(dstMac, srcMac, src, dst, hopLimit, 0, new byte[0], type, 0, rest, body);
    }

    /** The body of an NS or NA: target, then a link-layer address option of {@code optType} (1 source, 2 target) unless mac < 0. */
    static byte[] nd(byte[] target, int optType, long mac) {
        ByteBuffer b = ByteBuffer.allocate(mac < 0 ? 16 : 24);
        b.put(0, target);
        if (mac >= 0) {
            b.put(16, (byte) optType);
            b.put(17, (byte) 1);
            Mac.put(b, 18, mac);
        }
        return b.array();
    }

    /** An Ethernet frame with an IPv6 datagram carrying {@code payload} under next header {@code nh}. */
    static byte[] ipv6(long dstMac, long srcMac, byte[] src, byte[] dst, int nh, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(Ethernet.HEADER + Ipv6.HEADER + payload.length);
        Ethernet.emit(b, 0, dstMac, srcMac, Ethernet.TYPE_IPV6);
        Ipv6.emit(b, Ethernet.HEADER, 0, 0, payload.length, nh, 64, src, dst);
        b.put(Ethernet.HEADER + Ipv6.HEADER, payload);
        return b.array();
    }

    static long solicitedMac(byte[] a) {
        return Ip6.multicastMac(Ip6.solicitedNode(a));
    }

    static boolean isIcmp6(byte[] f, int type) {
        return f.length >= 62 && (f[12] & 0xff) == 0x86 && (f[13] & 0xff) == 0xdd && (f[20] & 0xff) == Ipv6.ICMPV6
                && (f[54] & 0xff) == type;
    }
}
