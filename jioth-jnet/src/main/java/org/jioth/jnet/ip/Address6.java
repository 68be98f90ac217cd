package org.jioth.jnet.ip;

import org.jioth.jnet.time.Timer;

/**
 * One IPv6 address of an interface with its Duplicate Address Detection state (RFC 4862, RFC
 * 4429 for optimistic addresses) and lifetimes (absolute, on the stack clock; {@link #FOREVER}
 * for none). Owned by {@link AddressTable6}; loop-only.
 */
public final class Address6 {
    public static final long FOREVER = Long.MAX_VALUE;

    /** Linux's IFA_F_* bits, as {@code ip -6 addr} shows them. */
    public static final int IFA_F_OPTIMISTIC = 0x04;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_STABLE_PRIVACY = 0x800;

    public enum State {
        /** DAD running; the address is not used (RFC 4862 5.4). */
        TENTATIVE,
        /** DAD running, but the address is used already (RFC 4429). */
        OPTIMISTIC,
        PREFERRED,
        /** Past its preferred lifetime: kept for existing traffic, not chosen as a source. */
        DEPRECATED,
        /** DAD found another node with it: never used (Linux's dadfailed). */
        DUPLICATED
    }

    /** How the address came: NetConfig, the interface's link-local one, SLAAC. */
    public enum Origin { STATIC, LINK_LOCAL, SLAAC }

    final byte[] address;
    final int prefixLength;
    final int ifindex;
    final Origin origin;
    State state;
    long validUntil = FOREVER;
    long preferredUntil = FOREVER;
    /** DAD probes still to send. */
    int probesLeft;
    /** RFC 7217's DAD_Counter of a SLAAC address. */
    int dadCounter;
    final Timer dadTimer;
    final Timer lifeTimer;

    Address6(byte[] address, int prefixLength, int ifindex, Origin origin, Runnable dad, Runnable life) {
        this.address = address.clone();
        this.prefixLength = prefixLength;
        this.ifindex = ifindex;
        this.origin = origin;
        this.dadTimer = new Timer(dad);
        this.lifeTimer = new Timer(life);
    }

    public byte[] address() {
        return address.clone();
    }

    public int prefixLength() {
        return prefixLength;
    }

    public State state() {
        return state;
    }

    public Origin origin() {
        return origin;
    }

    /** True when datagrams to it are ours. */
    public boolean isUsable() {
        return state == State.OPTIMISTIC || state == State.PREFERRED || state == State.DEPRECATED;
    }

    /** True while DAD runs (tentative or optimistic). */
    public boolean isDadRunning() {
        return state == State.TENTATIVE || state == State.OPTIMISTIC;
    }

    /** Linux's IFA_F_* flags of the address. */
    public int flags() {
        int f = switch (state) {
            case TENTATIVE -> IFA_F_TENTATIVE;
            case OPTIMISTIC -> IFA_F_TENTATIVE | IFA_F_OPTIMISTIC;
            case DEPRECATED -> IFA_F_DEPRECATED;
            case DUPLICATED -> IFA_F_TENTATIVE | IFA_F_DADFAILED;
            case PREFERRED -> 0;
        };
        if (origin != Origin.SLAAC) {
            f |= IFA_F_PERMANENT;
        } else {
            f |= IFA_F_STABLE_PRIVACY;
        }
        return f;
    }

    /** Seconds of valid lifetime left at {@code now}, or -1 for forever. */
    public long validSeconds(long now) {
        return validUntil == FOREVER ? -1 : Math.max(0, (validUntil - now) / 1_000_000_000L);
    }

    /** Seconds of preferred lifetime left at {@code now}, or -1 for forever. */
    public long preferredSeconds(long now) {
        return preferredUntil == FOREVER ? -1 : Math.max(0, (preferredUntil - now) / 1_000_000_000L);
    }
}
