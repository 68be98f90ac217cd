package org.jioth.jnet.ip;

/**
 * SipHash-2-4 of two to four 64-bit words under a 128-bit key: the keyed hash behind TCP's ISNs
 * (RFC 6528), timestamp offsets, SYN cookies and connection table, and IPv6 flow labels (RFC
 * 6437). Allocation-free. Here, below both users, so that {@code ip} need not import {@code tcp}.
 */
public final class SipHash {
    private final long k0;
    private final long k1;

    public SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    public long hash(long m0, long m1) {
        return sip(m0, m1, 0, 0, 2);
    }

    public long hash(long m0, long m1, long m2) {
        return sip(m0, m1, m2, 0, 3);
    }

    public long hash(long m0, long m1, long m2, long m3) {
        return sip(m0, m1, m2, m3, 4);
    }

    private long sip(long m0, long m1, long m2, long m3, int words) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        for (int w = 0; w <= words; w++) {
            // the words, then the length block (8 bytes each, no tail)
            long m = w == words ? (long) (8 * words) << 56 : w == 0 ? m0 : w == 1 ? m1 : w == 2 ? m2 : m3;
            v3 ^= m;
            for (int i = 0; i < 2; i++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        v2 ^= 0xff;
        for (int i = 0; i < 4; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
