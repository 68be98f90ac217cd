package org.jioth.dhcp;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * RFC 8415 section 15's retransmission schedule for one message exchange: the first timeout is
 * IRT + RAND*IRT, each next one 2*RTprev + RAND*RTprev, capped near MRT (MRT + RAND*MRT), with RAND
 * uniform in [-0.1, +0.1] (a Solicit's first RAND strictly positive); the exchange ends after MRC
 * transmissions or MRD of time (0: no limit).
 */
final class Dhcp6Retransmission {
    /** The parameters of one exchange (section 7.6). */
    record Params(Duration irt, Duration mrt, int mrc, Duration mrd) {
        static final Params SOLICIT = new Params(Duration.ofSeconds(1), Duration.ofSeconds(3600), 0, Duration.ZERO);
        static final Params REQUEST = new Params(Duration.ofSeconds(1), Duration.ofSeconds(30), 10, Duration.ZERO);
        static final Params RENEW = new Params(Duration.ofSeconds(10), Duration.ofSeconds(600), 0, Duration.ZERO);
        static final Params REBIND = new Params(Duration.ofSeconds(10), Duration.ofSeconds(600), 0, Duration.ZERO);
        static final Params INFORMATION_REQUEST = new Params(Duration.ofSeconds(1), Duration.ofSeconds(3600), 0, Duration.ZERO);
        static final Params RELEASE = new Params(Duration.ofSeconds(1), Duration.ZERO, 4, Duration.ZERO);

        /** The same with the duration limited to {@code mrd} (the tighter of the two when both are set). */
        Params limitedTo(Duration max) {
            Duration d = mrd.isZero() || max.compareTo(mrd) < 0 ? max : mrd;
            return new Params(irt, mrt, mrc, d);
        }
    }

    private final Params params;
    private final RandomGenerator random;
    private final boolean firstStrictlyLonger;
    private Duration rt;
    private int sent;

    Dhcp6Retransmission(Params params, RandomGenerator random, boolean firstStrictlyLonger) {
        this.params = params;
        this.random = random;
        this.firstStrictlyLonger = firstStrictlyLonger;
    }

    /** The timeout after the next transmission (and counts it). */
    Duration next() {
        if (sent++ == 0) {
            double r = firstStrictlyLonger ? Math.nextUp(random.nextDouble(0.1)) : rand();
            rt = scaled(params.irt(), 1 + r);
        } else {
            rt = scaled(rt, 2 + rand());
            if (!params.mrt().isZero() && rt.compareTo(params.mrt()) > 0) {
                rt = scaled(params.mrt(), 1 + rand());
            }
        }
        return rt;
    }

    /** True when MRC transmissions were made (never when MRC is 0). */
    boolean countExhausted() {
        return params.mrc() > 0 && sent >= params.mrc();
    }

    /** The exchange's duration limit, or null when it has none. */
    Duration maxDuration() {
        return params.mrd().isZero() ? null : params.mrd();
    }

    int transmissions() {
        return sent;
    }

    private double rand() {
        return random.nextDouble(-0.1, 0.1);
    }

    private static Duration scaled(Duration d, double factor) {
        return Duration.ofNanos(Math.round(d.toNanos() * factor));
    }
}
