package org.jioth.jnet.tcp;

import org.jioth.jnet.ip.SipHash;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cookie codec: MSS-only and timestamp-carried options, what the MAC binds, expiry, the TSval choice. */
class SynCookiesTest {
    static final long T = 100_000_000_000L;
    static final int NO_TS = SynCookies.NO_TIMESTAMPS;
    final SynCookies sc = new SynCookies(new SplittableRandom(7));

    @Test
    void mssOnlyCookiesRoundTripAndExpire() {
        int cookie = sc.make(1, 80, 2, 4000, 12345, 1460, NO_TS, T);
        assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, NO_TS, T + 1_000_000_000L)).isEqualTo(1460);
        assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, NO_TS, T + 64_000_000_000L)).isEqualTo(1460);
        assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, NO_TS, T + 200_000_000_000L)).isEqualTo(-1);
        assertThat(sc.check(1, 80, 2, 4001, 12346, cookie + 1, NO_TS, T)).isEqualTo(-1);
        assertThat(sc.check(1, 80, 2, 4000, 12347, cookie + 1, NO_TS, T)).isEqualTo(-1);
        assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 2, NO_TS, T)).isEqualTo(-1);
        int small = sc.make(1, 80, 2, 4000, 5, 1000, NO_TS, T);
        assertThat(sc.check(1, 80, 2, 4000, 6, small + 1, NO_TS, T)).isEqualTo(536);
    }

    @Test
    void optionBitsEncodeWindowScaleAndSack() {
        for (int ws = -1; ws <= 14; ws++) {
            for (boolean sack : new boolean[] {false, true}) {
                int bits = SynCookies.encodeOptions(ws, sack);
                assertThat(bits).isBetween(0, SynCookies.TS_OPTION_MASK);
                assertThat(SynCookies.windowScale(bits)).isEqualTo(ws);
                assertThat(SynCookies.sackPermitted(bits)).isEqualTo(sack);
            }
        }
        assertThat(SynCookies.windowScale(SynCookies.encodeOptions(20, false))).isEqualTo(14); // RFC 7323 2.3
    }

    @Test
    void theMacBindsTheTimestampOptions() {
        int bits = SynCookies.encodeOptions(7, true);
        int cookie = sc.make(1, 80, 2, 4000, 12345, 1460, bits, T);
        assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, bits, T)).isEqualTo(1460);
        // any other option bits in the TSecr: no cookie
        for (int other = 0; other <= SynCookies.TS_OPTION_MASK; other++) {
            if (other != bits) {
                assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, other, T)).as("bits %d", other).isEqualTo(-1);
            }
        }
        // the ACK dropped its timestamps: no cookie either (it claims a handshake without them)
        assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, NO_TS, T)).isEqualTo(-1);
        // and an MSS-only cookie cannot be completed by an ACK that brings option bits along
        int plain = sc.make(1, 80, 2, 4000, 777, 1460, NO_TS, T);
        for (int any = 0; any <= SynCookies.TS_OPTION_MASK; any++) {
            assertThat(sc.check(1, 80, 2, 4000, 778, plain + 1, any, T)).isEqualTo(-1);
        }
        // still expires like any cookie
        assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, bits, T + 200_000_000_000L)).isEqualTo(-1);
    }

    /** Issue 12 item 2: the counter in the cookie has 5 bits, but the MAC covers the whole time. */
    @Test
    void aCookieIsNotAcceptedAgainWhenTheFiveBitCounterWrapsAround() {
        int cookie = sc.make(1, 80, 2, 4000, 12345, 1460, NO_TS, T);
        int withTs = sc.make(1, 80, 2, 4000, 12345, 1460, 7, T);
        for (long seconds : new long[] {200, 2048, 2078, 4096, 64 * 32 * 5}) {
            long at = T + seconds * 1_000_000_000L;
            assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, NO_TS, at)).as("after %d s", seconds).isEqualTo(-1);
            assertThat(sc.check(1, 80, 2, 4000, 12346, withTs + 1, 7, at)).as("after %d s", seconds).isEqualTo(-1);
        }
        // still valid in the period it was made and the next
        assertThat(sc.check(1, 80, 2, 4000, 12346, cookie + 1, NO_TS, T + 127_000_000_000L - T % 64_000_000_000L))
                .isEqualTo(1460);
    }

    @Test
    void anotherKeyMakesOtherCookies() {
        SynCookies other = new SynCookies(new SplittableRandom(8));
        int cookie = sc.make(1, 80, 2, 4000, 12345, 1460, NO_TS, T);
        assertThat(other.check(1, 80, 2, 4000, 12346, cookie + 1, NO_TS, T)).isEqualTo(-1);
    }

    @Test
    void cookieTimestampCarriesTheBitsAndNeverRunsAheadOfTheClock() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            int clock = i < 100 ? Integer.MAX_VALUE - 50 + i : r.nextInt(); // across the signed wrap too
            int bits = r.nextInt(SynCookies.TS_OPTION_MASK + 1);
            int ts = SynCookies.timestamp(clock, bits);
            assertThat(ts & SynCookies.TS_OPTION_MASK).isEqualTo(bits);
            int behind = clock - ts; // mod 2^32
            assertThat(behind).as("clock %d bits %d", clock, bits).isBetween(0, SynCookies.TS_OPTION_MASK);
        }
    }

    @Test
    void sipHashMatchesTheReferenceVector() {
        // key 00..0f, messages 00..0f and 00..17 (little-endian words); the values come from an
        // independent byte-wise implementation that reproduces the paper's 15-byte vector
        SipHash h = new SipHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        assertThat(h.hash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L)).isEqualTo(0x3f2acc7f57c29bdbL);
        assertThat(h.hash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L, 0x1716151413121110L))
                .isEqualTo(0xb8ad50c6f649af94L);
    }
}
