package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.jioth.jnet.wire.Arp;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Mac;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;

/**
 * A hostile peer on a raw switch port: crafts TCP segments and ICMP errors with valid checksums
 * for the stack at {@link #STACK_IP} and reads what the stack answers.
 */
final class WirePeer {
    static final long MAC = 0x02000000bbbbL;
    static final int IP = Frames.ip("10.2.0.99");
    static final int STACK_IP = Frames.ip("10.2.0.2");

    final TestNet.RawPort raw;
    private boolean arpAnswered;

    WirePeer(TestNet.RawPort raw) {
        this.raw = raw;
    }

    static byte[] segment(int sport, int dport, int seq, int ack, int flags, TcpOptions o, byte[] data) {
        int hl = Tcp.headerLength(o);
        ByteBuffer b = ByteBuffer.allocate(hl + data.length);
        b.put(hl, data);
        Tcp.emit(b, 0, sport, dport, seq, ack, flags, 65535, o, data.length, IP, STACK_IP);
        return b.array();
    }

    static TcpOptions mss(int v) {
        TcpOptions o = new TcpOptions();
        o.mss = v;
        return o;
    }

    void sendTcp(byte[] tcp) {
        sendIp(IP, Ipv4.PROTO_TCP, tcp);
    }

    void sendIp(int src, int proto, byte[] payload) {
        raw.send(Frames.ipv4(Mac.BROADCAST, MAC, src, STACK_IP, proto, 64, 1, 0, payload));
    }

    /** An ICMP error of {@code type}/{@code code} quoting {@code quoted} (an IP header and 8+ bytes). */
    void sendIcmpError(int type, int code, int rest, byte[] quoted) {
        ByteBuffer icmp = ByteBuffer.allocate(8 + quoted.length);
        Icmp4.emit(icmp, 0, type, code, rest);
        icmp.put(8, quoted);
        Icmp4.finish(icmp, 0, icmp.capacity());
        sendIp(IP, Ipv4.PROTO_ICMP, icmp.array());
    }

    /** The IP header and first 8 TCP bytes of a segment {@code t} the stack sent. */
    static byte[] quote(Tcp t) {
        byte[] q = new byte[28];
        t.buffer().get(14, q);
        return q;
    }

    /**
     * The next TCP segment from the stack to {@code dport} (answering ARP requests on the way),
     * or null when none comes within the wait.
     */
    Tcp poll(int dport) throws Exception {
        return poll(dport, TestNet.WAIT);
    }

    /** Like {@link #poll(int)} with a shorter wait (for "nothing was sent" after the loop synced). */
    Tcp poll(int dport, java.time.Duration wait) throws Exception {
        while (true) {
            byte[] f = raw.poll(x -> (x[12] & 0xff) == 0x08 && (x[13] == 6 || x.length > 34 && x[13] == 0
                    && x[23] == 6 && (ByteBuffer.wrap(x).getShort(14 + 20 + 2) & 0xffff) == dport), wait);
            if (f == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(f);
            if (f[13] == 6) {
                Arp arp = new Arp();
                arp.wrap(b, Ethernet.HEADER, f.length - Ethernet.HEADER);
                if (arp.operation() == Arp.REQUEST && arp.targetIp() == IP) {
                    raw.send(Frames.arpReply(MAC, IP, arp.senderMac(), arp.senderIp()));
                    arpAnswered = true;
                }
                continue;
            }
            Tcp t = new Tcp();
            assertThat(t.wrap(b, 34, (b.getShort(16) & 0xffff) - 20, STACK_IP, IP)).isEqualTo(Tcp.Check.OK);
            return t;
        }
    }

    Tcp next(int dport) throws Exception {
        Tcp t = poll(dport);
        assertThat(t).as("a segment to port " + dport).isNotNull();
        return t;
    }

    boolean arpAnswered() {
        return arpAnswered;
    }
}
