package org.jioth.cli;

import java.nio.ByteBuffer;

/** An ARP request and an ICMP echo request/reply between 192.168.250.1 and .2, with valid checksums. */
final class PingFrames {
    static final byte[] MAC1 = {2, 0, 0, 0, 0, 1};
    static final byte[] MAC2 = {2, 0, 0, 0, 0, 2};
    static final byte[] IP1 = {(byte) 192, (byte) 168, (byte) 250, 1};
    static final byte[] IP2 = {(byte) 192, (byte) 168, (byte) 250, 2};

    private PingFrames() {
    }

    static byte[] arpRequest() {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(MAC1).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(MAC1).put(IP1).put(new byte[6]).put(IP2);
        return b.array();
    }

    static byte[] echoRequest() {
        return icmp(MAC2, MAC1, IP1, IP2, 8);
    }

    static byte[] echoReply() {
        return icmp(MAC1, MAC2, IP2, IP1, 0);
    }

    private static byte[] icmp(byte[] dstMac, byte[] srcMac, byte[] src, byte[] dst, int type) {
        byte[] payload = "jioth ping payload 0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int icmpLength = 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + icmpLength);
        b.put(dstMac).put(srcMac).putShort((short) 0x0800);
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + icmpLength)).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 1).putShort((short) 0).put(src).put(dst);
        b.putShort(ip + 10, checksum(b.array(), ip, 20));
        int icmp = b.position();
        b.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) 0x4242).putShort((short) 1).put(payload);
        b.putShort(icmp + 2, checksum(b.array(), icmp, icmpLength));
        return b.array();
    }

    private static short checksum(byte[] a, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = a[off + i] & 0xff;
            int lo = i + 1 < len ? a[off + i + 1] & 0xff : 0;
            sum += hi << 8 | lo;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
