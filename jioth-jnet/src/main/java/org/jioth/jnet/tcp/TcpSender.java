package org.jioth.jnet.tcp;

import org.jioth.jnet.wire.SeqNum;

/**
 * The send sequence space of one connection (RFC 9293 3.3.1): SND.UNA/NXT/MAX, the peer's
 * window, the MSS in force, FIN bookkeeping and the RTT timing of one segment (Karn), and the
 * mapping between sequence numbers and send-buffer offsets. Loop-owned state of
 * {@link TcpConnection}; no I/O.
 */
final class TcpSender {
    static final int DEFAULT_PEER_MSS = 536;

    private final SendBuffer buffer;
    int iss;
    int una;
    int nxt;
    /** The highest sequence number sent (SND.NXT moves back on go-back-N, this does not). */
    int max;
    int wnd;
    int wl1;
    int wl2;
    int maxWnd;
    /** Sequence number of the send buffer's head byte. */
    int headSeq;
    /** Shift applied to the peer's window field. */
    int wscale;
    int smss = DEFAULT_PEER_MSS;
    /** The SMSS of the handshake, which a reduced path MSS returns to when it expires. */
    int negotiatedMss = DEFAULT_PEER_MSS;
    /** When a path MSS reduced by ICMP expires; NEVER when none is in force. */
    long pmtuExpiresAt = TcpConnection.NEVER;
    boolean finQueued;
    boolean finSent;
    int finSeq;
    /** The segment being timed without timestamps (RFC 6298 with Karn): its end and send time. */
    int rttSeq;
    long rttStart = -1;
    /** Our timestamp at the last retransmission timeout, while no echo of a later one has come back. */
    int timeoutTs;
    boolean echoPendingSinceTimeout;

    TcpSender(SendBuffer buffer) {
        this.buffer = buffer;
    }

    void init(int iss) {
        this.iss = iss;
        una = nxt = max = iss;
        headSeq = iss + 1;
    }

    int dataEndSeq() {
        return headSeq + buffer.size();
    }

    /** The send-buffer offset of sequence number {@code seq}. */
    long offset(int seq) {
        return buffer.head() + (seq - headSeq);
    }

    int seqOf(long off) {
        return headSeq + (int) (off - buffer.head());
    }

    /** Bytes queued at or after {@code seq}. */
    int available(int seq) {
        return (int) Math.max(0, buffer.tail() - offset(seq));
    }

    int inFlight() {
        return max - una;
    }

    /**
     * The sequence number of a pure ACK: SND.MAX (after a go-back-N rewind the peer's RCV.NXT may
     * be past SND.NXT), but never beyond the right edge of the peer's window (Linux's
     * {@code tcp_acceptable_seq}). A zero-window probe byte the peer refused lies past it, and
     * Linux drops a segment starting beyond RCV.NXT + RCV.WND unread, acknowledgment included.
     * The edge we see is rounded down to the peer's window scale unit, so SND.MAX less than one
     * unit past it is data the peer may already have taken: clamped there, the ACK would start
     * below the peer's RCV.NXT and be dropped just the same. A shut window is exact (a refused
     * probe byte is past it), so the unit is allowed only while the window is open.
     */
    int ackSeq() {
        int edge = una + wnd;
        if (SeqNum.le(max, edge) || wnd > 0 && max - edge < 1 << wscale) {
            return max;
        }
        return edge;
    }
}
