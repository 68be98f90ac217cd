package org.jioth.jnet.tcp;

import org.jioth.jnet.ip.SipHash;
import org.jioth.jnet.wire.Ip128;

/**
 * A connection's addresses and ports in either family ({@link Ip128}: both ends IPv4 v4-mapped, or
 * both IPv6), the key of the {@link ConnectionTable} and of the keyed hashes behind ISNs, cookies
 * and timestamp offsets. IPv4 tuples hash exactly as they did before IPv6 came (same words).
 */
class FourTuple extends Binding {
    long remoteHi;
    long remoteLo = Ip128.MAPPED;
    int remotePort;
    /** The interface index of a link-local IPv6 peer (0: none). */
    int scope;

    final boolean isV4() {
        return Ip128.isV4(remoteHi, remoteLo);
    }

    final int remote4() {
        return (int) remoteLo;
    }

    final FourTuple set(long lhi, long llo, int lport, long rhi, long rlo, int rport) {
        localHi = lhi;
        localLo = llo;
        localPort = lport;
        remoteHi = rhi;
        remoteLo = rlo;
        remotePort = rport;
        return this;
    }

    final FourTuple set4(int laddr, int lport, int raddr, int rport) {
        return set(0, Ip128.lo4(laddr), lport, 0, Ip128.lo4(raddr), rport);
    }

    final void copyAddresses(FourTuple o) {
        set(o.localHi, o.localLo, o.localPort, o.remoteHi, o.remoteLo, o.remotePort);
        scope = o.scope;
    }

    /** The addresses as one word for a keyed hash: IPv4 packed as before, IPv6 compressed by {@code h}. */
    final long addressWord(SipHash h) {
        if (isV4()) {
            return (localLo & 0xffffffffL) << 32 | (remoteLo & 0xffffffffL);
        }
        return h.hash(localHi, localLo, remoteHi, remoteLo);
    }

    final int portWord() {
        return localPort << 16 | (remotePort & 0xffff);
    }

    /** The pseudo-header address sum of a segment between the two ends (either direction). */
    final long addressSum() {
        return Ip128.addressSum(localHi, localLo, remoteHi, remoteLo);
    }
}
