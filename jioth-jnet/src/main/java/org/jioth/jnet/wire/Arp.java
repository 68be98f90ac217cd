package org.jioth.jnet.wire;

import java.nio.ByteBuffer;

/** ARP for IPv4 over Ethernet (RFC 826): the only combination accepted. */
public final class Arp {
    public static final int LENGTH = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    private ByteBuffer buf;
    private int off;

    /** False unless this is an Ethernet/IPv4 request or reply of full length. */
    public boolean wrap(ByteBuffer b, int off, int len) {
        this.buf = b;
        this.off = off;
        if (len < LENGTH) {
            return false;
        }
        int op = operation();
        return (b.getShort(off) & 0xffff) == 1 && (b.getShort(off + 2) & 0xffff) == Ethernet.TYPE_IPV4
                && b.get(off + 4) == 6 && b.get(off + 5) == 4 && (op == REQUEST || op == REPLY);
    }

    public int operation() {
        return buf.getShort(off + 6) & 0xffff;
    }

    public long senderMac() {
        return Mac.get(buf, off + 8);
    }

    public int senderIp() {
        return buf.getInt(off + 14);
    }

    public long targetMac() {
        return Mac.get(buf, off + 18);
    }

    public int targetIp() {
        return buf.getInt(off + 24);
    }

    /** Writes a 28-byte packet at {@code off}. */
    public static void emit(ByteBuffer b, int off, int op, long sha, int spa, long tha, int tpa) {
        b.putShort(off, (short) 1);
        b.putShort(off + 2, (short) Ethernet.TYPE_IPV4);
        b.put(off + 4, (byte) 6);
        b.put(off + 5, (byte) 4);
        b.putShort(off + 6, (short) op);
        Mac.put(b, off + 8, sha);
        b.putInt(off + 14, spa);
        Mac.put(b, off + 18, tha);
        b.putInt(off + 24, tpa);
    }
}
