package org.jioth.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jioth.IothStack;

/**
 * What held a stack's TCP senders back, by reason: the time in each of jnet's {@code
 * TcpExt.SendLimited*Nanos} counters (Linux's tcp_chrono summed over connections), read from
 * {@link IothStack#statistics()}. A bulk sender held by {@code rwnd} most of the time waits for
 * the receiver's window, so the receiver or the path, not the sender, bounds the transfer. A stack
 * without these counters (the kernel's) shows nothing.
 */
final class SendLimits {
    private static final String[] REASONS = {"Idle", "Sndbuf", "Cwnd", "Rwnd", "Pacing", "Nagle"};

    private final long[] nanos;

    private SendLimits(long[] nanos) {
        this.nanos = nanos;
    }

    /** The counters of {@code stack} now; null when it has none. */
    static SendLimits of(IothStack stack) {
        try {
            return of(stack.statistics());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** From a stack's statistics; null when they lack any of the counters. */
    static SendLimits of(Map<String, Long> s) {
        long[] v = new long[REASONS.length];
        for (int i = 0; i < REASONS.length; i++) {
            Long x = s.get("TcpExt.SendLimited" + REASONS[i] + "Nanos");
            if (x == null) {
                return null;
            }
            v[i] = x;
        }
        return new SendLimits(v);
    }

    /** Each reason's share of the time held back since {@code before}, largest first, e.g. "rwnd 96.0 %, sndbuf 2.1 %"; empty if none. */
    String since(SendLimits before) {
        long[] d = new long[nanos.length];
        long total = 0;
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(0, nanos[i] - before.nanos[i]);
            total += d[i];
        }
        if (total == 0) {
            return "";
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < d.length; i++) {
            if (d[i] > 0) {
                order.add(i);
            }
        }
        order.sort((a, b) -> Long.compare(d[b], d[a]));
        List<String> parts = new ArrayList<>();
        for (int i : order) {
            parts.add(String.format(Locale.ROOT, "%s %.1f %%", REASONS[i].toLowerCase(Locale.ROOT), 100.0 * d[i] / total));
        }
        return String.join(", ", parts) + String.format(Locale.ROOT, " of %.2f s", total / 1e9);
    }
}
