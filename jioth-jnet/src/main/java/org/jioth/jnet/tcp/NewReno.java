package org.jioth.jnet.tcp;

/** Reno window growth (RFC 5681): slow start, then one SMSS per window of acknowledged data. */
public final class NewReno extends CongestionControl {
    private long acc;

    @Override
    public void onAck(int acked, int flight, long now, long srtt) {
        if (inSlowStart()) {
            acked = slowStart(acked);
            if (acked == 0) {
                return;
            }
        }
        acc += acked;
        if (acc >= cwnd) {
            acc -= cwnd;
            cwnd = Math.min(MAX_CWND, cwnd + smss);
        }
    }

    @Override
    public void onCongestion(int flight, long now) {
        hystart.finish();
        ssthresh = Math.max(flight / 2, 2 * smss);
        cwnd = ssthresh;
        acc = 0;
    }

    @Override
    public void onTimeout(int flight, long now) {
        super.onTimeout(flight, now);
        acc = 0;
    }

    @Override
    public String toString() {
        return "newreno";
    }
}
