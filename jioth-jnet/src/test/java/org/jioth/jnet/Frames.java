package org.jioth.jnet;

import java.nio.ByteBuffer;
import org.jioth.jnet.wire.Arp;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ip4;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Mac;
import org.jioth.jnet.wire.Udp;

/** Crafted frames for tests, built with the wire codecs. */
final class Frames {
    private Frames() {
    }

    static int ip(String dotted) {
        return Ip4.parse(dotted);
    }

    static long mac(byte[] frame, int off) {
        return Mac.get(ByteBuffer.wrap(frame), off);
    }

    static byte[] arpReply(long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(60);
        Ethernet.emit(b, 0, tha, sha, Ethernet.TYPE_ARP);
        Arp.emit(b, 14, Arp.REPLY, sha, spa, tha, tpa);
        return b.array();
    }

    static byte[] arpRequest(long sha, int spa, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(60);
        Ethernet.emit(b, 0, Mac.BROADCAST, sha, Ethernet.TYPE_ARP);
        Arp.emit(b, 14, Arp.REQUEST, sha, spa, 0, tpa);
        return b.array();
    }

    /** An IPv4 frame with {@code payload} after a 20-byte header. */
    static byte[] ipv4(long dstMac, long srcMac, int src, int dst, int proto, int ttl, int id, int flagsOffset,
                       byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(60, 34 + payload.length));
        Ethernet.emit(b, 0, dstMac, srcMac, Ethernet.TYPE_IPV4);
        Ipv4.emit(b, 14, 0, 20 + payload.length, id, flagsOffset, ttl, proto, src, dst);
        b.put(34, payload);
        return b.array();
    }

    static byte[] udp(int src, int dst, int sport, int dport, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put(8, data);
        Udp.emit(b, 0, sport, dport, 8 + data.length, src, dst);
        return b.array();
    }

    static byte[] echoRequest(int id, int seq, int size) {
        ByteBuffer b = ByteBuffer.allocate(8 + size);
        Icmp4.emit(b, 0, Icmp4.ECHO_REQUEST, 0, id << 16 | seq);
        Icmp4.finish(b, 0, 8 + size);
        return b.array();
    }

    static boolean isIcmp(byte[] f, int type) {
        return f.length >= 35 && (f[12] & 0xff) == 0x08 && f[13] == 0 && f[23] == 1
                && (f[14 + (f[14] & 0xf) * 4] & 0xff) == type;
    }
}
