package org.jioth.jnet.tcp;

import java.util.Arrays;

/**
 * Delivery rate estimation (draft-cheng-iccrg-delivery-rate-estimation, as BBR uses it): every
 * (re)transmitted range records the connection's delivered count and delivered time, the first
 * send time of its flight and whether the sender was application-limited; an ACK that delivers
 * ranges (cumulatively or by SACK) yields a {@link Sample} from the most recently sent of them:
 * delivered bytes over max(send interval, ACK interval). Records sit in a ring in send order,
 * allocated on the first send and grown up to a bound; past it the oldest is forgotten (a lost
 * sample, never a wrong one). Offsets are send-stream offsets; times the stack clock's ns.
 */
final class DeliveryRate {
    /** One ACK's rate sample (reused; valid until the next ACK). */
    static final class Sample {
        /** Bytes delivered over the interval; 0 when the ACK delivered nothing measurable. */
        long delivered;
        /** The sampling interval, ns (max of the send and the ACK interval). */
        long interval;
        /** Delivered bytes per second, 0 when no valid sample. */
        long rate;
        /** The round trip of the most recently sent range this ACK delivered (ns, -1 none or a retransmission). */
        long rtt;
        /** The connection's delivered count when that range was sent. */
        long priorDelivered;
        boolean appLimited;
        /** Bytes this ACK newly delivered. */
        long newlyDelivered;
        /** When that range was sent. */
        long sentTime;
        /** Bytes in flight when that range was sent. */
        long priorInflight;

        boolean valid() {
            return rate > 0;
        }
    }

    private final int maxRecords;
    private long[] starts;
    private long[] ends;
    private long[] sentTimes;
    private long[] delivereds;
    private long[] deliveredTimes;
    private long[] firstSentTimes;
    private long[] inflights;
    private boolean[] appLimiteds;
    private boolean[] retransmitteds;
    private boolean[] done;
    private int head;
    private int count;

    /** C.delivered, C.delivered_time, C.first_sent_time, C.app_limited (0 = not limited). */
    long delivered;
    long deliveredTime;
    long firstSentTime;
    long appLimitedUntil;
    final Sample sample = new Sample();

    DeliveryRate(int maxRecords) {
        this.maxRecords = Math.max(16, maxRecords);
    }

    /** [from, to) left at {@code now} with {@code inflight} bytes outstanding before it. */
    void sent(long from, long to, long now, long inflight, boolean retransmission) {
        if (to <= from) {
            return;
        }
        if (inflight <= 0) {
            firstSentTime = now; // a new flight starts: its intervals count from here
            deliveredTime = now;
        }
        if (starts == null || count == starts.length) {
            if (!grow()) {
                head = (head + 1) % starts.length; // full at the bound: forget the oldest
                count--;
            }
        }
        int i = (head + count) % starts.length;
        starts[i] = from;
        ends[i] = to;
        sentTimes[i] = now;
        delivereds[i] = delivered;
        deliveredTimes[i] = deliveredTime;
        firstSentTimes[i] = firstSentTime;
        inflights[i] = inflight;
        appLimiteds[i] = appLimitedUntil != 0;
        retransmitteds[i] = retransmission;
        done[i] = false;
        count++;
    }

    private boolean grow() {
        int n = starts == null ? 16 : Math.min(maxRecords, starts.length * 2);
        if (starts != null && n == starts.length) {
            return false;
        }
        long[][] longs = {starts, ends, sentTimes, delivereds, deliveredTimes, firstSentTimes, inflights};
        long[][] grown = new long[longs.length][];
        for (int k = 0; k < longs.length; k++) {
            grown[k] = new long[n];
            if (longs[k] != null) {
                copyRing(longs[k], grown[k]);
            }
        }
        boolean[] al = new boolean[n];
        boolean[] rx = new boolean[n];
        boolean[] dn = new boolean[n];
        if (starts != null) {
            for (int j = 0; j < count; j++) {
                int i = (head + j) % starts.length;
                al[j] = appLimiteds[i];
                rx[j] = retransmitteds[i];
                dn[j] = done[i];
            }
        }
        starts = grown[0];
        ends = grown[1];
        sentTimes = grown[2];
        delivereds = grown[3];
        deliveredTimes = grown[4];
        firstSentTimes = grown[5];
        inflights = grown[6];
        appLimiteds = al;
        retransmitteds = rx;
        done = dn;
        head = 0;
        return true;
    }

    private void copyRing(long[] from, long[] to) {
        for (int j = 0; j < count; j++) {
            to[j] = from[(head + j) % from.length];
        }
    }

    /**
     * The sender ran out of data with room in its windows and {@code inflight} bytes out: samples
     * until that data is delivered are application-limited (the draft's C.app_limited).
     */
    void markAppLimited(long inflight) {
        appLimitedUntil = Math.max(delivered + inflight, 1);
    }

    /**
     * An ACK at {@code now}: cumulatively up to {@code una}, and SACKing the {@code n} ranges
     * {@code sackFrom[i]..sackTo[i]}; {@code newly} bytes were newly delivered by it.
     * Fills and returns {@link #sample}; {@code minRtt} (ns, 0 unknown) rejects intervals too
     * short to mean anything (the ACK compression the draft warns of).
     */
    Sample onAck(long una, long[] sackFrom, long[] sackTo, int n, long newly, long now, long minRtt) {
        Sample s = sample;
        s.delivered = 0;
        s.interval = 0;
        s.rate = 0;
        s.rtt = -1;
        s.newlyDelivered = Math.max(0, newly);
        if (newly <= 0 || count == 0) {
            return s;
        }
        delivered += newly;
        deliveredTime = now;
        int best = -1;
        for (int j = 0; j < count; j++) {
            int i = (head + j) % starts.length;
            if (done[i] || !(ends[i] <= una || inSack(starts[i], ends[i], sackFrom, sackTo, n))) {
                continue;
            }
            done[i] = true;
            if (best < 0 || delivereds[i] > delivereds[best]
                    || delivereds[i] == delivereds[best] && sentTimes[i] > sentTimes[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            s.priorDelivered = delivereds[best];
            s.appLimited = appLimiteds[best];
            s.priorInflight = inflights[best];
            s.sentTime = sentTimes[best];
            // Karn: a retransmission's round trip is ambiguous (the original may be what arrived)
            s.rtt = retransmitteds[best] ? -1 : now - sentTimes[best];
            firstSentTime = sentTimes[best];
            long sendElapsed = sentTimes[best] - firstSentTimes[best];
            long ackElapsed = now - deliveredTimes[best];
            s.delivered = delivered - delivereds[best];
            s.interval = Math.max(sendElapsed, ackElapsed);
            if (s.interval > 0 && s.interval >= minRtt && s.delivered > 0) {
                s.rate = s.delivered * Pacer.NANOS / s.interval;
            }
        }
        while (count > 0 && done[head]) {
            head = (head + 1) % starts.length;
            count--;
        }
        if (appLimitedUntil != 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0;
        }
        return s;
    }

    private static boolean inSack(long from, long to, long[] sackFrom, long[] sackTo, int n) {
        for (int k = 0; k < n; k++) {
            if (sackFrom[k] <= from && to <= sackTo[k]) {
                return true;
            }
        }
        return false;
    }

    /** Records not yet delivered (tests). */
    int outstanding() {
        int n = 0;
        for (int j = 0; j < count; j++) {
            if (!done[(head + j) % starts.length]) {
                n++;
            }
        }
        return n;
    }
}
