package org.jioth.jnet.tcp;

import java.util.random.RandomGenerator;

/**
 * SYN cookies (RFC 4987 3.6): when a listener's SYN queue is full its SYN-ACK carries an ISN that
 * encodes everything needed to accept the final ACK without keeping state. Layout of the ISN:
 * 5 bits of a 64-second counter, 24 bits of a keyed hash of the 4-tuple, counter and client ISN,
 * 3 bits indexing an MSS table (covered by the hash too). Window scaling, SACK and timestamps are not remembered: a
 * connection accepted from a cookie runs without them.
 */
public final class SynCookies {
    static final int[] MSS_TABLE = {536, 1220, 1300, 1380, 1440, 1460, 4312, 8960};
    private static final long PERIOD_NANOS = 64_000_000_000L;
    private final SipHash hash;

    public SynCookies(RandomGenerator random) {
        this.hash = new SipHash(random.nextLong(), random.nextLong());
    }

    /** The cookie ISN for a SYN with sequence {@code clientIsn} offering {@code mss} (0: none). */
    public int make(int laddr, int lport, int raddr, int rport, int clientIsn, int mss, long nanos) {
        int counter = (int) (nanos / PERIOD_NANOS) & 31;
        int idx = 0;
        for (int i = MSS_TABLE.length - 1; i >= 0; i--) {
            if (MSS_TABLE[i] <= mss) {
                idx = i;
                break;
            }
        }
        return counter << 27 | (h(laddr, lport, raddr, rport, clientIsn, counter << 3 | idx) & 0xffffff) << 3 | idx;
    }

    /**
     * Checks the ACK completing a cookie handshake ({@code seq} and {@code ack} of that ACK):
     * the MSS the cookie encodes, or -1 when it is not ours or older than two periods.
     */
    public int check(int laddr, int lport, int raddr, int rport, int seq, int ack, long nanos) {
        int cookie = ack - 1;
        int counter = cookie >>> 27;
        int now = (int) (nanos / PERIOD_NANOS) & 31;
        if (((now - counter) & 31) > 1) {
            return -1;
        }
        int expect = h(laddr, lport, raddr, rport, seq - 1, counter << 3 | (cookie & 7)) & 0xffffff;
        if (((cookie >>> 3) & 0xffffff) != expect) {
            return -1;
        }
        return MSS_TABLE[cookie & 7];
    }

    private int h(int laddr, int lport, int raddr, int rport, int clientIsn, int counterAndMss) {
        long m0 = ((long) laddr << 32) | (raddr & 0xffffffffL);
        long m1 = ((long) lport << 48) | ((long) rport << 32) | (clientIsn & 0xffffffffL);
        return (int) hash.hash(m0 ^ ((long) counterAndMss << 56), m1);
    }
}
