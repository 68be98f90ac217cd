package org.jioth.jnet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jioth.jnet.wire.Arp;
import org.jioth.jnet.wire.Checksum;
import org.jioth.jnet.wire.Ethernet;
import org.jioth.jnet.wire.Icmp4;
import org.jioth.jnet.wire.Ipv4;
import org.jioth.jnet.wire.Tcp;
import org.jioth.jnet.wire.TcpOptions;
import org.jioth.jnet.wire.Udp;

/**
 * Structure-aware frames for a victim stack, with valid checksums unless a case asks otherwise:
 * TCP segments from option templates (valid, odd and malformed options) aimed at the victim's
 * listeners and at connections it has open (sequence numbers near those it sent), ICMP errors
 * quoting its real segments, IPv4 fragment trains with gaps, overlaps and duplicates, ARP, UDP,
 * echo requests to unicast and broadcast addresses, and IP headers with options, martian
 * addresses and odd lengths. What the victim sends is fed back with {@link #observe}, so later
 * cases aim at its live connections. Not thread-safe: {@link #observe} runs on the victim's loop,
 * so it only records into a synchronized ring.
 */
final class WireFuzzer {
    static final int VICTIM = Frames.ip("10.9.0.1");
    static final int BROADCAST = Frames.ip("10.9.0.255");
    static final int FIRST_PEER = Frames.ip("10.9.0.100");
    static final int PEERS = 8;
    static final int FIRST_PORT = 40000;
    static final int PORTS = 16;
    /** The victim's ports: a listener that never accepts, an echo server, a UDP socket that never reads, closed ones. */
    static final int[] VICTIM_PORTS = {80, 7, 53, 9, 1};

    /** What the victim sent last: IP and TCP headers of its recent segments (to a fuzz peer). */
    private final byte[][] seen = new byte[64][];
    private int seenCount;
    /** IP and UDP headers of the victim's recent datagrams to fuzz peers. */
    private final byte[][] seenUdp = new byte[16][];
    private int seenUdpCount;
    private final List<byte[]> arpAnswers = new ArrayList<>();
    private final SplittableRandom r;
    private final long victimMac;
    private int ipId;
    private int tsClock = 1000;

    WireFuzzer(long seed, long victimMac) {
        this.r = new SplittableRandom(seed);
        this.victimMac = victimMac;
    }

    static long peerMac(int ip) {
        return 0x020000f00000L | (ip & 0xff);
    }

    static boolean isPeer(int ip) {
        return ip - FIRST_PEER >= 0 && ip - FIRST_PEER < PEERS;
    }

    // ---------------------------------------------------------------- feedback (victim's loop thread)

    /** A frame the victim sent: remember its TCP segments to fuzz peers, answer its ARP requests for them. */
    void observe(ByteBuffer f) {
        int p = f.position();
        int len = f.remaining();
        if (len < 42) {
            return;
        }
        int type = f.getShort(p + 12) & 0xffff;
        if (type == Ethernet.TYPE_ARP) {
            int op = f.getShort(p + 20) & 0xffff;
            int target = f.getInt(p + 38);
            if (op == Arp.REQUEST && isPeer(target)) {
                synchronized (arpAnswers) {
                    if (arpAnswers.size() < 64) {
                        arpAnswers.add(Frames.arpReply(peerMac(target), target, victimMac, VICTIM));
                    }
                }
            }
            return;
        }
        if (type != Ethernet.TYPE_IPV4 || (f.get(p + 14) & 0xff) != 0x45 || !isPeer(f.getInt(p + 30))) {
            return;
        }
        if ((f.get(p + 23) & 0xff) == Ipv4.PROTO_UDP) {
            byte[] h = new byte[28];
            f.get(p + 14, h);
            synchronized (seenUdp) {
                seenUdp[seenUdpCount++ % seenUdp.length] = h;
            }
            return;
        }
        if (len < 54 || (f.get(p + 23) & 0xff) != Ipv4.PROTO_TCP) {
            return;
        }
        byte[] h = new byte[Math.min(len - 14, 60 + 20)];
        f.get(p + 14, h);
        synchronized (seen) {
            seen[seenCount++ % seen.length] = h;
        }
    }

    /** ARP replies owed to the victim (drained by the driver). */
    List<byte[]> takeArpAnswers() {
        synchronized (arpAnswers) {
            List<byte[]> l = new ArrayList<>(arpAnswers);
            arpAnswers.clear();
            return l;
        }
    }

    private byte[] recent() {
        synchronized (seen) {
            int n = Math.min(seenCount, seen.length);
            return n == 0 ? null : seen[(seenCount - 1 - r.nextInt(n)) % seen.length];
        }
    }

    // ---------------------------------------------------------------- cases

    /** The frames of the next case (usually one; a fragment train gives several). */
    List<byte[]> next() {
        List<byte[]> out = new ArrayList<>(1);
        int k = r.nextInt(100);
        if (k < 40) {
            out.add(tcp());
        } else if (k < 52) {
            out.add(icmpError());
        } else if (k < 57) {
            out.add(echo());
        } else if (k < 70) {
            fragments(out);
        } else if (k < 76) {
            out.add(udp());
        } else if (k < 86) {
            out.add(arp());
        } else {
            out.add(oddIp());
        }
        if (!out.isEmpty() && r.nextInt(100) < 3) { // a few corrupted bytes: checksums and lengths go wrong too
            byte[] f = out.get(out.size() - 1);
            for (int i = r.nextInt(1, 4); i > 0 && f.length > 14; i--) {
                f[r.nextInt(14, f.length)] ^= (byte) r.nextInt(1, 256);
            }
        }
        return out;
    }

    private int peer() {
        return FIRST_PEER + r.nextInt(PEERS);
    }

    private int peerPort() {
        return FIRST_PORT + r.nextInt(PORTS);
    }

    private int victimPort() {
        return VICTIM_PORTS[r.nextInt(VICTIM_PORTS.length)];
    }

    private long dstMac() {
        return r.nextInt(20) == 0 ? 0xffffffffffffL : victimMac;
    }

    private byte[] frame(int src, int dst, int proto, int flagsOffset, byte[] payload) {
        return frame(src, dst, proto, flagsOffset, 64, payload);
    }

    private byte[] frame(int src, int dst, int proto, int flagsOffset, int ttl, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(60, 34 + payload.length));
        Ethernet.emit(b, 0, dst == BROADCAST || dst == -1 ? 0xffffffffffffL : dstMac(), peerMac(src), Ethernet.TYPE_IPV4);
        Ipv4.emit(b, 14, 0, 20 + payload.length, ipId++ & 0xffff, flagsOffset, ttl, proto, src, dst);
        b.put(34, payload);
        return b.array();
    }

    // ---------------------------------------------------------------- TCP

    private byte[] tcp() {
        byte[] h = r.nextInt(100) < 60 ? recent() : null;
        int src;
        int sport;
        int dport;
        int seq;
        int ack;
        int tsEcr = r.nextInt();
        if (h != null) {
            int ihl = (h[0] & 0xf) * 4;
            ByteBuffer v = ByteBuffer.wrap(h);
            src = v.getInt(16);
            dport = v.getShort(ihl) & 0xffff;
            sport = v.getShort(ihl + 2) & 0xffff;
            int vseq = v.getInt(ihl + 4);
            int vack = v.getInt(ihl + 8);
            int total = v.getShort(2) & 0xffff;
            int thl = ihl + 12 < h.length ? ((h[ihl + 12] >> 4) & 0xf) * 4 : 20;
            int vlen = Math.max(0, total - ihl - thl) + ((h[ihl + 13] & (Tcp.SYN | Tcp.FIN)) != 0 ? 1 : 0);
            seq = vack + near();
            ack = vseq + vlen + near();
            tsEcr = timestampOf(v, ihl, thl, tsEcr);
        } else {
            src = peer();
            sport = peerPort();
            dport = victimPort();
            seq = r.nextInt(10) == 0 ? 0 : r.nextInt();
            ack = r.nextInt();
        }
        int flags = flags();
        byte[] opts = options(flags, ack, tsEcr);
        byte[] data = new byte[(flags & Tcp.SYN) == 0 && r.nextBoolean() ? r.nextInt(0, 1400) : r.nextInt(4) == 0 ? 8 : 0];
        r.nextBytes(data);
        int window = r.nextInt(8) == 0 ? r.nextInt(0, 3) : r.nextInt(65536);
        return frame(src, VICTIM, Ipv4.PROTO_TCP, r.nextInt(4) == 0 ? Ipv4.FLAG_DF : 0,
                tcpSegment(src, VICTIM, sport, dport, seq, ack, flags, window, opts, data));
    }

    /** The TSval in a victim segment's timestamp option, else {@code otherwise}. */
    private static int timestampOf(ByteBuffer v, int ihl, int thl, int otherwise) {
        TcpOptions o = new TcpOptions();
        int optLen = Math.min(thl - 20, v.capacity() - ihl - 20);
        if (optLen > 0 && o.parse(v, ihl + 20, optLen) && o.timestamps) {
            return o.tsVal;
        }
        return otherwise;
    }

    private int near() {
        return switch (r.nextInt(6)) {
            case 0, 1 -> 0;
            case 2 -> r.nextInt(-3, 4);
            case 3 -> r.nextInt(-2000, 70_000);
            case 4 -> r.nextInt(-1_000_000, 1_000_000);
            default -> r.nextInt();
        };
    }

    private int flags() {
        int[] common = {Tcp.SYN, Tcp.ACK, Tcp.ACK | Tcp.PSH, Tcp.SYN | Tcp.ACK, Tcp.RST, Tcp.RST | Tcp.ACK,
            Tcp.FIN | Tcp.ACK, Tcp.FIN, 0, Tcp.SYN | Tcp.FIN, Tcp.ACK | Tcp.URG};
        return r.nextInt(10) == 0 ? r.nextInt(256) : common[r.nextInt(common.length)];
    }

    /** Option bytes: a valid template, an odd one, or garbage; a multiple of 4, at most 40. */
    private byte[] options(int flags, int victimSeq, int tsEcr) {
        int k = r.nextInt(10);
        if (k < 2) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate(40);
        int n;
        if (k < 7) {
            TcpOptions o = new TcpOptions();
            o.mss = r.nextInt(4) == 0 ? new int[] {0, 1, 64, 536, 65535}[r.nextInt(5)] : (r.nextBoolean() ? 1460 : -1);
            o.windowScale = r.nextBoolean() ? r.nextInt(0, 20) : -1;
            o.sackPermitted = r.nextBoolean();
            if (r.nextBoolean()) {
                o.timestamps = true;
                o.tsVal = r.nextInt(8) == 0 ? r.nextInt() : (tsClock += r.nextInt(0, 50));
                o.tsEcr = r.nextInt(4) == 0 ? r.nextInt() : tsEcr;
            }
            if ((flags & Tcp.SYN) == 0 && r.nextBoolean()) {
                for (int i = r.nextInt(1, 5); i > 0; i--) {
                    int left = victimSeq + r.nextInt(-5000, 100_000);
                    o.addSack(left, left + r.nextInt(-10, 3000));
                }
            }
            n = o.emit(b, 0);
        } else if (k < 9) {
            // known kinds with odd lengths, EOL and NOP runs, zero or overlong lengths
            n = 4 * r.nextInt(1, 11);
            for (int p = 0; p < n; ) {
                int kind = new int[] {0, 1, 2, 3, 4, 5, 8, 30, 34, 254}[r.nextInt(10)];
                b.put(p++, (byte) kind);
                if (p < n && kind > 1) {
                    int olen = r.nextInt(5) == 0 ? r.nextInt(0, 3) : r.nextInt(2, 14);
                    b.put(p++, (byte) olen);
                    for (int i = 2; i < olen && p < n; i++) {
                        b.put(p++, (byte) r.nextInt(256));
                    }
                }
            }
        } else {
            n = 4 * r.nextInt(1, 11);
            byte[] junk = new byte[n];
            r.nextBytes(junk);
            b.put(0, junk);
        }
        n = Math.min(40, (n + 3) & ~3);
        byte[] out = new byte[n];
        b.get(0, out);
        return out;
    }

    /** A TCP segment with raw option bytes and a valid checksum. */
    static byte[] tcpSegment(int src, int dst, int sport, int dport, int seq, int ack, int flags, int window,
            byte[] opts, byte[] data) {
        int hl = Tcp.HEADER + opts.length;
        int len = hl + data.length;
        ByteBuffer b = ByteBuffer.allocate(len);
        Tcp.emit(b, 0, sport, dport, seq, ack, flags, window, null, 0, src, dst);
        b.put(12, (byte) ((hl / 4) << 4));
        b.put(Tcp.HEADER, opts);
        b.put(hl, data);
        b.putShort(16, (short) 0);
        b.putShort(16, (short) Checksum.finish(Checksum.add(b, 0, len, Checksum.pseudoHeader(src, dst, 6, len))));
        return b.array();
    }

    // ---------------------------------------------------------------- ICMP

    private byte[] icmpError() {
        byte[] h = recent();
        byte[] u;
        synchronized (seenUdp) {
            int n = Math.min(seenUdpCount, seenUdp.length);
            u = n == 0 ? null : seenUdp[(seenUdpCount - 1 - r.nextInt(n)) % seenUdp.length];
        }
        byte[] quote;
        if (u != null && r.nextInt(5) == 0) {
            quote = u.clone(); // one of the victim's own UDP datagrams: port unreachable and the like
        } else if (h != null && r.nextInt(10) < 8) {
            int ihl = (h[0] & 0xf) * 4;
            int keep = Math.min(h.length, ihl + (r.nextInt(4) == 0 ? r.nextInt(0, 9) : 8 + r.nextInt(0, 12)));
            quote = java.util.Arrays.copyOf(h, keep);
            if (keep >= ihl + 8 && r.nextBoolean()) {
                ByteBuffer q = ByteBuffer.wrap(quote);
                q.putInt(ihl + 4, q.getInt(ihl + 4) + near()); // the quoted sequence number, in flight or not
            }
        } else {
            // a quote of a datagram the victim may or may not have sent: UDP, ICMP echo, TCP
            int proto = new int[] {Ipv4.PROTO_UDP, Ipv4.PROTO_ICMP, Ipv4.PROTO_TCP, r.nextInt(256)}[r.nextInt(4)];
            ByteBuffer q = ByteBuffer.allocate(28);
            Ipv4.emit(q, 0, 0, 20 + r.nextInt(0, 1500), r.nextInt(65536), r.nextInt(4) == 0 ? r.nextInt(65536) : 0,
                    64, proto, r.nextInt(8) == 0 ? r.nextInt() : VICTIM, peer());
            q.putShort(20, (short) victimPort());
            q.putShort(22, (short) peerPort());
            q.putInt(24, r.nextInt());
            if (proto == Ipv4.PROTO_ICMP) {
                q.put(20, (byte) Icmp4.ECHO_REQUEST);
            }
            quote = q.array();
        }
        int type = new int[] {Icmp4.DEST_UNREACHABLE, Icmp4.DEST_UNREACHABLE, Icmp4.TIME_EXCEEDED, 4, 5,
            Icmp4.PARAMETER_PROBLEM, r.nextInt(256)}[r.nextInt(7)];
        int code = type == Icmp4.DEST_UNREACHABLE ? (r.nextBoolean() ? Icmp4.CODE_FRAGMENTATION_NEEDED : r.nextInt(16))
                : r.nextInt(4);
        int mtu = new int[] {0, 68, 100, 551, 552, 576, 1000, 1280, 1500, 9000, r.nextInt(65536)}[r.nextInt(11)];
        ByteBuffer icmp = ByteBuffer.allocate(8 + quote.length);
        Icmp4.emit(icmp, 0, type, code, mtu);
        icmp.put(8, quote);
        Icmp4.finish(icmp, 0, icmp.capacity());
        int src = r.nextInt(4) == 0 ? Frames.ip("10.9.0.254") : peer();
        return frame(src, VICTIM, Ipv4.PROTO_ICMP, 0, icmp.array());
    }

    private byte[] echo() {
        byte[] e = Frames.echoRequest(r.nextInt(65536), r.nextInt(65536), r.nextInt(0, 1400));
        int dst = new int[] {VICTIM, VICTIM, BROADCAST, -1}[r.nextInt(4)];
        return frame(peer(), dst, Ipv4.PROTO_ICMP, 0, e);
    }

    // ---------------------------------------------------------------- IPv4 fragments

    /** A datagram cut into fragments, some lost, duplicated, overlapping or out of order. */
    private void fragments(List<byte[]> out) {
        int src = peer();
        int proto = new int[] {Ipv4.PROTO_UDP, Ipv4.PROTO_ICMP, Ipv4.PROTO_TCP}[r.nextInt(3)];
        int size = r.nextInt(8) == 0 ? r.nextInt(0, 65000) : r.nextInt(8, 4000);
        byte[] payload;
        if (proto == Ipv4.PROTO_UDP) {
            payload = Frames.udp(src, VICTIM, peerPort(), r.nextBoolean() ? 53 : 9, new byte[Math.max(0, size - 8)]);
        } else if (proto == Ipv4.PROTO_ICMP) {
            payload = Frames.echoRequest(1, 1, Math.max(0, size - 8));
        } else {
            payload = tcpSegment(src, VICTIM, peerPort(), 80, r.nextInt(), 0, Tcp.SYN, 1000, new byte[0],
                    new byte[Math.max(0, size - 20)]);
        }
        int id = r.nextInt(8); // few ids: trains collide and mix
        List<int[]> pieces = new ArrayList<>();
        int off = 0;
        while (off < payload.length || pieces.isEmpty()) {
            int len = Math.min(payload.length - off, 8 * r.nextInt(1, 180));
            pieces.add(new int[] {off, len});
            off += Math.max(len, 8);
        }
        int n = pieces.size();
        for (int i = 0; i < n && out.size() < 64; i++) {
            int[] p = pieces.get(r.nextInt(5) == 0 ? r.nextInt(n) : i);
            int start = p[0];
            int len = p[1];
            if (r.nextInt(10) == 0) { // overlap or shift
                start = Math.clamp(start + 8L * r.nextInt(-4, 5), 0, payload.length & ~7);
                len = Math.max(0, Math.min(payload.length - start, len + 8 * r.nextInt(-2, 3)));
            }
            if (r.nextInt(20) == 0) {
                continue; // lost
            }
            boolean more = start + len < payload.length || r.nextInt(30) == 0;
            byte[] piece = java.util.Arrays.copyOfRange(payload, start, start + len);
            byte[] f = frame(src, VICTIM, proto, (more ? Ipv4.FLAG_MF : 0) | (start / 8 & 0x1fff), piece);
            fixId(f, id);
            out.add(f);
        }
    }

    /** Gives a fragment the train's IP id (few ids, so trains of one peer collide), checksum fixed. */
    private static void fixId(byte[] frame, int id) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        b.putShort(18, (short) (0x7700 + id));
        b.putShort(24, (short) 0);
        b.putShort(24, (short) Checksum.of(b, 14, 20));
    }

    // ---------------------------------------------------------------- UDP, ARP, odd IP

    private byte[] udp() {
        int src = peer();
        byte[] data = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(0, 1400)];
        r.nextBytes(data);
        int dst = r.nextInt(8) == 0 ? BROADCAST : VICTIM;
        return frame(src, dst, Ipv4.PROTO_UDP, 0, Frames.udp(src, dst, peerPort(), r.nextBoolean() ? 53 : victimPort(), data));
    }

    private byte[] arp() {
        ByteBuffer b = ByteBuffer.allocate(60);
        int spa = switch (r.nextInt(6)) {
            case 0 -> VICTIM;          // someone claims our address
            case 1 -> r.nextInt();     // from anywhere
            case 2 -> 0;               // probe
            default -> peer();
        };
        long sha = r.nextInt(8) == 0 ? (r.nextLong() & 0xffffffffffffL) : peerMac(spa);
        int tpa = r.nextInt(4) == 0 ? r.nextInt() : VICTIM;
        Ethernet.emit(b, 0, r.nextBoolean() ? 0xffffffffffffL : victimMac, sha, Ethernet.TYPE_ARP);
        Arp.emit(b, 14, r.nextBoolean() ? Arp.REQUEST : r.nextInt(8) == 0 ? r.nextInt(65536) : Arp.REPLY, sha, spa,
                r.nextBoolean() ? 0 : victimMac, tpa);
        if (r.nextInt(10) == 0) {
            b.put(14 + r.nextInt(0, 8), (byte) r.nextInt(256)); // hardware/protocol type or lengths
        }
        byte[] f = b.array();
        return r.nextInt(10) == 0 ? java.util.Arrays.copyOf(f, r.nextInt(14, 60)) : f;
    }

    private byte[] oddIp() {
        int src = switch (r.nextInt(8)) {
            case 0 -> Frames.ip("127.0.0.1");
            case 1 -> Frames.ip("224.0.0.1");
            case 2 -> -1;
            case 3 -> BROADCAST;
            case 4 -> 0;
            case 5 -> VICTIM;
            default -> peer();
        };
        int dst = switch (r.nextInt(6)) {
            case 0 -> Frames.ip("10.9.0.77"); // another host: not forwarded
            case 1 -> Frames.ip("224.0.0.251");
            case 2 -> BROADCAST;
            case 3 -> Frames.ip("127.0.0.1");
            default -> VICTIM;
        };
        byte[] payload = new byte[r.nextInt(0, 200)];
        r.nextBytes(payload);
        int proto = r.nextInt(4) == 0 ? r.nextInt(256) : new int[] {1, 6, 17}[r.nextInt(3)];
        byte[] f = frame(src, dst, proto, r.nextInt(4) == 0 ? r.nextInt(65536) : 0, r.nextInt(4) == 0 ? r.nextInt(3) : 64,
                payload);
        ByteBuffer b = ByteBuffer.wrap(f);
        switch (r.nextInt(4)) {
            case 0 -> { // IP options: a longer header, checksum fixed
                int ihl = r.nextInt(6, 16);
                if (payload.length >= (ihl - 5) * 4) {
                    b.put(14, (byte) (0x40 | ihl));
                    b.putShort(24, (short) 0);
                    b.putShort(24, (short) Checksum.of(b, 14, ihl * 4));
                }
            }
            case 1 -> { // total length shorter or longer than the frame, checksum fixed
                b.putShort(16, (short) r.nextInt(0, 400));
                b.putShort(24, (short) 0);
                b.putShort(24, (short) Checksum.of(b, 14, 20));
            }
            default -> { }
        }
        return f;
    }
}
