package org.jioth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SendLimitsTest {
    private static Map<String, Long> counters(long idle, long sndbuf, long cwnd, long rwnd) {
        Map<String, Long> m = new HashMap<>();
        m.put("TcpExt.SendLimitedIdleNanos", idle);
        m.put("TcpExt.SendLimitedSndbufNanos", sndbuf);
        m.put("TcpExt.SendLimitedCwndNanos", cwnd);
        m.put("TcpExt.SendLimitedRwndNanos", rwnd);
        m.put("TcpExt.SendLimitedPacingNanos", 0L);
        m.put("TcpExt.SendLimitedNagleNanos", 0L);
        return m;
    }

    @Test
    void sharesOfWhatGrewLargestFirst() {
        SendLimits before = SendLimits.of(counters(5, 100, 0, 1_000));
        SendLimits after = SendLimits.of(counters(5, 100 + 30_000_000L, 10_000_000L, 1_000 + 960_000_000L));
        assertThat(after.since(before)).isEqualTo("rwnd 96.0 %, sndbuf 3.0 %, cwnd 1.0 % of 1.00 s");
    }

    @Test
    void nothingHeldIsEmptyAndAStackWithoutTheCountersHasNone() {
        SendLimits a = SendLimits.of(counters(1, 2, 3, 4));
        assertThat(a.since(a)).isEmpty();
        assertThat(SendLimits.of(Map.of("Tcp.RetransSegs", 3L))).isNull();
    }
}
