package org.jioth.jnet.tcp;

import java.util.random.RandomGenerator;
import org.jioth.jnet.ip.SipHash;

/**
 * SYN cookies (RFC 4987 3.6): when a listener's SYN queue is full its SYN-ACK carries an ISN that
 * encodes everything needed to accept the final ACK without keeping state.
 *
 * <p>The ISN: the low 5 bits of a 64-second counter, 24 bits of a keyed MAC, 3 bits indexing an
 * MSS table. A cookie is accepted in the period it was made and the next one only: the 5 bits
 * pick one of those two, and the MAC covers the full counter, so a captured handshake ACK is not
 * accepted again when the 5 bits wrap around (every 2048 s). When the SYN carried timestamps (and we use them), the peer's window scale (4 bits, 15
 * meaning "none") and SACK-permitted (1 bit) travel in the low 5 bits of our SYN-ACK's TSval and
 * come back in the ACK's TSecr, as Linux does. Without timestamps a cookie remembers only the MSS.
 *
 * <p>The MAC covers the 4-tuple, the client's ISN, the full counter, the MSS index, whether the
 * handshake uses timestamps and the 5 option bits. So an ACK cannot claim other options than
 * those its SYN-ACK carried: flipping TSecr bits, adding timestamps to an ACK whose SYN had none,
 * or dropping them from one whose SYN had them, all break the MAC like a forged cookie does.
 * (The options are the peer's own, so a liar could only hurt itself, but binding them costs
 * nothing and keeps a cookie connection exactly what the SYN-ACK promised.)
 */
public final class SynCookies {
    static final int[] MSS_TABLE = {536, 1220, 1300, 1380, 1440, 1460, 4312, 8960};
    /** The TSval bits that carry the options. */
    public static final int TS_OPTION_MASK = 31;
    /** {@code tsOptions} of a handshake without timestamps: the cookie is MSS-only. */
    public static final int NO_TIMESTAMPS = -1;
    private static final int NO_WSCALE = 15;
    private static final int SACK_BIT = 16;
    static final long PERIOD_NANOS = 64_000_000_000L;
    private final SipHash mac;

    public SynCookies(RandomGenerator random) {
        this.mac = new SipHash(random.nextLong(), random.nextLong());
    }

    /** The 5 option bits for a peer window scale ({@code -1}: none) and SACK-permitted. */
    public static int encodeOptions(int peerWindowScale, boolean sackPermitted) {
        int ws = peerWindowScale < 0 ? NO_WSCALE : Math.min(peerWindowScale, 14);
        return ws | (sackPermitted ? SACK_BIT : 0);
    }

    /** The peer's window scale in option bits, -1 for none. */
    public static int windowScale(int options) {
        int ws = options & NO_WSCALE;
        return ws == NO_WSCALE ? -1 : ws;
    }

    public static boolean sackPermitted(int options) {
        return (options & SACK_BIT) != 0;
    }

    /**
     * Our SYN-ACK's TSval: the timestamp clock with its low 5 bits replaced by the options, moved
     * back by 32 when that would put it ahead of the clock. So it is never later than the clock,
     * and every TSval the connection sends afterwards (the plain clock) is at least as large: the
     * peer's PAWS never sees our timestamps go backwards. The price is a TSval up to 31 ms old,
     * harmless for PAWS and a clock of 1 ms ticks.
     */
    public static int timestamp(int clock, int options) {
        int ts = (clock & ~TS_OPTION_MASK) | options;
        return ts - clock > 0 ? ts - (TS_OPTION_MASK + 1) : ts;
    }

    /**
     * The cookie ISN for a SYN with sequence {@code clientIsn} offering {@code mss}, with
     * {@code tsOptions} the option bits when the handshake uses timestamps or {@link #NO_TIMESTAMPS}.
     */
    public int make(int laddr, int lport, int raddr, int rport, int clientIsn, int mss, int tsOptions, long nanos) {
        return make(((long) laddr << 32) | (raddr & 0xffffffffL), lport, rport, clientIsn, mss, tsOptions, nanos);
    }

    /** {@link #make(int, int, int, int, int, int, int, long)} for a tuple of either family. */
    int make(FourTuple t, int clientIsn, int mss, int tsOptions, long nanos) {
        return make(t.addressWord(mac), t.localPort, t.remotePort, clientIsn, mss, tsOptions, nanos);
    }

    private int make(long addresses, int lport, int rport, int clientIsn, int mss, int tsOptions, long nanos) {
        long period = nanos / PERIOD_NANOS;
        int idx = 0;
        for (int i = MSS_TABLE.length - 1; i >= 0; i--) {
            if (MSS_TABLE[i] <= mss) {
                idx = i;
                break;
            }
        }
        int counter = (int) period & 31;
        return counter << 27 | (mac(addresses, lport, rport, clientIsn, period, idx, tsOptions) & 0xffffff) << 3 | idx;
    }

    /**
     * Checks the ACK completing a cookie handshake ({@code seq} and {@code ack} of that ACK;
     * {@code tsOptions} the low bits of its TSecr, or {@link #NO_TIMESTAMPS} when it has none):
     * the MSS the cookie encodes, or -1 when it is not ours, older than two periods, or its
     * options differ from those the SYN-ACK carried.
     */
    public int check(int laddr, int lport, int raddr, int rport, int seq, int ack, int tsOptions, long nanos) {
        return check(((long) laddr << 32) | (raddr & 0xffffffffL), lport, rport, seq, ack, tsOptions, nanos);
    }

    /** {@link #check(int, int, int, int, int, int, int, long)} for a tuple of either family. */
    int check(FourTuple t, int seq, int ack, int tsOptions, long nanos) {
        return check(t.addressWord(mac), t.localPort, t.remotePort, seq, ack, tsOptions, nanos);
    }

    private int check(long addresses, int lport, int rport, int seq, int ack, int tsOptions, long nanos) {
        int cookie = ack - 1;
        long now = nanos / PERIOD_NANOS;
        // the 5 counter bits only tell which of the two live periods the cookie claims; the MAC
        // checks that claim against the full period, so a cookie never comes back 32 periods later
        int age = (int) (now - (cookie >>> 27)) & 31;
        if (age > 1) {
            return -1;
        }
        int idx = cookie & 7;
        int expect = mac(addresses, lport, rport, seq - 1, now - age, idx, tsOptions) & 0xffffff;
        if (((cookie >>> 3) & 0xffffff) != expect) {
            return -1;
        }
        return MSS_TABLE[idx];
    }

    private int mac(long m0, int lport, int rport, int clientIsn, long period, int mssIndex, int tsOptions) {
        long m1 = ((long) lport << 48) | ((long) rport << 32) | (clientIsn & 0xffffffffL);
        long ts = tsOptions == NO_TIMESTAMPS ? 0 : 1L << 5 | (tsOptions & TS_OPTION_MASK);
        long m2 = period << 16 | (long) mssIndex << 8 | ts;
        return (int) mac.hash(m0, m1, m2);
    }
}
