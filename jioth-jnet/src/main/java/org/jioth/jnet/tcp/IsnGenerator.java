package org.jioth.jnet.tcp;

import java.util.random.RandomGenerator;
import org.jioth.jnet.ip.SipHash;

/**
 * Initial sequence numbers per RFC 6528: ISN = M + F(4-tuple, secret), M a 4-microsecond clock and
 * F a keyed hash, so ISNs of one 4-tuple grow with time while other tuples' are unpredictable.
 */
public final class IsnGenerator {
    private final SipHash hash;

    public IsnGenerator(RandomGenerator random) {
        this.hash = new SipHash(random.nextLong(), random.nextLong());
    }

    public int isn(int localAddr, int localPort, int remoteAddr, int remotePort, long nanos) {
        long m0 = ((long) localAddr << 32) | (remoteAddr & 0xffffffffL);
        long m1 = ((long) localPort << 16) | remotePort;
        return (int) (nanos / 4000) + (int) hash.hash(m0, m1);
    }

    /** The ISN of a tuple of either family (IPv4 ones as {@link #isn(int, int, int, int, long)}). */
    int isn(FourTuple t, long nanos) {
        return (int) (nanos / 4000) + (int) hash.hash(t.addressWord(hash), t.portWord() & 0xffffffffL);
    }
}
