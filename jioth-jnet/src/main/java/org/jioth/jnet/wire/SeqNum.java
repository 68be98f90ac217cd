package org.jioth.jnet.wire;

/**
 * TCP sequence-number arithmetic modulo 2^32 (RFC 9293 3.4): numbers are plain {@code int}s and
 * compare by the sign of their difference, so comparisons hold across wrap-around as long as the
 * two numbers are less than 2^31 apart.
 */
public final class SeqNum {
    private SeqNum() {
    }

    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** {@code lo <= x < hi} modulo 2^32. */
    public static boolean inWindow(int x, int lo, int hi) {
        return le(lo, x) && lt(x, hi);
    }

    public static int max(int a, int b) {
        return gt(a, b) ? a : b;
    }

    public static int min(int a, int b) {
        return lt(a, b) ? a : b;
    }

    /** {@code a - b} as a signed distance. */
    public static int diff(int a, int b) {
        return a - b;
    }

    /** Unsigned 32-bit text, for logs. */
    public static String toString(int s) {
        return Integer.toUnsignedString(s);
    }
}
