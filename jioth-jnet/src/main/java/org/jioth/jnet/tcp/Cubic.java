package org.jioth.jnet.tcp;

/**
 * CUBIC (RFC 9438): after a loss the window follows W(t) = C (t - K)^3 + Wmax, never below the
 * Reno-friendly estimate; multiplicative decrease by beta = 0.7, fast convergence. Windows are
 * computed in segments as doubles and kept in bytes.
 */
public final class Cubic extends CongestionControl {
    static final double C = 0.4;
    static final double BETA = 0.7;
    private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private double wMax;
    private double wLastMax;
    private double k;
    private double wEst;
    private long epochStart = -1;
    private double cwndSegs;

    @Override
    public void init(int smss, long now) {
        super.init(smss, now);
        cwndSegs = (double) cwnd / smss;
    }

    @Override
    public void onAck(int acked, int flight, long now, long srtt) {
        if (inSlowStart()) {
            acked = slowStart(acked);
            cwndSegs = (double) cwnd / smss;
            if (acked == 0) {
                return;
            }
        }
        double seg = (double) acked / smss;
        if (epochStart < 0) {
            epochStart = now;
            if (wMax <= cwndSegs) {
                // no loss yet (or grown past it): start the curve at the current window
                wMax = cwndSegs;
                k = 0;
            } else {
                k = Math.cbrt((wMax - cwndSegs) / C);
            }
            wEst = cwndSegs;
        }
        double rtt = srtt > 0 ? srtt / 1e9 : 0.1;
        double t = (now - epochStart) / 1e9 + rtt;
        double target = C * Math.pow(t - k, 3) + wMax;
        target = Math.min(target, 1.5 * cwndSegs);
        wEst += ALPHA * seg / cwndSegs;
        if (target < wEst) {
            cwndSegs = Math.max(cwndSegs, wEst);
        } else if (target > cwndSegs) {
            cwndSegs += (target - cwndSegs) / cwndSegs * seg;
        }
        cwnd = (int) Math.min(MAX_CWND, cwndSegs * smss);
    }

    @Override
    public void onCongestion(int flight, long now) {
        hystart.finish();
        double cur = Math.max(1, (double) cwnd / smss);
        wMax = cur < wLastMax ? cur * (1 + BETA) / 2 : cur; // fast convergence
        wLastMax = cur;
        epochStart = -1;
        // RFC 9438 4.6: from the flight size, so an application-limited window does not inflate it
        ssthresh = Math.max((int) (Math.min(flight, cwnd) * BETA), 2 * smss);
        cwnd = ssthresh;
        cwndSegs = (double) cwnd / smss;
        k = Math.cbrt(wMax * (1 - BETA) / C);
    }

    @Override
    public void onRecoveryExit(int flight) {
        super.onRecoveryExit(flight);
        cwndSegs = (double) cwnd / smss;
    }

    @Override
    public void onTimeout(int flight, long now) {
        onCongestion(flight, now);
        cwnd = smss;
        cwndSegs = 1;
        epochStart = -1;
    }

    @Override
    public void undo(int priorCwnd, int priorSsthresh) {
        super.undo(priorCwnd, priorSsthresh);
        cwndSegs = (double) cwnd / smss;
        wMax = wLastMax;
        epochStart = -1;
    }

    @Override
    public void onIdleRestart(long now) {
        super.onIdleRestart(now);
        cwndSegs = (double) cwnd / smss;
        epochStart = -1;
    }

    @Override
    void setCwnd(int bytes) {
        super.setCwnd(bytes);
        cwndSegs = (double) cwnd / smss;
    }

    /** The window before the last reduction, in segments (for tests). */
    double wMax() {
        return wMax;
    }

    @Override
    public String toString() {
        return "cubic";
    }
}
