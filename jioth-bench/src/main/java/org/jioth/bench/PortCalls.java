package org.jioth.bench;

import java.util.Locale;
import java.util.Map;
import org.jioth.IothStack;

/**
 * A jnet stack's frames, the system calls that moved them at its port and its loop's sleeps, read
 * from {@link IothStack#statistics()}: frames per {@code sendmmsg}/{@code recvmmsg} and wake-ups per
 * frame, exact and without strace (which slows a bulk run 30-fold). A stack without these
 * counters (the kernel's) shows nothing.
 */
final class PortCalls {
    private static final String[] KEYS = {
        "Port.FramesOut", "Port.SendCalls", "Port.SendRefused", "Port.FramesIn", "Port.ReceiveCalls",
        "Loop.Sleeps", "Loop.LentTurns", "Loop.LentWaits",
    };

    private final long[] values;

    private PortCalls(long[] values) {
        this.values = values;
    }

    /** The counters of {@code stack} now; null when it has none of them. */
    static PortCalls of(IothStack stack) {
        Map<String, Long> s;
        try {
            s = stack.statistics();
        } catch (RuntimeException e) {
            return null;
        }
        long[] v = new long[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            Long x = s.get(KEYS[i]);
            if (x == null) {
                return null;
            }
            v[i] = x;
        }
        return new PortCalls(v);
    }

    /** What happened since {@code before} (null: since the start), as one line. */
    String since(PortCalls before) {
        long[] d = new long[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i] - (before == null ? 0 : before.values[i]);
        }
        return String.format(Locale.ROOT,
                "%d frames out in %d sends (%.1f a call, %d refused), %d frames in by %d receives (%.1f a call), "
                        + "%d loop sleeps, %d lent turns, %d lent waits",
                d[0], d[1], perCall(d[0], d[1]), d[2], d[3], d[4], perCall(d[3], d[4]), d[5], d[6], d[7]);
    }

    private static double perCall(long frames, long calls) {
        return calls == 0 ? 0 : (double) frames / calls;
    }
}
